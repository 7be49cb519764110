"""Writing to the outbox, inside the transaction of the change a message announces.

Apart from ``services`` (delivery) so that imports run one way: outbox -> tasks -> services. The delivery task
calls the services; writing a message enqueues that task.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from notifications.models import Channel, MessageStatus, OutboxMessage
from notifications.tasks import outbox_deliver_task


def outbox_put(
    *,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    ref: str = "",
    channel: str = Channel.EMAIL,
) -> OutboxMessage:
    """Add a message to the outbox; call inside the transaction of the change it announces.

    With a ``dedupe_key`` the message exists once, ever (the database's unique constraint says so): putting it
    again answers the row already there. One that was skipped (nothing to send when its time came) is woken
    up again, with this call's time, since it was never sent. ``not_before``: not delivered before then.
    """
    if dedupe_key is None:
        message = OutboxMessage.objects.create(
            kind=kind, payload=payload, created_at=now, not_before=not_before, ref=ref, channel=channel
        )
    else:
        try:
            # A savepoint: the caller's transaction carries on after a duplicate.
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    kind=kind,
                    payload=payload,
                    created_at=now,
                    not_before=not_before,
                    ref=ref,
                    channel=channel,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            message = OutboxMessage.objects.get(dedupe_key=dedupe_key)
            woken = OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.SKIPPED).update(
                status=MessageStatus.PENDING, sent_at=None, not_before=not_before, payload=payload
            )
            if not woken:
                return message
            message.refresh_from_db()
    # Enqueued only if the transaction commits; if the enqueue itself fails, the sweep delivers it.
    transaction.on_commit(lambda: _enqueue(message.pk, message.not_before), robust=True)
    return message


def _enqueue(message_id: int, not_before: datetime | None) -> None:
    task = outbox_deliver_task.using(run_after=not_before) if not_before is not None else outbox_deliver_task
    task.enqueue(message_id=message_id)
