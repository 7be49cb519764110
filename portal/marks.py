"""Marks the portal puts on visits: a booked visit that a time off or blocked time was added over.

A schedule change may keep such visits (``portal.services.schedules.schedule_change_apply``): they stay
booked, outside the practitioner's hours, and Today and the calendar say so, so the desk can call the patient.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from booking.models import Appointment, AppointmentStatus
from scheduling.models import TimeOff


def appointments_over_time_off(appointments: Iterable[Appointment]) -> set[int]:
    """The ids of the booked visits among ``appointments`` that overlap a time off of their practitioner.

    One query whatever the number of visits: the time off of those practitioners over the span they cover.
    """
    booked = [a for a in appointments if a.status == AppointmentStatus.BOOKED]
    if not booked:
        return set()
    span = Q(
        practitioner_id__in={a.practitioner_id for a in booked},
        start__lt=max(a.end for a in booked),
        end__gt=min(a.start for a in booked),
    )
    offs: dict[int, list[tuple[object, object]]] = {}
    for practitioner_id, start, end in TimeOff.objects.filter(span).values_list("practitioner_id", "start", "end"):
        offs.setdefault(practitioner_id, []).append((start, end))
    return {
        a.pk
        for a in booked
        if any(start < a.end and end > a.start for start, end in offs.get(a.practitioner_id, []))  # type: ignore[operator]
    }
