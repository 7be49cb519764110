"""Background tasks (django-tasks): thin callers of notifications.services."""

from __future__ import annotations

from django_tasks import task

from notifications.services import outbox_deliver


@task()
def outbox_deliver_task(*, message_id: int) -> bool:
    return outbox_deliver(message_id=message_id)
