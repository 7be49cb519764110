"""The one place booking talks to the availability engine (scheduling).

scheduling owns the rules (working hours, time off, notice, horizon); booking owns
the guarantee that a time is given to one patient only. If scheduling's functions
are not importable, booking still refuses overlaps (its own check, the lock and
the constraint) but cannot tell working hours apart from closed ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from clinics.models import Clinic, Practitioner, Service


@dataclass(frozen=True)
class Opening:
    """An open time as booking shows it (the engine's Slot, whatever its exact class)."""

    start: datetime
    end: datetime
    practitioner_id: int
    service_id: int


def _selectors() -> Any:
    try:
        from scheduling import selectors
    except ImportError:
        return None
    return selectors


def slot_open(*, practitioner: Practitioner, service: Service, start: datetime, now: datetime) -> bool:
    """Whether the schedule offers this exact time (holds and appointments included, as the engine sees them)."""
    selectors = _selectors()
    if selectors is None or not hasattr(selectors, "slot_is_open"):
        return start > now
    return bool(selectors.slot_is_open(practitioner=practitioner, service=service, start=start, now=now))


def open_times(*, clinic: Clinic, service: Service, start: datetime, end: datetime, now: datetime) -> list[Opening]:
    selectors = _selectors()
    if selectors is None or not hasattr(selectors, "open_times_list"):
        return []
    slots = selectors.open_times_list(clinic=clinic, start=start, end=end, now=now, service=service)
    return [Opening(s.start, s.end, s.practitioner_id, s.service_id) for s in slots]


def openings_refresh(
    *, clinic_ids: Iterable[int], now: datetime, practitioner_ids: Iterable[int] | None = None
) -> None:
    """Tell the engine, once the transaction commits, that a time was taken or freed (by these practitioners).

    Only the practitioners named are recomputed: a booking changes nobody else's times.

    After the commit, not inside: the refresh recomputes a clinic's next openings, which
    would otherwise lengthen the time the practitioner's lock is held. ``robust``: a failed
    refresh must not turn a committed booking into an error page (the cache also expires).
    """
    try:
        from scheduling import services
    except ImportError:
        return
    if hasattr(services, "next_openings_refresh"):
        ids = list(clinic_ids)
        pids = None if practitioner_ids is None else list(practitioner_ids)
        transaction.on_commit(
            lambda: services.next_openings_refresh(clinic_ids=ids, practitioner_ids=pids, now=now), robust=True
        )


def alternatives_list(
    *,
    clinic: Clinic,
    service: Service,
    practitioner: Practitioner | None,
    start: datetime,
    now: datetime,
    limit: int = 6,
) -> list[Opening]:
    """The nearest open times to ``start`` at this clinic for this service; the same practitioner first."""
    window_start = max(now, start - timedelta(days=2))
    openings = open_times(clinic=clinic, service=service, start=window_start, end=start + timedelta(days=14), now=now)
    wanted = practitioner.pk if practitioner else None
    openings.sort(key=lambda o: (o.practitioner_id != wanted, abs((o.start - start).total_seconds()), o.start))
    return openings[:limit]
