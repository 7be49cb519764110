"""``manage.py smart_poll [--every SECONDS]``: poll the clinics' saved SMART feeds that are due."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from interop.polling import feeds_poll_due
from notifications.rounds import Round, RoundsCommand


class Command(RoundsCommand):
    help = "Import the clinics' saved SMART Scheduling Links feeds that are due (at most once a minute each)."

    def one_round(self, **options: Any) -> Round:
        count = feeds_poll_due(now=timezone.now())
        return Round(count, f"feeds: polled {count}")
