"""Writing to the outbox, inside the transaction of the change a message announces.

Apart from ``services`` (delivery) so that imports run one way: outbox -> tasks -> services. The delivery task
calls the services; writing a message enqueues that task.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from notifications.models import OutboxMessage
from notifications.tasks import outbox_deliver_task


def outbox_put(*, kind: str, payload: dict[str, Any], now: datetime) -> OutboxMessage:
    """Add a message to the outbox; call inside the transaction of the change it announces."""
    message = OutboxMessage.objects.create(kind=kind, payload=payload, created_at=now)
    # Enqueued only if the transaction commits; if the enqueue itself fails, the sweep delivers it.
    transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    return message


def _enqueue(message_id: int) -> None:
    outbox_deliver_task.enqueue(message_id=message_id)
