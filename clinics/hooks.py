"""What the apps above clinics must do when a clinic's catalogue changes, without clinics importing them.

The catalogue is what a clinic's open times are computed from and carry: its practitioners and services, and its
place and time zone (the next openings keep a copy of the place; days are cut on the clinic's clock).

clinics sits below scheduling (scheduling's models point at clinics' models), yet a practitioner or service
created, changed or retired moves the clinic's open times, and scheduling's precomputed next open times must
follow in the same transaction. So scheduling registers its refresh here once, in ``SchedulingConfig.ready()``,
and clinics' services call ``catalogue_changed`` inside their transaction. A plain list of functions rather
than a Django signal: one registration line says who listens, a call runs them in order, and an exception in
one rolls the whole write back instead of being logged and swallowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol


class CatalogueChanged(Protocol):
    """Called inside the write's transaction with the clinics whose practitioners or services changed."""

    def __call__(self, *, clinic_ids: Iterable[int], now: datetime) -> object: ...


_listeners: list[CatalogueChanged] = []


def catalogue_change_register(listener: CatalogueChanged) -> None:
    """Run ``listener`` after every catalogue change; registering it again changes nothing (``ready()`` may rerun)."""
    if listener not in _listeners:
        _listeners.append(listener)


def catalogue_change_listeners() -> tuple[CatalogueChanged, ...]:
    return tuple(_listeners)


def catalogue_changed(*, clinic_ids: Iterable[int], now: datetime) -> None:
    """Tell every registered app that these clinics' practitioners or services changed (call inside the write)."""
    ids = sorted(set(clinic_ids))
    for listener in _listeners:
        listener(clinic_ids=ids, now=now)
