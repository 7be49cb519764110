"""Worker heartbeats and the reclaim of tasks left RUNNING by a worker that died (notifications/worker.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications.models import WorkerHeartbeat
from notifications.tasks import outbox_deliver_task
from notifications.worker import (
    MAX_ATTEMPTS,
    task_claims_reclaim,
    worker_alive,
    worker_heartbeat_beat,
)

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _running(worker_ids: list[str], *, started: datetime) -> DBTaskResult:
    """A task as django-tasks-db leaves it once a worker has claimed it."""
    result = outbox_deliver_task.enqueue(message_id=0)  # no such message: a quick no-op
    row = DBTaskResult.objects.get(pk=result.id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=worker_ids
    )
    row.refresh_from_db()
    return row


def test_a_task_left_running_by_a_worker_that_stopped_beating_is_queued_again(clock: Any) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="dead", started_at=NOW - timedelta(hours=1), beat_at=NOW - timedelta(minutes=5)
    )
    row = _running(["dead"], started=NOW - timedelta(minutes=5))

    reclaimed = task_claims_reclaim(now=NOW)

    row.refresh_from_db()
    assert (reclaimed.requeued, reclaimed.failed) == (1, 0)
    assert row.status == TaskResultStatus.READY
    assert row.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=row.pk).exists()


def test_a_task_whose_worker_still_beats_is_left_running(clock: Any) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="alive", started_at=NOW - timedelta(hours=1), beat_at=NOW - timedelta(seconds=5)
    )
    row = _running(["alive"], started=NOW - timedelta(minutes=20))

    assert task_claims_reclaim(now=NOW).requeued == 0

    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_a_task_that_lost_its_worker_too_many_times_is_failed_not_retried_forever(clock: Any) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="w3", started_at=NOW - timedelta(hours=1), beat_at=NOW - timedelta(minutes=5)
    )
    row = _running([f"w{n}" for n in range(1, MAX_ATTEMPTS + 1)], started=NOW - timedelta(minutes=5))

    reclaimed = task_claims_reclaim(now=NOW)

    row.refresh_from_db()
    assert (reclaimed.requeued, reclaimed.failed) == (0, 1)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "notifications.worker.WorkerLost"
    assert row.finished_at == NOW


def test_a_task_claimed_by_a_worker_without_heartbeat_is_reclaimed_only_after_half_an_hour(clock: Any) -> None:
    recent = _running(["plain-db-worker"], started=NOW - timedelta(minutes=10))
    old = _running(["plain-db-worker"], started=NOW - timedelta(minutes=31))

    assert task_claims_reclaim(now=NOW).requeued == 1

    recent.refresh_from_db()
    old.refresh_from_db()
    assert recent.status == TaskResultStatus.RUNNING
    assert old.status == TaskResultStatus.READY


def test_a_worker_is_alive_while_its_heartbeat_is_under_a_minute_old(clock: Any) -> None:
    assert worker_alive(now=NOW) is None
    worker_heartbeat_beat(worker_id="w", now=NOW - timedelta(seconds=30))
    assert worker_alive(now=NOW) == NOW - timedelta(seconds=30)
    worker_heartbeat_beat(worker_id="w", now=NOW - timedelta(seconds=90))
    assert worker_alive(now=NOW) is None
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_task_worker_runs_queued_tasks_and_forgets_its_heartbeat_when_it_stops(clock: Any) -> None:
    # transaction=True: the worker commits, closes connections and beats from a thread, as in production.
    result = outbox_deliver_task.enqueue(message_id=0)  # no such message: a quick no-op

    call_command("task_worker", "--batch", "--no-startup-delay", "--worker-id", "test-worker", verbosity=0)

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["test-worker"]
    assert not WorkerHeartbeat.objects.filter(worker_id="test-worker").exists()
