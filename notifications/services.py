"""Delivering what is in the outbox (writing to it: ``notifications.outbox``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from notifications.models import MessageStatus, OutboxMessage
from notifications.registry import Defer, builder_for

logger = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=2)
MAX_ATTEMPTS = 10


def outbox_deliver(*, message_id: int, now: datetime | None = None) -> bool:
    """Send one message if it is still undelivered; True if this call sent it (or found nothing left to send).

    The claim is one conditional UPDATE, so two workers never send the same row at once.
    Sending happens outside any transaction. A message without a dedupe key is sent at least once: a crash
    after sending and before marking means it is sent again. A message with one (a reminder) is sent at most
    once: its claim also marks it SENDING, a state the sweep never picks up again, so a sender that dies
    while handing it over leaves it unsent rather than sends it twice.
    """
    now = now or timezone.now()
    due = OutboxMessage.objects.due(now).filter(pk=message_id)
    claimed = due.filter(dedupe_key__isnull=True).update(claimed_until=now + CLAIM_FOR) or due.filter(
        dedupe_key__isnull=False
    ).update(claimed_until=now + CLAIM_FOR, status=MessageStatus.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    once = message.dedupe_key is not None
    attempts = message.attempts if once else message.attempts + 1
    try:
        built = builder_for(message.kind)(message.payload)
        result = built.send() if built is not None else None
    except Defer as later:
        OutboxMessage.objects.filter(pk=message_id).update(
            claimed_until=None, not_before=later.until, status=MessageStatus.PENDING, attempts=attempts - 1
        )
        return False
    except Exception as exc:
        # The type only: an exception's text may quote the email, and the email may hold health details.
        # The provider said no, so nothing went out: a once-only message may be tried again too.
        OutboxMessage.objects.filter(pk=message_id).update(
            claimed_until=None,
            attempts=attempts,
            last_error=type(exc).__name__,
            status=MessageStatus.PENDING if attempts < MAX_ATTEMPTS else MessageStatus.FAILED,
        )
        logger.warning("outbox message %s (%s) failed: %s", message_id, message.kind, type(exc).__name__)
        return False
    done = timezone.now()
    OutboxMessage.objects.filter(pk=message_id).update(
        sent_at=done,
        status_at=done,
        attempts=attempts,
        status=MessageStatus.SENT if built is not None else MessageStatus.SKIPPED,
        provider_id=result if isinstance(result, str) else "",
    )
    return True


def outbox_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Deliver what the tasks missed (a worker that died, an enqueue that failed) and what has come due
    (a reminder's time); returns how many were sent."""
    now = now or timezone.now()
    ids = list(OutboxMessage.objects.due(now).filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)[:limit])
    return sum(outbox_deliver(message_id=pk, now=now) for pk in ids)


def outbox_status_record(*, provider_id: str, delivered: bool, now: datetime) -> bool:
    """What the provider later said about a sent message (an SMS's delivery callback); False if unknown."""
    if not provider_id:
        return False
    return bool(
        OutboxMessage.objects.filter(provider_id=provider_id)
        .exclude(status=MessageStatus.PENDING)
        .update(status=MessageStatus.DELIVERED if delivered else MessageStatus.UNDELIVERED, status_at=now)
    )
