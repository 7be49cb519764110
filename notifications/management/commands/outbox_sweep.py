"""Deliver undelivered outbox rows: once, or every --every seconds (run beside `manage.py db_worker`)."""

from __future__ import annotations

from typing import Any

from notifications.rounds import Round, RoundsCommand
from notifications.services import outbox_sweep


class Command(RoundsCommand):
    help = "Deliver outbox messages that no task delivered (a safety net for the db_worker)."

    def one_round(self, **options: Any) -> Round:
        sent = outbox_sweep()
        return Round(sent, f"outbox: sent {sent}")
