"""Reads on the outbox: what was sent about a thing, for the pages that show it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from notifications.models import OutboxMessage


def outbox_about(*, refs: Iterable[str]) -> dict[str, list[OutboxMessage]]:
    """The messages about each ref ("appointment:12"), oldest first, in one query (the ref is indexed)."""
    found: dict[str, list[OutboxMessage]] = defaultdict(list)
    wanted = [ref for ref in refs if ref]
    if not wanted:
        return found
    for message in OutboxMessage.objects.filter(ref__in=wanted).order_by("created_at", "pk").defer("payload"):
        found[message.ref].append(message)
    return found
