"""``manage.py smart_poll [--every SECONDS]``: poll the clinics' saved SMART feeds that are due."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from interop.polling import feeds_poll_due


class Command(BaseCommand):
    help = "Import the clinics' saved SMART Scheduling Links feeds that are due (at most once a minute each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: once and exit).")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            count = feeds_poll_due(now=timezone.now())
            if count or options["verbosity"] > 1:
                self.stdout.write(f"feeds: polled {count}")
            if every <= 0:
                return
            time.sleep(every)
