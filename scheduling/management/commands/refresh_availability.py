"""Top up precomputed next openings and delete those past their notice: once, or every --every seconds (run beside
`manage.py db_worker`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from scheduling.cache import next_open_times_prune, next_open_times_top_up, refresh_all


class Command(BaseCommand):
    help = (
        "Recompute the next openings of clinics whose cached times are running out or old (time passing, "
        "lapsed holds), and of clinics never computed; delete cached times whose notice has passed. --all recomputes "
        "every clinic."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once and exit).")
        parser.add_argument("--all", action="store_true", help="Recompute every clinic, fresh or not.")
        parser.add_argument("--batch", type=int, default=500, help="At most this many clinics per round.")

    def handle(self, *args: Any, every: int, all: bool, batch: int, **options: Any) -> None:
        if all:
            rows = refresh_all(now=timezone.now(), progress=options["verbosity"] > 0)
            self.stdout.write(f"availability: recomputed every clinic ({rows} next openings)")
            return
        while True:
            # Rows past their notice first: the top-up then recomputes on a table without them.
            pruned = next_open_times_prune(now=timezone.now())
            count = next_open_times_top_up(now=timezone.now(), batch=batch)
            if count or pruned or options["verbosity"] > 1:
                self.stdout.write(f"availability: topped up {count} clinics, deleted {pruned} times past their notice")
            if every <= 0:
                return
            # A full batch means more are waiting: go again at once.
            if count < batch:
                time.sleep(every)
