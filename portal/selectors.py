"""Appointments a schedule change would leave without a time (stranded), and what to do with them.

A change never drops booked visits silently: the view lists what the change strands and the
member chooses to keep them (they stay booked, outside the new hours) or to cancel them, each
with the usual cancellation email to the patient (``booking.services.appointment_cancel``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from booking.models import Actor, Appointment, AppointmentSource, AppointmentStatus
from booking.services import appointment_cancel
from clinics.models import Clinic, Practitioner
from scheduling.models import PostedOpening, WorkingHours

KEEP = "keep"
CANCEL = "cancel"


def _upcoming() -> QuerySet[Appointment]:
    return Appointment.objects.filter(status=AppointmentStatus.BOOKED).select_related("practitioner", "service")


def local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


def stranded_by_time_off(
    *, practitioner: Practitioner, start: datetime, end: datetime, now: datetime
) -> list[Appointment]:
    """Booked visits of the practitioner that overlap a time off or a blocked time."""
    return list(_upcoming().filter(practitioner=practitioner, end__gt=max(start, now), start__lt=end))


def stranded_by_closure(*, clinic: Clinic, start_date: date, end_date: date, now: datetime) -> list[Appointment]:
    """Booked visits at the clinic on the closed days (in the clinic's zone)."""
    start = local_midnight(start_date, clinic.time_zone)
    end = local_midnight(end_date + timedelta(days=1), clinic.time_zone)
    return list(_upcoming().filter(clinic=clinic, end__gt=max(start, now), start__lt=end))


def stranded_by_hours(
    *,
    practitioner: Practitioner,
    blocks: Sequence[tuple[int, time, time]],
    valid_from: date,
    valid_until: date | None,
    now: datetime,
) -> list[Appointment]:
    """Booked visits from ``valid_from`` on that the new weekly hours no longer cover.

    ``working_hours_set`` leaves no hours after ``valid_until``, so a visit after it is stranded too.
    """
    zone = ZoneInfo(practitioner.clinic.time_zone)
    since = max(local_midnight(valid_from, practitioner.clinic.time_zone), now)
    stranded = []
    for appointment in _upcoming().filter(practitioner=practitioner, end__gt=since):
        start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
        day = start.date()
        covered = (valid_until is None or day <= valid_until) and any(
            weekday == start.weekday() and start.time() >= opens and (end.date() == day and end.time() <= closes)
            for weekday, opens, closes in blocks
        )
        if not covered:
            stranded.append(appointment)
    return stranded


def stranded_by_opening_removal(*, opening: PostedOpening, now: datetime) -> list[Appointment]:
    """Booked visits inside a posted opening that neither the weekly hours nor another opening cover."""
    practitioner = opening.practitioner
    zone = ZoneInfo(practitioner.clinic.time_zone)
    visits = list(_upcoming().filter(practitioner=practitioner, end__gt=max(opening.start, now), start__lt=opening.end))
    if not visits:
        return []
    others = list(
        PostedOpening.objects.filter(practitioner=practitioner, end__gt=now)
        .exclude(pk=opening.pk)
        .values_list("start", "end")
    )
    hours = list(WorkingHours.objects.filter(practitioner=practitioner))
    stranded = []
    for visit in visits:
        start, end = visit.start.astimezone(zone), visit.end.astimezone(zone)
        day = start.date()
        in_hours = end.date() == day and any(
            block.weekday == day.weekday()
            and block.valid_from <= day
            and (block.valid_until is None or day <= block.valid_until)
            and block.start_time <= start.time()
            and end.time() <= block.end_time
            for block in hours
        )
        in_other_opening = any(a <= visit.start and visit.end <= b for a, b in others)
        if not (in_hours or in_other_opening):
            stranded.append(visit)
    return stranded


def stranded_cancel(*, appointments: Sequence[Appointment], now: datetime) -> int:
    """Cancel each stranded visit as the clinic (the patient gets the cancellation email); how many."""
    for appointment in appointments:
        appointment_cancel(appointment=appointment, now=now, actor=Actor.STAFF, source=AppointmentSource.PORTAL)
    return len(appointments)
