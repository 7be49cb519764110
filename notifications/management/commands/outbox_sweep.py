"""Deliver undelivered outbox rows: once, or every --every seconds (run beside `manage.py db_worker`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications.services import outbox_sweep


class Command(BaseCommand):
    help = "Deliver outbox messages that no task delivered (a safety net for the db_worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once and exit).")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            sent = outbox_sweep()
            if sent or options["verbosity"] > 1:
                self.stdout.write(f"outbox: sent {sent}")
            if every <= 0:
                return
            time.sleep(every)
