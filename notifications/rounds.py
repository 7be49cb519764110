"""``RoundsCommand``: a management command that does one round of work, once or every ``--every`` seconds.

The workers ``bin/serve`` runs beside the task queue (the outbox sweep, the availability top-up, the SMART feed's
publishing and polling) are each such a loop; the loop, its option and its connection handling live here once.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections


class Round(NamedTuple):
    """What one round did: how much (``done``), the line that says so, and whether more is already waiting (a full
    batch), so the next round starts without sleeping."""

    done: int
    line: str
    more_waiting: bool = False


class RoundsCommand(BaseCommand):
    """Subclasses implement ``one_round``; ``add_arguments`` adds ``--every`` (call ``super()`` when overriding)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once and exit).")

    def one_round(self, **options: Any) -> Round:
        """Do one round. Its line is printed when something was done, or always at ``--verbosity 2``."""
        raise NotImplementedError

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            done = self.one_round(**options)
            if done.done or options["verbosity"] > 1:
                self.stdout.write(done.line)
                # At once, not when a buffer fills: under bin/serve or systemd stdout is a pipe, and a loop that
                # does a little each minute would otherwise show nothing for hours.
                self.stdout.flush()
            if every <= 0:
                return
            if not done.more_waiting:
                time.sleep(every)
            _close_old_connections()


def _close_old_connections() -> None:
    """Close a connection broken while the loop slept (the database restarted) or past CONN_MAX_AGE, so the next
    round opens a new one instead of failing on it for as long as the loop runs (what Django does between
    requests). Never one inside a transaction: a caller's (a test's) is left alone."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
