"""The SMART Scheduling Links feed: what a 304 costs, the Location and Schedule files of the whole network, and
the Slot files (the open-times engine for every clinic, 14 days): timed on a sample of clinics and scaled to
the network, or all of it with BENCH_FEED_ALL=1 (minutes at 10,000 clinics). Reads only.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from typing import Any

SAMPLE = 100
VERSION_SAMPLES = 30


def _drain(lines: Any) -> tuple[float, int, int]:
    """Seconds to make every line, how many, and their bytes."""
    started, count, size = time.perf_counter(), 0, 0
    for line in lines:
        count += 1
        size += len(line)
    return time.perf_counter() - started, count, size


def run(*, clinics: int) -> list[dict[str, Any]]:
    from django.utils import timezone

    from interop import feed

    now = timezone.now()
    moment = feed.feed_moment(now=now)
    figures: list[dict[str, Any]] = []
    samples = []
    for _ in range(VERSION_SAMPLES):
        started = time.perf_counter()
        feed.feed_moment(now=now)
        samples.append((time.perf_counter() - started) * 1000)
    figures.append({"label": "feed version (every file's ETag: all a 304 costs)", "samples_ms": samples})
    for name, made in (("Location", feed.location_lines()), ("Schedule", feed.schedule_lines())):
        seconds, count, size = _drain(made)
        figures.append(
            {"label": f"{name} file, whole network", "value": f"{seconds:.2f} s, {count:,} lines, {size / 1e6:.1f} MB"}
        )

    ids = list(feed.feed_clinics().values_list("pk", flat=True))
    if not ids:
        return [*figures, {"label": "no clinic in the network", "value": "skipped"}]
    if os.environ.get("BENCH_FEED_ALL"):
        total = [0.0, 0, 0]
        for province in feed.feed_provinces():
            seconds, count, size = _drain(feed.slot_lines(now=moment.at, province=province))
            total = [total[0] + seconds, total[1] + count, total[2] + size]
        figures.append(
            {
                "label": f"every Slot file, whole network ({len(ids):,} clinics, 14 days)",
                "value": f"{total[0]:.1f} s, {total[1]:,} lines, {total[2] / 1e9:.2f} GB",
            }
        )
        return figures
    picked = random.Random(1).sample(ids, min(SAMPLE, len(ids)))
    per_clinic, lines, size = [], 0, 0
    for pk in picked:
        seconds, count, bytes_ = _drain(feed.slot_lines(now=moment.at, clinics=feed.feed_clinics().filter(pk=pk)))
        per_clinic.append(seconds * 1000)
        lines, size = lines + count, size + bytes_
    figures.append({"label": f"one clinic's Slots, 14 days ({len(picked)} random clinics)", "samples_ms": per_clinic})
    scale = len(ids) / len(picked)
    figures.append(
        {
            "label": f"every Slot file, whole network ({len(ids):,} clinics), scaled from the sample",
            "value": f"~{statistics.fmean(per_clinic) * len(ids) / 1000:.0f} s on one core, "
            f"~{lines * scale / 1e6:.1f} M lines, ~{size * scale / 1e9:.2f} GB",
        }
    )
    return figures
