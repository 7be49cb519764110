"""Waitlist benchmark: matching one freed time against 1,000 and then 10,000 waiting entries, in-process.

``run(clinics=...)`` works on the configured database: it makes one clinic of its own (one practitioner working
every day) and a few neighbours, then fills the waitlist with entries of every kind a freed time must pass over:
entries at the other clinics, area entries elsewhere in Canada, area entries near the clinic for another
discipline, and one at the clinic whose time windows do not suit. The one entry that matches is an area entry
near the clinic, the newest of all. Each sample is ``waitlist_offer_next`` for a freed time (the match, the hold
and the offer), rolled back so the next sample finds the same waitlist. With an index, the p95 at 10,000 is
about the p95 at 1,000 (the ratio printed); a scan would cost ten times as much. The waitlist's size, not the
network's, is what matters, so ``clinics`` is accepted for the runner and otherwise unused.
"""

from __future__ import annotations

import math
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

SIZES = (1_000, 10_000)
SAMPLES = 60
NEIGHBOURS = 20


class _Rollback(Exception):
    pass


def _setup() -> tuple[Any, Any, Any, list[Any]]:
    from clinics.testing import make_city, make_clinic, make_practitioner, make_service
    from scheduling.models import WorkingHours

    tag = time.time_ns()
    city = make_city(slug=f"bench-waitlist-{tag}")
    clinic = make_clinic(city=city, slug=f"bench-waitlist-{tag}", name="Bench waitlist clinic")
    practitioner = make_practitioner(clinic=clinic)
    service = make_service(clinic=clinic, practitioners=[practitioner], duration_minutes=30)
    WorkingHours.objects.create(
        practitioner=practitioner, weekday=0, start_time=clock(8), end_time=clock(18), valid_from=date(2020, 1, 1)
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(
            practitioner=practitioner, weekday=d, start_time=clock(8), end_time=clock(18), valid_from=date(2020, 1, 1)
        )
        for d in range(1, 7)
    )
    neighbours = [make_clinic(city=city, slug=f"bench-waitlist-{tag}-{n}") for n in range(NEIGHBOURS)]
    return clinic, practitioner, service, neighbours


def _fill(*, clinic: Any, neighbours: list[Any], count: int, now: datetime, rng: random.Random) -> None:
    """``count`` entries (on top of those there), none of which suits the freed time."""
    from booking.models import WaitlistEntry

    needed_by = now.date() + timedelta(days=30)
    rows = []
    for n in range(count):
        common: dict[str, Any] = {
            "before": needed_by,
            "patient_name": f"Bench {n}",
            "patient_email": f"waitlist{n}@example.com",
            "patient_phone": "+14165550123",
            "created_at": now - timedelta(days=1) + timedelta(milliseconds=n),
        }
        kind = n % 20
        if kind < 9:  # at another clinic
            rows.append(WaitlistEntry(clinic=neighbours[n % len(neighbours)], **common))
        elif kind < 18:  # an area far away: 2 to 40 degrees of longitude off, anywhere from 43 N to 55 N
            lng = clinic.longitude + rng.choice((-1, 1)) * rng.uniform(2, 40)
            rows.append(
                WaitlistEntry(latitude=rng.uniform(43, 55), longitude=lng, radius_km=100, discipline="", **common)
            )
        elif kind < 19:  # near, but for another discipline
            rows.append(
                WaitlistEntry(
                    latitude=clinic.latitude + rng.uniform(-0.05, 0.05),
                    longitude=clinic.longitude,
                    radius_km=25,
                    discipline="chiropractic",
                    **common,
                )
            )
        else:  # at the clinic, but only in the evening
            rows.append(WaitlistEntry(clinic=clinic, windows=[{"from": "19:00", "to": "21:00"}], **common))
    WaitlistEntry.objects.bulk_create(rows, batch_size=1000)


def _match(*, practitioner: Any, service: Any, start: datetime, now: datetime) -> tuple[float, Any]:
    from django.db import transaction

    from booking.waitlist_offers import waitlist_offer_next

    began = time.perf_counter()
    offer = None
    try:
        with transaction.atomic():
            offer = waitlist_offer_next(practitioner_id=practitioner.pk, service_id=service.pk, start=start, now=now)
            elapsed = (time.perf_counter() - began) * 1000
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, offer


def _teardown(clinic: Any, neighbours: list[Any]) -> None:
    from booking.models import WaitlistEntry

    WaitlistEntry.objects.filter(patient_email__startswith="waitlist", patient_email__endswith="@example.com").filter(
        patient_name__startswith="Bench"
    ).delete()
    city = clinic.city
    for other in neighbours:
        other.delete()
    clinic.delete()
    city.delete()


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def run(*, clinics: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.utils import timezone

    from booking.models import WaitlistEntry

    vendor = connection.vendor
    rng = random.Random(16)
    clinic, practitioner, service, neighbours = _setup()
    zone = ZoneInfo(clinic.time_zone)
    now = timezone.now()
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, clock(10), tzinfo=zone)
    figures: list[dict[str, Any]] = []
    by_size: dict[int, float] = {}
    try:
        there = 0
        for size in SIZES:
            _fill(clinic=clinic, neighbours=neighbours, count=size - there - 1, now=now, rng=rng)
            there = size - 1
            # Fresh statistics, as a live table has them: the planner's choice is what is measured.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE booking_waitlistentry")
            # The one that suits: an area entry 3 km from the clinic, the newest of all (so every older one is
            # passed over first), made anew at each size.
            WaitlistEntry.objects.filter(patient_name="Bench match").delete()
            match = WaitlistEntry.objects.create(
                latitude=clinic.latitude + 0.027,
                longitude=clinic.longitude,
                radius_km=10,
                discipline=service.discipline,
                before=now.date() + timedelta(days=30),
                patient_name="Bench match",
                patient_email="waitlist-match@example.com",
                patient_phone="+14165550123",
                created_at=now,
            )
            samples = []
            for _n in range(SAMPLES):
                elapsed, offer = _match(practitioner=practitioner, service=service, start=start, now=now)
                if offer is None or offer.entry_id != match.pk:
                    raise AssertionError("the freed time was not offered to the one entry it suits")
                samples.append(elapsed)
            by_size[size] = p95(samples)
            figures.append(
                {
                    "label": f"waitlist: one freed time matched against {size:,} waiting entries ({vendor})",
                    "samples_ms": samples,
                }
            )
        small, large = SIZES
        ratio = by_size[large] / by_size[small] if by_size[small] else float("inf")
        figures.append(
            {
                "label": f"waitlist: p95 at {large:,} / p95 at {small:,} (an index: about 1x; a scan: about 10x)",
                "value": f"{by_size[small]:.2f} -> {by_size[large]:.2f} ms, {ratio:.2f}x",
            }
        )
    finally:
        _teardown(clinic, neighbours)
    return figures
