"""Bookings per second from 1, 2 and 4 web processes (gunicorn workers) on one PostgreSQL, zero overlaps.

``run(clinics=...)`` makes four clinics of eight practitioners (working every day), starts gunicorn with
1, then 2, then 4 sync workers, and has 16 HTTP clients book random half hours through
``POST /api/v1/appointments`` for a few seconds each (``BENCH_SCALEOUT_SECONDS``, 8): collisions included,
so some answers are 409. Each run books its own week, so the runs do the same work. At the end it counts
overlapping appointment pairs with SQL (must be 0) and deletes everything it made.

On SQLite it is skipped with the reason: one writer at a time, whatever the number of processes.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

# Everything this benchmark asks of the project, in one place (other branches move code around).
from bench import server
from bench.bench_booking import overlapping_pairs, teardown

BOOK = "/api/v1/appointments"
WORKERS = (1, 2, 4)
CLIENTS = 16
BENCH_CLINICS = 4
PRACTITIONERS = 8
SECONDS = float(os.environ.get("BENCH_SCALEOUT_SECONDS", "8"))
DAYS_PER_RUN = 7


def _setup() -> tuple[Any, list[Any], Any]:
    from clinics.testing import make_city, make_clinic, make_practitioner, make_service
    from scheduling.models import WorkingHours

    tag = time.time_ns()
    city = make_city(slug=f"bench-scale-{tag}")
    clinic = make_clinic(city=city, slug=f"bench-scale-{tag}", name="Bench scale-out clinic")
    people = [make_practitioner(clinic=clinic) for _ in range(PRACTITIONERS)]
    service = make_service(clinic=clinic, practitioners=people, duration_minutes=30)
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=p, weekday=d, start_time=clock(8), end_time=clock(18), valid_from=date(2020, 1, 1))
        for p in people
        for d in range(7)
    )
    return clinic, people, service


def _starts(zone: ZoneInfo, *, first_day: int) -> list[str]:
    today = datetime.now(zone).date()
    return [
        (
            datetime.combine(today + timedelta(days=first_day + d), clock(8), tzinfo=zone) + timedelta(minutes=30 * k)
        ).isoformat()
        for d in range(DAYS_PER_RUN)
        for k in range(20)
    ]


def _load(base: str, offers: list[tuple[int, int]], starts: list[str]) -> tuple[dict[int, int], float]:
    """CLIENTS threads post bookings for SECONDS: answers by status, and the seconds it took."""
    parts = urlsplit(base)
    counts: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)
    deadline = [0.0]

    def client(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        mine: dict[int, int] = {}
        barrier.wait()
        try:
            n = 0
            while time.perf_counter() < deadline[0]:
                practitioner_id, service_id = rng.choice(offers)
                body = {
                    "practitioner_id": practitioner_id,
                    "service_id": service_id,
                    "start": rng.choice(starts),
                    "patient": {
                        "name": f"Bench {seed}-{n}",
                        "email": f"bench{seed}x{n}@example.com",
                        "phone": "+14165550123",
                    },
                }
                headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
                try:
                    connection.request("POST", BOOK, body=json.dumps(body), headers=headers)
                    answer = connection.getresponse()
                    answer.read()
                    status = answer.status
                except (OSError, http.client.HTTPException):
                    connection.close()
                    status = 0
                mine[status] = mine.get(status, 0) + 1
                n += 1
        finally:
            connection.close()
            with lock:
                for status, count in mine.items():
                    counts[status] = counts.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + SECONDS
    began = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return counts, time.perf_counter() - began


def run(*, clinics: int) -> list[dict[str, Any]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        reason = "skipped: SQLite lets one process write at a time (run with DATABASE_URL=postgres://...)"
        print(f"scaleout: {reason}")
        return [{"label": "bookings/s from 1, 2 and 4 web processes", "value": reason}]
    if server.gunicorn_path() is None:
        return [{"label": "bookings/s from 1, 2 and 4 web processes", "value": "skipped: no gunicorn"}]
    setups = [_setup() for _ in range(BENCH_CLINICS)]
    zone = ZoneInfo(setups[0][0].time_zone)
    offers = [(p.pk, service.pk) for _clinic, people, service in setups for p in people]
    figures: list[dict[str, Any]] = []
    rates: dict[int, float] = {}
    try:
        for n, workers in enumerate(WORKERS):
            starts = _starts(zone, first_day=2 + n * DAYS_PER_RUN)
            with server.gunicorn(workers=workers) as base:
                # What the run had of the machine: on 2 cores the web processes, PostgreSQL, these clients and
                # whatever else runs share the CPU, and a saturated machine caps the rate whatever the processes.
                web = f"--bind {urlsplit(base).netloc} "
                machine, web_cpu = server.cpu_jiffies(), server.processes_cpu_seconds(web)
                counts, seconds = _load(base, offers, starts)
                busy = server.busy_share(machine, server.cpu_jiffies())
                web_cpu = server.processes_cpu_seconds(web) - web_cpu
            booked = counts.get(201, 0)
            rates[workers] = booked / seconds
            told = ", ".join(f"{count} x {status or 'no answer'}" for status, count in sorted(counts.items()))
            answered = sum(count for status, count in counts.items() if status)
            use = f"machine {busy:.0%} busy" if busy is not None else "machine use unknown"
            use += f", web processes {1000 * web_cpu / max(answered, 1):.1f} ms CPU an answer"
            figures.append(
                {
                    "label": f"bookings/s, {workers} web process{'es' if workers > 1 else ''}, {CLIENTS} HTTP clients",
                    "key": f"scaleout-{workers}",
                    "value": f"{rates[workers]:.0f} bookings/s ({told} in {seconds:.1f} s; {use})",
                }
            )
        base_rate = rates[WORKERS[0]] or float("nan")
        figures.append(
            {
                "label": "bookings/s relative to one process",
                "value": ", ".join(f"{w}: {rates[w] / base_rate:.2f}x" for w in WORKERS)
                + f" (load average {server.load_average()} on {os.cpu_count()} cores)",
            }
        )
        pairs = overlapping_pairs([c.pk for c, _p, _s in setups])
        figures.append(
            {"label": "scale-out: overlapping appointment pairs afterwards (must be 0)", "value": str(pairs)}
        )
        if pairs:
            raise AssertionError(f"{pairs} overlapping appointment pairs: the no-double-booking guarantee failed")
    finally:
        for setup in setups:
            teardown(setup[0])
    return figures
