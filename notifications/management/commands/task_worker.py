"""``manage.py task_worker``: django-tasks-db's ``db_worker``, plus a heartbeat, the reclaim of tasks lost
with a dead worker, and patience with a database that is down (see notifications/worker.py).

Same options as ``db_worker``; ``--reclaim-every`` sets how often this worker sweeps for lost tasks.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from notifications.worker import BEAT_EVERY, task_claims_reclaim, worker_heartbeat_beat, worker_heartbeat_end

logger = logging.getLogger("notifications.worker")

# Waits between attempts while the database is unreachable: 1, 2, 4 ... up to 30 seconds.
OUTAGE_BACKOFF_MAX = 30.0


class HeartbeatWorker(Worker):
    def __init__(self, *, reclaim_every: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reclaim_every = reclaim_every
        self._stop = threading.Event()
        self._last_reclaim = 0.0

    def _beat_forever(self) -> None:
        """In a thread of its own, so a long task does not make this worker look dead."""
        failing = False
        try:
            while not self._stop.is_set():
                try:
                    worker_heartbeat_beat(worker_id=self.worker_id, now=timezone.now())
                    if self.reclaim_every and time.monotonic() - self._last_reclaim >= self.reclaim_every:
                        self._last_reclaim = time.monotonic()
                        task_claims_reclaim(now=timezone.now())
                    failing = False
                except DatabaseError as exc:
                    if not failing:
                        logger.warning("worker heartbeat: database unavailable (%s)", type(exc).__name__)
                    failing = True
                    close_old_connections()
                self._stop.wait(BEAT_EVERY.total_seconds())
        finally:
            connection.close()

    def run(self) -> None:
        beater = threading.Thread(target=self._beat_forever, name="heartbeat", daemon=True)
        beater.start()
        backoff = 1.0
        try:
            while self.running:
                try:
                    super().run()
                    return
                except (OperationalError, InterfaceError) as exc:
                    # Down at start or lost on the way: wait and try again rather than exit.
                    logger.warning("worker: database unavailable (%s), retrying in %.0fs", type(exc).__name__, backoff)
                    close_old_connections()
                    time.sleep(backoff)
                    backoff = min(backoff * 2, OUTAGE_BACKOFF_MAX)
        finally:
            self._stop.set()
            beater.join(timeout=5)
            with contextlib.suppress(DatabaseError):
                worker_heartbeat_end(worker_id=self.worker_id)


class Command(DbWorkerCommand):
    help = "Run the background worker (db_worker with a heartbeat and the reclaim of lost tasks)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--reclaim-every",
            type=float,
            default=30.0,
            help="Seconds between sweeps for tasks left RUNNING by a dead worker (0: never).",
        )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,  # db_worker's autoreload: not offered here
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        worker = HeartbeatWorker(
            reclaim_every=float(options["reclaim_every"]),  # our own option, so not among db_worker's parameters
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
