"""The portal's reads: who sees which health notes in the calendar, and the visits a schedule change strands.

A schedule change never drops booked visits silently: ``stranded_by_*`` list what it would leave
without a time, and ``portal.services.schedules.schedule_change_apply`` asks the member to keep
them (they stay booked, outside the new hours) or cancel them (the patient gets the usual email).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from booking.models import Appointment, AppointmentStatus
from clinics.models import Clinic, Practitioner
from portal.access import appointments_visible
from portal.marks import appointments_over_time_off
from portal.models import Membership, Role
from scheduling.models import PostedOpening, WorkingHours

# --- Health notes -----------------------------------------------------------------------------------


def health_note_visible(*, actor: Membership, appointment: Appointment) -> bool:
    """The one rule: a visit's health note is for the practitioner who treats the patient, not the desk or owner."""
    return actor.role == Role.PRACTITIONER and appointment.practitioner_id == actor.practitioner_id


@dataclass(frozen=True)
class CalendarAppointment:
    appointment: Appointment
    note: str  # the health note, or "" when this member may not see it
    over_time_off: bool  # a booked visit kept when a time off was added over it


def appointments_for_calendar(
    *, actor: Membership, start: datetime, end: datetime, practitioner_ids: Sequence[int]
) -> list[CalendarAppointment]:
    """The visits this member may see between ``start`` and ``end`` (not cancelled), with the notes they may read.

    Reading a note is an access to health information: the caller records the ids whose note is not empty
    (``portal.services.appointments.health_notes_viewed_record``).
    """
    appointments = list(
        appointments_visible(actor)
        .filter(start__lt=end, end__gt=start, practitioner_id__in=practitioner_ids)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("service")
    )
    over = appointments_over_time_off(appointments)
    return [
        CalendarAppointment(
            appointment=a,
            note=a.note if health_note_visible(actor=actor, appointment=a) else "",
            over_time_off=a.pk in over,
        )
        for a in appointments
    ]


# --- Stranded visits -------------------------------------------------------------------------------


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
