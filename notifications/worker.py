"""Keeping background work alive: worker heartbeats, and reclaiming the tasks a dead worker held.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again; a worker
killed mid-task (kill -9, out of memory, a lost machine) leaves the row RUNNING forever. So each
``manage.py task_worker`` beats a heartbeat row every ``BEAT_EVERY`` while it lives, and every worker
sweeps, now and then, for RUNNING rows whose worker has not beaten for ``STALE_AFTER``:

- fewer than ``MAX_ATTEMPTS`` claims so far: back to READY, for any worker to run again (our tasks are
  safe to repeat: the outbox claims each message, availability top-ups recompute);
- otherwise FAILED, with ``WorkerLost`` as the error, so a task that kills its worker cannot loop.

A row claimed by a worker that never beat (a plain ``db_worker``) is reclaimed only after
``UNKNOWN_WORKER_AFTER``, long enough for any task of ours to have finished.

The readiness check (``/readyz``) reads ``worker_alive``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BEAT_EVERY = timedelta(seconds=10)
STALE_AFTER = timedelta(seconds=60)
UNKNOWN_WORKER_AFTER = timedelta(minutes=30)
MAX_ATTEMPTS = 3
FORGET_AFTER = timedelta(days=1)


class WorkerLost(Exception):
    """Recorded on a task whose worker died under it once too often."""


@dataclass(frozen=True)
class Reclaimed:
    requeued: int = 0
    failed: int = 0


def worker_heartbeat_beat(*, worker_id: str, now: datetime) -> None:
    """Record that this worker is alive (one row per worker, rewritten in place)."""
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(worker_id=worker_id, defaults={"started_at": now, "beat_at": now})


def worker_heartbeat_end(*, worker_id: str) -> None:
    """A worker stopping cleanly says so: it no longer counts as alive."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_alive(*, now: datetime) -> datetime | None:
    """The latest heartbeat if some worker beat within STALE_AFTER, else None."""
    latest = WorkerHeartbeat.objects.filter(beat_at__gte=now - STALE_AFTER).order_by("-beat_at").first()
    return latest.beat_at if latest else None


def task_claims_reclaim(*, now: datetime, max_attempts: int = MAX_ATTEMPTS) -> Reclaimed:
    """Re-queue (or fail, after ``max_attempts`` claims) RUNNING tasks whose worker is gone."""
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=now - STALE_AFTER).values_list("worker_id", flat=True))
    known = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    requeued = failed = 0
    for row in DBTaskResult.objects.running().filter(started_at__lt=now - STALE_AFTER).iterator():
        worker_id = row.worker_ids[-1] if row.worker_ids else ""
        if worker_id in alive:
            continue
        if worker_id not in known and row.started_at >= now - UNKNOWN_WORKER_AFTER:
            continue
        # Conditional on the claim we looked at: a worker that claims the row again meanwhile wins.
        same_claim = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)
        with transaction.atomic():
            if len(row.worker_ids) >= max_attempts:
                done = same_claim.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                    traceback=f"WorkerLost: worker {worker_id or '?'} stopped while running this task "
                    f"({len(row.worker_ids)} attempts)",
                )
                failed += done
            else:
                requeued += same_claim.update(status=TaskResultStatus.READY, started_at=None)
    if requeued or failed:
        # The task path and id only: a task's arguments are identifiers, but they stay out of logs anyway.
        logger.warning("reclaimed tasks of lost workers: %s re-queued, %s failed", requeued, failed)
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).filter(~Q(worker_id__in=alive)).delete()
    return Reclaimed(requeued=requeued, failed=failed)
