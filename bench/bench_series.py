"""Series benchmark: proposing a 12-visit care plan's times, booking a 12-visit series at once (all or none),
in-process, and series per second.

Proposing runs what the plan's page and ``GET /api/v1/care-plans/{token}`` run: ``patients.careplans.
plan_times_propose`` (the open-times engine over the plan's six weeks and its slack, then the pure proposer of
``patients.careplan_propose``) for a tapering plan (3 a week, then 2, then 1, two weeks each), each sample
starting on another day, in the same clinic after its series are booked (so the engine sees a busy diary).

``run(clinics=...)`` works on the configured database: it makes one clinic of its own (four practitioners working
every day), books 12-visit series into it (one visit a day at one time of day, twelve days running), counts
overlapping pairs afterwards (it must be 0) and deletes what it made. Like booking, a series' cost depends on its
practitioners' days, not on the network's size, so ``clinics`` is accepted for the runner and otherwise unused.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from bench.bench_booking import _setup, overlapping_pairs

VISITS = 12
SERIES_SAMPLES = 60
PROPOSE_SAMPLES = 40
TAPER = ((3, 2), (2, 2), (1, 2))  # 12 visits over six weeks


def _starts(clinic: Any, *, slot: int) -> list[datetime]:
    """Twelve days running, from tomorrow, at the ``slot``-th half hour after 08:00 (clinic time)."""
    zone = ZoneInfo(clinic.time_zone)
    today = datetime.now(zone).date()
    at = (datetime.combine(today, clock(8, 0)) + timedelta(minutes=30 * slot)).time()
    return [datetime.combine(today + timedelta(days=1 + d), at, tzinfo=zone) for d in range(VISITS)]


def _plan(clinic: Any, practitioner: Any, service: Any) -> Any:
    """A 12-visit tapering plan with ``practitioner`` (a draft: proposing needs nothing more)."""
    from django.utils import timezone

    from patients.careplan_models import CarePlan, CarePlanPhase

    plan = CarePlan.objects.create(
        clinic=clinic,
        practitioner=practitioner,
        patient_name="Bench Plan",
        patient_email="plan@example.com",
        patient_phone="+14165550123",
        expected_visits=sum(v * w for v, w in TAPER),
        cost_estimate_cents=0,
        created_at=timezone.now(),
    )
    CarePlanPhase.objects.bulk_create(
        CarePlanPhase(plan=plan, order=n, visits_per_week=v, weeks=w, service=service, practitioner=practitioner)
        for n, (v, w) in enumerate(TAPER)
    )
    return plan


def _propose(clinic: Any, practitioners: list[Any], service: Any) -> list[float]:
    from django.utils import timezone

    from patients.careplan_propose import Preferences
    from patients.careplans import plan_times_propose

    plans = [_plan(clinic, p, service) for p in practitioners]
    today = datetime.now(ZoneInfo(clinic.time_zone)).date()
    samples: list[float] = []
    for n in range(PROPOSE_SAMPLES):
        plan = plans[n % len(plans)]
        began = time.perf_counter()
        visits = plan_times_propose(
            plan=plan, preferences=Preferences(), now=timezone.now(), start_date=today + timedelta(days=1 + n % 7)
        )
        samples.append((time.perf_counter() - began) * 1000)
        if len(visits) != VISITS or any(v.time is None for v in visits):
            raise AssertionError(f"proposing a {VISITS}-visit plan gave {len(visits)} visits, some without a time")
    return samples


def _teardown(clinic: Any) -> None:
    from booking.models import Appointment, AppointmentSeries
    from notifications.models import OutboxMessage
    from patients.careplan_models import CarePlan

    CarePlan.objects.filter(clinic=clinic).delete()

    series_ids = list(AppointmentSeries.objects.filter(clinic=clinic).values_list("pk", flat=True))
    ids = list(Appointment.objects.filter(clinic=clinic).values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        OutboxMessage.objects.filter(payload__appointment_id__in=ids[start : start + 500]).delete()
    OutboxMessage.objects.filter(payload__series_id__in=series_ids).delete()
    Appointment.objects.filter(clinic=clinic).delete()
    AppointmentSeries.objects.filter(clinic=clinic).delete()
    city = clinic.city
    clinic.delete()
    city.delete()


def run(*, clinics: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.utils import timezone

    from booking.patients import PatientDetails
    from booking.series import SeriesVisit, series_book

    vendor = connection.vendor
    clinic, practitioners, service = _setup()
    figures: list[dict[str, Any]] = []
    samples: list[float] = []
    try:
        jobs = [(p, slot) for slot in range(20) for p in practitioners][:SERIES_SAMPLES]
        began_all = time.perf_counter()
        for n, (practitioner, slot) in enumerate(jobs):
            visits = [SeriesVisit(practitioner, service, start) for start in _starts(clinic, slot=slot)]
            patient = PatientDetails(name=f"Bench {n}", email=f"series{n}@example.com", phone="+14165550123")
            began = time.perf_counter()
            series_book(visits=visits, patient=patient, now=timezone.now())
            samples.append((time.perf_counter() - began) * 1000)
        seconds = time.perf_counter() - began_all
        figures.append(
            {"label": f"series: {VISITS} visits booked at once, in-process ({vendor})", "samples_ms": samples}
        )
        figures.append(
            {
                "label": f"series: booked one after another ({vendor})",
                "value": f"{len(samples) / seconds:.1f} series/s ({len(samples) * VISITS / seconds:.0f} visits/s)",
            }
        )
        figures.append(
            {
                "label": f"series: proposing a {VISITS}-visit plan, open times and proposer, in-process ({vendor})",
                "samples_ms": _propose(clinic, practitioners, service),
            }
        )
        pairs = overlapping_pairs([clinic.pk])
        figures.append({"label": "series: overlapping appointment pairs afterwards (must be 0)", "value": str(pairs)})
        if pairs:
            raise AssertionError(f"{pairs} overlapping appointment pairs: the no-double-booking guarantee failed")
    finally:
        _teardown(clinic)
    return figures
