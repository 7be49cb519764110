"""The free consultation's rules that booking enforces: Alberta's same-day rule.

The College of Physiotherapists of Alberta does not let a free consultation and paid physiotherapy fall on the
same day for one patient. So in Alberta a patient (the same email, in any case) cannot have a paid physiotherapy
appointment on the local day of a free consultation they have, in either order. Checked inside the booking's
transaction, after the practitioner's lock, by every path (web form, API, portal) through booking.services.

The practitioner's lock is not enough here: the free consultation and the paid visit are usually with two
practitioners, so two bookings could each check, see nothing, and both commit. The check therefore first takes a
lock on the patient (their email): on PostgreSQL a transaction-scoped advisory lock, taken after the practitioner
locks, so the order of locks is always the same and two bookings never deadlock; on SQLite every write
transaction already holds the database's one write lock (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import OperationalError, connection
from django.utils.translation import gettext as _

from booking.errors import NotBookable
from booking.models import Appointment, AppointmentStatus
from clinics.models import Clinic, Discipline, Service, ServiceKind
from scheduling.locking import PractitionerBusy

ALBERTA = "AB"
# The first key of the patient's advisory lock: the two-key form keeps it apart from any other advisory lock.
_PATIENT_LOCK_SPACE = 0x41425044  # "ABPD"


def patient_lock(email: str) -> None:
    """Hold this patient's lock until the transaction ends (PostgreSQL; nothing to do on SQLite, see above).

    Waits at most the lock timeout the practitioner's lock set; past it the booking is ``PractitionerBusy``
    (a 503 "try again"), as when the practitioner's own lock is not had in time."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_PATIENT_LOCK_SPACE, email.strip().lower()]
            )
    except OperationalError as exc:
        raise PractitionerBusy from exc


def _is_paid_physio(service: Service) -> bool:
    return service.discipline == Discipline.PHYSIOTHERAPY and service.price_cents > 0


def alberta_same_day_check(
    *, clinic: Clinic, service: Service, start: datetime, email: str, exclude_pk: int | None = None
) -> None:
    """Raise ``NotBookable`` when this booking would put paid physiotherapy and a free consultation of the same
    patient on one local day in Alberta (either one being booked now)."""
    free = service.kind == ServiceKind.FREE_CONSULTATION
    if clinic.province != ALBERTA or not email or not (free or _is_paid_physio(service)):
        return
    patient_lock(email)
    zone = ZoneInfo(clinic.time_zone)
    day = start.astimezone(zone).date()
    low = datetime.combine(day, time.min, tzinfo=zone)
    high = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    others = Appointment.objects.filter(
        clinic__province=ALBERTA,
        patient_email__iexact=email,
        start__gte=low,
        start__lt=high,
        status=AppointmentStatus.BOOKED,
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if free:
        clash = others.filter(service__discipline=Discipline.PHYSIOTHERAPY, service__price_cents__gt=0).exists()
        message = _(
            "In Alberta, a free consultation cannot be on the same day as paid physiotherapy you have booked. "
            "Please choose another day."
        )
    else:
        clash = others.filter(service__kind=ServiceKind.FREE_CONSULTATION).exists()
        message = _(
            "In Alberta, paid physiotherapy cannot be on the same day as your free consultation. "
            "Please choose another day."
        )
    if clash:
        raise NotBookable(message)
