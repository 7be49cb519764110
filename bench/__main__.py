"""``python -m bench``: see the package docstring."""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.databases import RESULTS, ROOT, is_postgres, scratch_database

TOPICS = sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))
# Topics whose figures do not depend on the network's size: run at the first size only.
ONCE = {"bigclinic", "booking", "scaleout", "series", "waitlist"}
# Topics whose p95 at the largest size is compared with the smallest's (target: at most 1.3x).
COMPARED = {"availability", "search"}
# bench_bigclinic.PARTS (not imported: that module needs Django set up).
BIGCLINIC_PARTS = ("availability", "refusal", "settle", "schedule")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="10000,50000", help="network sizes in clinics, comma-separated")
    parser.add_argument("--only", default="", help=f"topics to run, comma-separated (of {', '.join(TOPICS)})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached demo databases")
    parser.add_argument(
        "--one-pass",
        action="store_true",
        help="measure the compared topics once per size (by default twice: the sizes in order, then reversed)",
    )
    parser.add_argument(
        "--practitioners", type=int, default=1000, help="practitioners of the bigclinic topic's clinic (1,000)"
    )
    parser.add_argument(
        "--http-port", default=os.environ.get("BENCH_HTTP_PORT", ""), help="port of the HTTP benches (a free one)"
    )
    parser.add_argument(
        "--parts",
        default="",
        help="bigclinic parts to run, comma-separated (of availability, refusal, settle, schedule; all by default)",
    )
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
    if args.practitioners < 1:
        parser.error("--practitioners needs 1 or more")
    try:
        http_port(args.http_port)
    except ValueError as exc:
        parser.error(str(exc))
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    if unknown_parts := sorted(set(parts) - set(BIGCLINIC_PARTS)):
        parser.error(f"unknown part(s) {', '.join(unknown_parts)}: there are {', '.join(BIGCLINIC_PARTS)}")
    extra_env = {
        "BENCH_PRACTITIONERS": str(args.practitioners),
        "BENCH_HTTP_PORT": args.http_port,
        "BENCH_PARTS": ",".join(parts),
    }

    engine = "PostgreSQL" if is_postgres(os.environ.get("DATABASE_URL", "")) else "SQLite"
    report: dict[str, object] = {"engine": engine, "at": datetime.now(UTC).isoformat(), "sizes": {}}
    status = 0
    by_size: dict[int, dict[str, list[dict]]] = {}
    for n, clinics in enumerate(sizes):
        here = [topic for topic in topics if n == 0 or topic not in ONCE]
        if not here:
            continue
        began = time.perf_counter()
        with scratch_database(clinics=clinics, seed=args.seed, rebuild=args.rebuild) as url:
            results, code = _run_child(url, clinics=clinics, topics=here, env=extra_env)
        status = status or code
        by_size[clinics] = results
        report["sizes"][str(clinics)] = results  # type: ignore[index]
        _print_table(f"{clinics:,} clinics, {engine} ({time.perf_counter() - began:.0f} s with the build)", results)
    again = [topic for topic in topics if topic in COMPARED]
    if len(by_size) > 1 and again and not args.one_pass:
        # The sizes again in reverse (10k, 50k, then 50k, 10k): a machine that gets busier or quieter during the
        # run weighs on both sizes alike, where one pass in order charged the drift to the larger size.
        for clinics in reversed(sizes):
            with scratch_database(clinics=clinics, seed=args.seed, rebuild=False) as url:
                results, code = _run_child(url, clinics=clinics, topics=again, env=extra_env)
            status = status or code
            _print_table(f"{clinics:,} clinics, {engine}, second pass", results)
            by_size[clinics] = pooled(by_size[clinics], results)
            report["sizes"][str(clinics)] = by_size[clinics]  # type: ignore[index]
    if len(by_size) > 1:
        small, large = min(by_size), max(by_size)
        ratios = size_ratios(by_size[small], by_size[large])
        report["ratios"] = ratios
        passes = "one pass" if args.one_pass or not again else "both passes' samples"
        _print_ratios(f"p95 at {large:,} clinics / p95 at {small:,} (target <= 1.3x), {engine}, {passes}", ratios)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"latest-{engine.lower()}.json").write_text(json.dumps(report, indent=1))
    return status


def http_port(value: str | None) -> int:
    """The HTTP benches' port: ``value`` (BENCH_HTTP_PORT or --http-port) when given, else a free one now."""
    if value is None or not value.strip():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])
    text = value.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"the HTTP port must be a whole number from 1 to 65535, not {value!r}")
    return int(text)


def pooled(first: dict[str, list[dict]], second: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """``first``'s figures, each with the samples of the figure of the same key in ``second`` added."""
    merged: dict[str, list[dict]] = {}
    for topic, figures in first.items():
        again = {figure.get("key", figure["label"]): figure for figure in second.get(topic, [])}
        merged[topic] = []
        for figure in figures:
            other = again.get(figure.get("key", figure["label"]))
            if figure.get("samples_ms") and other is not None and other.get("samples_ms"):
                figure = {**figure, "samples_ms": [*figure["samples_ms"], *other["samples_ms"]]}
            merged[topic].append(figure)
    return merged


def size_ratios(small: dict[str, list[dict]], large: dict[str, list[dict]]) -> list[dict[str, object]]:
    """For each figure with samples in a compared topic at both sizes: both p95 and large / small."""
    found = []
    for topic in sorted(COMPARED & small.keys() & large.keys()):
        at_large = {figure.get("key", figure["label"]): figure for figure in large[topic] if figure.get("samples_ms")}
        for figure in small[topic]:
            other = at_large.get(figure.get("key", figure["label"]))
            if not figure.get("samples_ms") or other is None:
                continue
            p95_small, p95_large = summarize(figure["samples_ms"])[2], summarize(other["samples_ms"])[2]
            found.append(
                {
                    "topic": topic,
                    "label": figure.get("key", figure["label"]),
                    "p95_small_ms": p95_small,
                    "p95_large_ms": p95_large,
                    "ratio": p95_large / p95_small if p95_small else float("inf"),
                }
            )
    return found


def _print_ratios(title: str, ratios: list[dict[str, object]]) -> None:
    print(f"\n== {title} ==")
    width = max((len(str(r["label"])) for r in ratios), default=10)
    for r in ratios:
        print(
            f"{r['topic']:<12}  {str(r['label']).ljust(width)}  {r['p95_small_ms']:>8.2f} -> "
            f"{r['p95_large_ms']:>8.2f} ms  {r['ratio']:.2f}x"
        )
    print(flush=True)


def _run_child(
    url: str, *, clinics: int, topics: list[str], env: dict[str, str] | None = None
) -> tuple[dict[str, list[dict]], int]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "results.json"
        env = {
            **os.environ,
            **(env or {}),
            "DATABASE_URL": url,
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "painhero.settings",
        }
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
