"""Reads for one clinic or practitioner: open times, whether one time is open, rules, next available by service.

The reads across clinics that search makes (soonest first, each clinic's next times) are in
``scheduling/search.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Min

from clinics.models import Clinic, Practitioner, Service
from scheduling import engine
from scheduling.loading import clinic_inputs_load, rules_for
from scheduling.models import BookingRules, NextOpenTime


class OpenTime(NamedTuple):
    """One open time and who to book it with (immutable; a tuple so thousands are cheap).

    Aware datetimes: in the clinic's zone when computed (``open_times_list``), in UTC when read from the
    precomputed next open times (``scheduling.search``).
    """

    start: datetime
    end: datetime
    practitioner_id: int
    service_id: int


def booking_rules_get(*, clinic: Clinic) -> BookingRules:
    """The clinic's rules, or unsaved defaults when it never set any."""
    return BookingRules.objects.filter(clinic=clinic).first() or BookingRules(clinic=clinic)


def service_rules_get(*, service: Service) -> engine.Rules:
    from scheduling.models import ServiceBookingRules

    service._own_rules = ServiceBookingRules.objects.filter(service=service).first()  # type: ignore[attr-defined]
    return rules_for(clinic_rules=BookingRules.objects.filter(clinic_id=service.clinic_id).first(), service=service)


def open_times_list(
    *,
    clinic: Clinic,
    start: datetime,
    end: datetime,
    now: datetime,
    service: Service | None = None,
    practitioner: Practitioner | None = None,
    practitioner_ids: Sequence[int] | None = None,
    discipline: str | None = None,
) -> list[OpenTime]:
    """Open times at ``clinic`` starting in ``[start, end)``, sorted by start (then practitioner, service).

    Without a service, every active service the filters allow; each slot names its practitioner and service.
    ``practitioner`` and ``practitioner_ids`` both narrow to those practitioners (both given: those in both).
    """
    only: set[int] | None = None
    if practitioner is not None:
        only = {practitioner.pk}
    if practitioner_ids is not None:
        only = set(practitioner_ids) if only is None else only & set(practitioner_ids)
    if only is not None and not only:
        return []
    inputs = clinic_inputs_load(
        clinics=[clinic],
        start=start,
        end=end,
        now=now,
        practitioner_ids=sorted(only) if only is not None else None,
        service_ids=[service.pk] if service is not None else None,
    )[clinic.pk]
    now_ts, start_ts, end_ts = engine.ts(now), engine.ts(start), engine.ts(end)
    found: list[tuple[int, int, int, int]] = []
    for svc in inputs.services:
        if discipline is not None and svc.discipline != discipline:
            continue
        rules = inputs.service_rules(svc)
        sid = svc.pk
        for pid in inputs.offered_by.get(sid, ()):
            found.extend(
                (a, pid, sid, b)
                for a, b in engine.open_times_ts(
                    weekly=inputs.weekly.get(pid, ()),
                    rules=rules,
                    now=now_ts,
                    zone=inputs.zone,
                    start=start_ts,
                    end=end_ts,
                    openings=inputs.openings.get(pid, ()),
                    unavailable=inputs.unavailable.get(pid, ()),
                    closed_days=inputs.closed_days,
                    busy=inputs.busy.get(pid, ()),
                )
            )
    found.sort()
    # Many practitioners share start times: convert each instant once.
    zone = inputs.zone
    moments = {seconds: engine.from_ts(seconds, zone) for seconds in {a for a, *_ in found} | {b for *_, b in found}}
    return [OpenTime(moments[a], moments[b], pid, sid) for a, pid, sid, b in found]


def slot_is_open(*, practitioner: Practitioner, service: Service, start: datetime, now: datetime) -> bool:
    """Whether ``start`` is an open time of ``practitioner`` for ``service`` right now (the same engine, exactly).

    The booking service calls this inside its transaction (appointments and active holds count as busy).
    """
    if service.clinic_id != practitioner.clinic_id:
        return False
    clinic = practitioner.clinic  # no query when the caller selected it with the practitioner (booking does)
    inputs = clinic_inputs_load(
        clinics=[clinic],
        start=start,
        end=start + timedelta(minutes=service.duration_minutes),
        now=now,
        practitioner_ids=[practitioner.pk],
        service_ids=[service.pk],
    )[clinic.pk]
    if not inputs.services or practitioner.pk not in inputs.offered_by.get(service.pk, ()):
        return False
    start_ts = engine.ts(start)
    found = inputs.open_times(
        service=inputs.services[0],
        practitioner_id=practitioner.pk,
        now=engine.ts(now),
        start=start_ts,
        end=start_ts + 1,
    )
    return bool(found) and found[0][0] == start_ts


def next_available_by_service(
    *, clinic_id: int, now: datetime, practitioner_id: int | None = None
) -> dict[int, datetime]:
    """Each service's next open start at one clinic (optionally one practitioner's), from the cache; one query."""
    rows = NextOpenTime.objects.filter(clinic_id=clinic_id, bookable_until__gte=now)
    if practitioner_id is not None:
        rows = rows.filter(practitioner_id=practitioner_id)
    return dict(rows.values("service_id").annotate(first=Min("start")).values_list("service_id", "first"))
