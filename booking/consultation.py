"""The free consultation's rules that booking enforces: Alberta's same-day rule.

The College of Physiotherapists of Alberta does not let a free consultation and paid physiotherapy fall on the
same day for one patient. So in Alberta a patient (the same email, in any case) cannot have a paid physiotherapy
appointment on the local day of a free consultation they have, in either order. Checked inside the booking's
transaction, after the practitioner's lock, by every path (web form, API, portal) through booking.services.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from booking.errors import NotBookable
from booking.models import Appointment, AppointmentStatus
from clinics.models import Clinic, Discipline, Service, ServiceKind

ALBERTA = "AB"


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
