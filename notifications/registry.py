"""Which function turns an outbox row of a given kind into a message (an email, an SMS).

Apps register their builders in ``AppConfig.ready``; notifications knows no app's models.

A builder answers something with a ``send()`` (an ``EmailMessage``, a ``notifications.sms.SmsMessage``), or
None when there is nothing to send any more (the message is then recorded as skipped), or raises ``Defer``
to be asked again later (quiet hours).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol


class Sendable(Protocol):
    def send(self) -> Any: ...


class Defer(Exception):
    """Raised by a builder: not now, ask again at ``until`` (no attempt is counted)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


Builder = Callable[[dict[str, Any]], Sendable | None]
_builders: dict[str, Builder] = {}


def builder_register(kind: str, builder: Builder) -> None:
    _builders[kind] = builder


def builder_for(kind: str) -> Builder:
    try:
        return _builders[kind]
    except KeyError:
        raise LookupError(f"no email builder registered for outbox kind {kind!r}") from None
