"""The one place booking talks to the availability engine (scheduling).

scheduling owns the rules (working hours, time off, notice, horizon); booking owns
the guarantee that a time is given to one patient only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clinics.models import Clinic, Practitioner, Service
from scheduling import cache, selectors
from scheduling.models import NextOpenTime
from scheduling.selectors import OpenTime


def slot_open(*, practitioner: Practitioner, service: Service, start: datetime, now: datetime) -> bool:
    """Whether the schedule offers this exact time (holds and appointments included, as the engine sees them)."""
    return selectors.slot_is_open(practitioner=practitioner, service=service, start=start, now=now)


def open_times(*, clinic: Clinic, service: Service, start: datetime, end: datetime, now: datetime) -> list[OpenTime]:
    return selectors.open_times_list(clinic=clinic, start=start, end=end, now=now, service=service)


def openings_refresh(
    *, clinic_ids: Iterable[int], now: datetime, practitioner_ids: Iterable[int] | None = None
) -> None:
    """Tell the engine, once the transaction commits, that a time was taken or freed (by these practitioners).

    Only the practitioners named are recomputed: a booking changes nobody else's times.

    After the commit, not inside: the refresh recomputes next openings, which would otherwise
    lengthen the time the practitioner's lock is held. ``robust``: a failed refresh must not turn
    a committed booking into an error page (the cache also expires and the worker tops it up).
    """
    cache.next_open_times_refresh_after_commit(clinic_ids=clinic_ids, practitioner_ids=practitioner_ids, now=now)


# A refused patient is offered this many times, nearest first.
ALTERNATIVES = 6
# The requested practitioner's times are looked for this far either side of the refused time first, and only
# if too few are found there, in the old fortnight (two days before, fourteen after).
NEAR = timedelta(days=1)
WIDE_BEFORE, WIDE_AFTER = timedelta(days=2), timedelta(days=14)


def alternatives_list(
    *,
    clinic: Clinic,
    service: Service,
    practitioner: Practitioner | None,
    start: datetime,
    now: datetime,
    limit: int = ALTERNATIVES,
) -> list[OpenTime]:
    """The nearest open times to ``start`` at this clinic for this service: the same practitioner first.

    Cheap whatever the clinic's size (a 409 must answer in milliseconds, and 20 losers of one race must
    settle at once): the requested practitioner's own times are computed exactly, in a day either side
    and only if need be in the fortnight; the clinic's other practitioners come from the precomputed next
    open times (``NextOpenTime``, kept fresh after every booking and schedule change), nearest to ``start``
    first. Call it outside the transaction that refused: it reads, and holds no lock.
    """
    found: list[OpenTime] = []
    if practitioner is not None:
        for before, after in ((NEAR, NEAR), (WIDE_BEFORE, WIDE_AFTER)):
            found = selectors.open_times_list(
                clinic=clinic,
                service=service,
                practitioner=practitioner,
                start=max(now, start - before),
                end=start + after,
                now=now,
            )
            # Every time outside the narrow window is farther than any inside it: enough there is the answer.
            if len(found) >= limit:
                break
        found = sorted(found, key=lambda o: (abs((o.start - start).total_seconds()), o.start))[:limit]
    if len(found) < limit:
        found += _cached_nearest(
            clinic=clinic, service=service, start=start, now=now, limit=limit - len(found), besides=practitioner
        )
    return found


def _cached_nearest(
    *, clinic: Clinic, service: Service, start: datetime, now: datetime, limit: int, besides: Practitioner | None
) -> list[OpenTime]:
    """Other practitioners' cached next open times nearest to ``start``: two short index reads, either side."""
    rows = NextOpenTime.objects.filter(
        clinic_id=clinic.pk, discipline=service.discipline, service_id=service.pk, bookable_until__gte=now
    )
    if besides is not None:
        rows = rows.exclude(practitioner_id=besides.pk)
    fields = ("start", "end", "practitioner_id", "service_id")
    after = list(rows.filter(start__gte=start).order_by("start", "practitioner_id").values_list(*fields)[:limit])
    before = list(rows.filter(start__lt=start).order_by("-start", "practitioner_id").values_list(*fields)[:limit])
    nearest = sorted(after + before, key=lambda row: (abs((row[0] - start).total_seconds()), row[0], row[2]))
    zone = ZoneInfo(clinic.time_zone)
    return [OpenTime(a.astimezone(zone), b.astimezone(zone), pid, sid) for a, b, pid, sid in nearest[:limit]]
