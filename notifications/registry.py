"""Which function turns an outbox row of a given kind into an email.

Apps register their builders in ``AppConfig.ready``; notifications knows no app's models.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage

Builder = Callable[[dict[str, Any]], EmailMessage | None]
_builders: dict[str, Builder] = {}


def builder_register(kind: str, builder: Builder) -> None:
    _builders[kind] = builder


def builder_for(kind: str) -> Builder:
    try:
        return _builders[kind]
    except KeyError:
        raise LookupError(f"no email builder registered for outbox kind {kind!r}") from None
