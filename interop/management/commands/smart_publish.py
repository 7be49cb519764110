"""``manage.py smart_publish [--every SECONDS]``: write the SMART feed's files that changed to storage."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from interop.feed_store import feed_files_publish


class Command(BaseCommand):
    help = "Write each $bulk-publish NDJSON file whose data changed (or that is getting old) to storage, once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: once and exit).")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            written = feed_files_publish(now=timezone.now())
            if written or options["verbosity"] > 1:
                size = sum(row.size for row in written)
                self.stdout.write(f"feed files: wrote {len(written)} ({size / 1e6:.1f} MB)")
            if every <= 0:
                return
            time.sleep(every)
