"""Run benchmark modules inside one Django process: ``python -m bench.child --clinics N --out FILE [topic ...]``.

The runner starts this with DATABASE_URL pointing at a scratch copy of the demo
database; the figures go to FILE as JSON, so whatever the modules print is free-form.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clinics", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("topics", nargs="+")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painhero.settings")
    import django

    django.setup()

    results: dict[str, list[dict]] = {}
    failed = False
    if {"search", "http"} & set(args.topics) and not os.environ.get("BENCH_NO_PRUNE"):
        # The state a deployed worker keeps (``refresh_availability`` every minute): no cached time past its
        # notice. Without it a search's cost depended on how long ago the cached network was built (BENCH_NO_PRUNE=1
        # measures that).
        from django.utils import timezone

        from scheduling.cache import next_open_times_prune

        started = time.perf_counter()
        pruned = next_open_times_prune(now=timezone.now())
        took = time.perf_counter() - started
        print(f"  the worker's round: deleted {pruned:,} next openings past their notice in {took:.1f} s", flush=True)
    for topic in args.topics:
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.bench_{topic}")
            figures = list(module.run(clinics=args.clinics))
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            figures = [{"label": "FAILED (traceback above)", "value": "error"}]
            failed = True
        figures.append({"label": "(wall time of this module)", "value": f"{time.perf_counter() - started:.1f} s"})
        results[topic] = figures
    args.out.write_text(json.dumps(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
