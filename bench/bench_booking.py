"""Booking benchmark: in-process booking latency, and on PostgreSQL sustained bookings from 16 clients.

``run(clinics=...)`` works on the configured database. It makes four clinics of its own (four
practitioners each, working every day), books into them, counts overlapping pairs with SQL
afterwards (it must be 0), and deletes everything it made. The sustained run spreads its 16
clients over the four clinics, picking random times so that many requests collide. The size of
the network does not matter to booking (its cost depends on one practitioner's day), so
``clinics`` is accepted for the runner and otherwise unused.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

PRACTITIONERS = 4
BENCH_CLINICS = 4
CLIENTS = 16
SUSTAIN_SECONDS = 5.0
LATENCY_SAMPLES = 200


def _setup() -> Any:
    from clinics.testing import make_city, make_clinic, make_practitioner, make_service
    from scheduling.models import WorkingHours

    tag = time.time_ns()
    city = make_city(slug=f"bench-booking-{tag}")
    clinic = make_clinic(city=city, slug=f"bench-booking-{tag}", name="Bench booking clinic")
    practitioners = [make_practitioner(clinic=clinic) for _ in range(PRACTITIONERS)]
    service = make_service(clinic=clinic, practitioners=practitioners, duration_minutes=30)
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=p, weekday=d, start_time=clock(8), end_time=clock(18), valid_from=date(2020, 1, 1))
        for p in practitioners
        for d in range(7)
    )
    return clinic, practitioners, service


def _times(clinic: Any, *, days: int, first_day: int = 1) -> list[datetime]:
    """Every half hour from 08:00 to 17:30, clinic time, on ``days`` days starting ``first_day`` days from now."""
    zone = ZoneInfo(clinic.time_zone)
    today = datetime.now(zone).date()
    return [
        datetime.combine(today + timedelta(days=first_day + d), clock(8, 0), tzinfo=zone) + timedelta(minutes=30 * k)
        for d in range(days)
        for k in range(20)
    ]


def overlapping_pairs(clinic_ids: list[int]) -> int:
    from django.db import connection

    marks = ", ".join(["%s"] * len(clinic_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*) FROM booking_appointment a JOIN booking_appointment b
              ON a.practitioner_id = b.practitioner_id AND a.id < b.id
             AND a.start < b."end" AND b.start < a."end"
             WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.clinic_id IN ({marks})
            """,  # noqa: S608 (placeholders only)
            clinic_ids,
        )
        return int(cursor.fetchone()[0])


def teardown(clinic: Any) -> None:
    from booking.models import Appointment
    from notifications.models import OutboxMessage

    ids = list(Appointment.objects.filter(clinic=clinic).values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        OutboxMessage.objects.filter(payload__appointment_id__in=ids[start : start + 500]).delete()
    Appointment.objects.filter(clinic=clinic).delete()
    city = clinic.city
    clinic.delete()
    city.delete()


def _book(practitioner: Any, service: Any, start: datetime, n: int) -> bool:
    from django.utils import timezone

    from booking.errors import BookingError
    from booking.patients import PatientDetails
    from booking.services import appointment_book

    patient = PatientDetails(name=f"Bench {n}", email=f"bench{n}@example.com", phone="+14165550123")
    try:
        appointment_book(practitioner=practitioner, service=service, start=start, patient=patient, now=timezone.now())
    except BookingError:
        return False
    return True


def _latency(practitioners: list[Any], service: Any, times: list[datetime]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per booking (CPU of this thread: the machine is shared, wall time is noisy)."""
    pairs = [(p, t) for t in times for p in practitioners][:LATENCY_SAMPLES]
    samples, cpu = [], []
    for n, (practitioner, start) in enumerate(pairs):
        began, began_cpu = time.perf_counter(), time.thread_time()
        _book(practitioner, service, start, n)
        samples.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
    return samples, cpu


def _sustained(setups: list[Any], times: list[datetime]) -> tuple[int, int, float]:
    """16 clients book random times (collisions included) for a few seconds; (booked, attempts, seconds)."""
    from django.db import connections

    booked = attempts = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + SUSTAIN_SECONDS
    barrier = threading.Barrier(CLIENTS)

    def client(seed: int) -> None:
        nonlocal booked, attempts
        rng = random.Random(seed)
        _clinic, practitioners, service = setups[seed % len(setups)]
        barrier.wait()
        mine_booked = mine_attempts = 0
        try:
            while time.perf_counter() < deadline:
                ok = _book(rng.choice(practitioners), service, rng.choice(times), seed * 100_000 + mine_attempts)
                mine_attempts += 1
                mine_booked += ok
        finally:
            connections.close_all()
        with lock:
            booked += mine_booked
            attempts += mine_attempts

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return booked, attempts, time.perf_counter() - began


def run(*, clinics: int) -> list[dict[str, Any]]:
    from django.db import connection

    vendor = connection.vendor
    setups = [_setup() for _ in range(BENCH_CLINICS)]
    clinic, practitioners, service = setups[0]
    figures: list[dict[str, Any]] = []
    try:
        samples, cpu = _latency(practitioners, service, _times(clinic, days=3))
        figures.append({"label": f"booking: one appointment, in-process ({vendor})", "samples_ms": samples})
        figures.append({"label": "booking: ... CPU time of this process", "samples_ms": cpu})
        if vendor == "postgresql":
            booked, attempts, seconds = _sustained(setups, _times(clinic, days=20, first_day=4))
            figures.append(
                {
                    "label": f"booking: sustained, {CLIENTS} concurrent clients on {BENCH_CLINICS} clinics ({vendor})",
                    "value": f"{booked / seconds:.0f} bookings/s ({attempts / seconds:.0f} attempts/s, "
                    f"{attempts - booked} refused as taken)",
                }
            )
        pairs = overlapping_pairs([c.pk for c, _p, _s in setups])
        figures.append({"label": "booking: overlapping appointment pairs afterwards (must be 0)", "value": str(pairs)})
        print(f"overlapping appointment pairs: {pairs}")
        if pairs:
            raise AssertionError(f"{pairs} overlapping appointment pairs: the no-double-booking guarantee failed")
    finally:
        for setup in setups:
            teardown(setup[0])
    return figures


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painhero.settings")
    django.setup()
    for figure in run(clinics=0):
        if "samples_ms" in figure:
            ordered = sorted(figure["samples_ms"])
            p95 = ordered[int(len(ordered) * 0.95) - 1]
            print(f"{figure['label']}: p50 {ordered[len(ordered) // 2]:.1f} ms, p95 {p95:.1f} ms")
        else:
            print(f"{figure['label']}: {figure['value']}")
