"""Delivering what is in the outbox (writing to it: ``notifications.outbox``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.registry import builder_for

logger = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=2)
MAX_ATTEMPTS = 10


def outbox_deliver(*, message_id: int, now: datetime | None = None) -> bool:
    """Send one message if it is still undelivered; True if this call sent it.

    The claim is one conditional UPDATE, so two workers never send the same row at once.
    Sending happens outside any transaction; a crash after sending and before marking
    means the message is sent again (at least once, as promised).
    """
    now = now or timezone.now()
    claimed = OutboxMessage.objects.due(now).filter(pk=message_id).update(claimed_until=now + CLAIM_FOR)
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        email = builder_for(message.kind)(message.payload)
        if email is not None:
            email.send()
    except Exception as exc:
        # The type only: an exception's text may quote the email, and the email may hold health details.
        OutboxMessage.objects.filter(pk=message_id).update(
            claimed_until=None, attempts=message.attempts + 1, last_error=type(exc).__name__
        )
        logger.warning("outbox message %s (%s) failed: %s", message_id, message.kind, type(exc).__name__)
        return False
    OutboxMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), attempts=message.attempts + 1)
    return True


def outbox_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Deliver what the tasks missed (a worker that died, an enqueue that failed); returns how many were sent."""
    now = now or timezone.now()
    ids = list(OutboxMessage.objects.due(now).filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)[:limit])
    return sum(outbox_deliver(message_id=pk, now=now) for pk in ids)
