"""``python -m bench``: see the package docstring."""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.databases import RESULTS, ROOT, is_postgres, scratch_database

TOPICS = sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="10000,50000", help="network sizes in clinics, comma-separated")
    parser.add_argument("--only", default="", help=f"topics to run, comma-separated (of {', '.join(TOPICS)})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached demo databases")
    args = parser.parse_args()

    try:
        sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs at least one size of 1 or more")
    topics = [t.strip() for t in args.only.split(",") if t.strip()] or TOPICS
    if unknown := sorted(set(topics) - set(TOPICS)):
        parser.error(f"unknown topic(s) {', '.join(unknown)}: there are {', '.join(TOPICS)}")

    engine = "PostgreSQL" if is_postgres(os.environ.get("DATABASE_URL", "")) else "SQLite"
    report: dict[str, object] = {"engine": engine, "at": datetime.now(UTC).isoformat(), "sizes": {}}
    status = 0
    for clinics in sizes:
        with scratch_database(clinics=clinics, seed=args.seed, rebuild=args.rebuild) as url:
            results, code = _run_child(url, clinics=clinics, topics=topics)
        status = status or code
        report["sizes"][str(clinics)] = results  # type: ignore[index]
        _print_table(f"{clinics:,} clinics, {engine}", results)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"latest-{engine.lower()}.json").write_text(json.dumps(report, indent=1))
    return status


def _run_child(url: str, *, clinics: int, topics: list[str]) -> tuple[dict[str, list[dict]], int]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "results.json"
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "painhero.settings"}
        command = [sys.executable, "-m", "bench.child", "--clinics", str(clinics), "--out", str(out), *topics]
        code = subprocess.run(command, env=env, cwd=ROOT, check=False).returncode  # noqa: S603 (our own argv)
        if not out.exists():
            return {"runner": [{"label": "the benchmark process crashed", "value": f"exit {code}"}]}, code or 1
        return json.loads(out.read_text()), code


def summarize(samples: list[float]) -> tuple[int, float, float, float]:
    """n, median, p95 (nearest rank) and max of a list of milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return len(ordered), statistics.median(ordered), p95, ordered[-1]


def _print_table(title: str, results: dict[str, list[dict]]) -> None:
    rows = [("topic", "figure", "n", "median ms", "p95 ms", "max ms")]
    for topic, figures in results.items():
        for figure in figures:
            if figure.get("samples_ms"):
                n, median, p95, top = summarize(figure["samples_ms"])
                rows.append((topic, figure["label"], str(n), f"{median:.2f}", f"{p95:.2f}", f"{top:.2f}"))
            else:
                rows.append((topic, f"{figure['label']}: {figure.get('value', '')}", "", "", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(f"\n== {title} ==")
    for i, row in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(w) if j < 2 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(flush=True)


if __name__ == "__main__":
    sys.exit(main())
