"""The calendar: a day or a week, for one practitioner or the whole clinic.

Rows are practitioners, columns are days; each cell lists working hours, time off and blocked
times, posted openings, appointments and holds in start order. Health notes are shown only to the
practitioner who treats the patient (``portal.selectors.health_note_visible``), and each view of them is
recorded. A fixed number of queries whatever the size of the week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from booking.models import Hold
from clinics.models import Practitioner
from painhero.bounds import date_in_window, window_message
from painhero.http import client_ip
from portal.access import ALL_ROLES, portal_view
from portal.models import Membership, Role
from portal.selectors import appointments_for_calendar
from portal.services.appointments import health_notes_viewed_record
from scheduling.models import ClinicClosure, PostedOpening, TimeOff, WorkingHours

from .common import clock, page

DAY, WEEK = "day", "week"


@dataclass
class Item:
    kind: str  # hours, time_off, blocked, opening, appointment, hold
    start: datetime
    end: datetime
    label: str = ""
    note: str = ""
    status: str = ""
    over_time_off: bool = False  # a booked visit kept when a time off was added over it


@dataclass
class Row:
    practitioner: Practitioner
    cells: list[list[Item]] = field(default_factory=list)


def _day(value: str | None, default: date) -> date | None:
    """The ``?date=`` asked for (``default`` if none or unreadable), None outside the sane window."""
    try:
        day = date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return day if date_in_window(day, today=default) else None


@portal_view(roles=ALL_ROLES)
def calendar(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    clinic, now = membership.clinic, clock()
    zone = ZoneInfo(clinic.time_zone)
    mode = WEEK if request.GET.get("view") == WEEK else DAY
    anchor = _day(request.GET.get("date"), now.astimezone(zone).date())
    if anchor is None:
        message = "date: " + window_message(today=now.astimezone(zone).date())
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    first = anchor - timedelta(days=anchor.weekday()) if mode == WEEK else anchor
    days = [first + timedelta(days=i) for i in range(7 if mode == WEEK else 1)]
    start = datetime.combine(days[0], datetime.min.time(), tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=zone)

    active = Practitioner.objects.filter(clinic=clinic, is_active=True).order_by("last_name", "first_name")
    if membership.role == Role.PRACTITIONER:
        active = active.filter(pk=membership.practitioner_id or 0)
    everyone = list(active)
    chosen = request.GET.get("practitioner", "")
    people = [p for p in everyone if str(p.pk) == chosen] or everyone
    ids = [p.pk for p in people]
    rows = {p.pk: Row(p, [[] for _day in days]) for p in people}

    def put(practitioner_id: int, item: Item) -> None:
        local = item.start.astimezone(zone)
        index = (local.date() - days[0]).days
        if practitioner_id in rows and 0 <= index < len(days):
            rows[practitioner_id].cells[index].append(item)

    in_range = Q(start__lt=end, end__gt=start, practitioner_id__in=ids)
    for block in WorkingHours.objects.filter(practitioner_id__in=ids, valid_from__lte=days[-1]).exclude(
        valid_until__lt=days[0]
    ):
        for day in days:
            valid = block.valid_from <= day and (block.valid_until is None or day <= block.valid_until)
            if valid and day.weekday() == block.weekday:
                put(
                    block.practitioner_id,
                    Item(
                        "hours",
                        datetime.combine(day, block.start_time, tzinfo=zone),
                        datetime.combine(day, block.end_time, tzinfo=zone),
                        _("Working hours"),
                    ),
                )
    for off in TimeOff.objects.filter(in_range):
        # A time off over several days shows on each day it covers, from the start of that day.
        for day in days:
            day_start = max(off.start, datetime.combine(day, datetime.min.time(), tzinfo=zone))
            day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
            if off.start < day_end and off.end > day_start:
                put(off.practitioner_id, Item(off.kind, day_start, min(off.end, day_end), off.get_kind_display()))
    for opening in PostedOpening.objects.filter(in_range):
        put(opening.practitioner_id, Item("opening", opening.start, opening.end, _("Posted opening")))
    visits = appointments_for_calendar(actor=membership, start=start, end=end, practitioner_ids=ids)
    for visit in visits:
        appointment = visit.appointment
        put(
            appointment.practitioner_id,
            Item(
                "appointment",
                appointment.start,
                appointment.end,
                f"{appointment.patient_name} · {appointment.service.label}",
                note=visit.note,
                status=appointment.get_status_display(),
                over_time_off=visit.over_time_off,
            ),
        )
    health_notes_viewed_record(
        actor=membership, appointment_ids=[v.appointment.pk for v in visits if v.note], ip=client_ip(request), now=now
    )
    for hold in Hold.objects.active(now).filter(in_range):
        put(hold.practitioner_id, Item("hold", hold.start, hold.end, _("Held while a patient books")))
    for row in rows.values():
        for cell in row.cells:
            cell.sort(key=lambda item: (item.start, item.kind != "hours"))
    closed = {
        day
        for closure in ClinicClosure.objects.filter(clinic=clinic, start_date__lte=days[-1], end_date__gte=days[0])
        for day in days
        if closure.start_date <= day <= closure.end_date
    }
    step = timedelta(days=7 if mode == WEEK else 1)
    context: dict[str, Any] = {
        "membership": membership,
        "mode": mode,
        "days": [(day, day in closed) for day in days],
        "rows": list(rows.values()),
        "practitioners": everyone,
        "chosen": chosen if len(people) == 1 and len(everyone) > 1 else "",
        "previous": (first - step).isoformat(),
        "following": (first + step).isoformat(),
        "anchor": anchor.isoformat(),
        "zone": clinic.time_zone,
    }
    template = (
        "portal/manage/_calendar.html"
        if request.headers.get("HX-Target") == "calendar"
        else "portal/manage/calendar.html"
    )
    return page(request, template, context)
