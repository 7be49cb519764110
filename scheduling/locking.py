"""Serializing the writes that give or take a practitioner's time (see booking/LOCKING.md).

Here, below booking, because schedule writes (scheduling) and bookings (booking) take the same lock.
"""

from __future__ import annotations

from django.db import OperationalError, connection

from clinics.models import Practitioner

# Past this a request gives up and the patient is told to try again: a short wait beats a hung page.
LOCK_TIMEOUT_MS = 5000


class PractitionerBusy(Exception):
    """The practitioner's lock could not be had in time."""


def practitioner_lock(*practitioner_ids: int, set_timeout: bool = True) -> None:
    """Lock these practitioners' rows until the transaction ends; call first thing inside ``atomic()``.

    PostgreSQL: ``SELECT ... FOR UPDATE`` (in id order, so two locks never deadlock).
    SQLite: nothing to do, the transaction already holds the database's one write lock
    since BEGIN IMMEDIATE. Anything that changes a practitioner's free time (booking,
    holds, rescheduling, and schedule edits) should take this lock. ``set_timeout=False`` skips
    setting the lock timeout when the caller's transaction has set it already.
    """
    if connection.vendor != "postgresql":
        return
    if set_timeout:
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}")

    try:
        list(
            Practitioner.objects.select_for_update()
            .filter(pk__in=sorted(set(practitioner_ids)))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    except OperationalError as exc:
        raise PractitionerBusy from exc
