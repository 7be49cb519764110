"""``manage.py smart_publish [--every SECONDS]``: write the SMART feed's files that changed to storage."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from interop.feed_store import feed_files_publish
from notifications.rounds import Round, RoundsCommand


class Command(RoundsCommand):
    help = "Write each $bulk-publish NDJSON file whose data changed (or that is getting old) to storage, once."

    def one_round(self, **options: Any) -> Round:
        written = feed_files_publish(now=timezone.now())
        size = sum(row.size for row in written)
        return Round(len(written), f"feed files: wrote {len(written)} ({size / 1e6:.1f} MB)")
