"""The one place booking talks to the availability engine (scheduling).

scheduling owns the rules (working hours, time off, notice, horizon); booking owns
the guarantee that a time is given to one patient only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from clinics.models import Clinic, Practitioner, Service
from scheduling import cache, selectors
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


def alternatives_list(
    *,
    clinic: Clinic,
    service: Service,
    practitioner: Practitioner | None,
    start: datetime,
    now: datetime,
    limit: int = 6,
) -> list[OpenTime]:
    """The nearest open times to ``start`` at this clinic for this service; the same practitioner first."""
    window_start = max(now, start - timedelta(days=2))
    openings = open_times(clinic=clinic, service=service, start=window_start, end=start + timedelta(days=14), now=now)
    wanted = practitioner.pk if practitioner else None
    openings.sort(key=lambda o: (o.practitioner_id != wanted, abs((o.start - start).total_seconds()), o.start))
    return openings[:limit]
