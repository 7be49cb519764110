"""Running the day at the front desk: Today, arrivals and outcomes, booking for a patient who phoned,
moving and cancelling. Views parse, fetch through ``portal.access``, call ``portal.services.appointments``, render."""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.errors import BookingError, SlotTaken
from booking.models import AppointmentEvent, AppointmentStatus, EventKind
from booking.selectors import no_show_rates, sent_messages_by_appointment
from clinics.models import Practitioner, Service
from painhero.bounds import date_in_window, window_message
from painhero.converters import id_parse
from painhero.http import client_ip, is_htmx
from portal.access import (
    ALL_ROLES,
    DESK_ROLES,
    access_appointment,
    appointments_visible,
    portal_view,
)
from portal.forms.today import AppointmentCreateForm, MoveForm, OpenTimesForm
from portal.marks import appointments_over_time_off
from portal.models import Membership, Role
from portal.services import appointments
from scheduling.selectors import next_available_by_service, open_times_list


def _zone(membership: Membership) -> ZoneInfo:
    return ZoneInfo(membership.clinic.time_zone)


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    # Midnight to midnight on the clinic's wall clock (23 or 25 hours on a DST day).
    return datetime.combine(day, time.min, zone), datetime.combine(day + timedelta(days=1), time.min, zone)


def _parse_day(raw: str | None, zone: ZoneInfo, now: datetime) -> date | None:
    """The ``?day=`` asked for (today if none or unreadable), or None when it lies outside the sane window."""
    today = now.astimezone(zone).date()
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
    return day if date_in_window(day, today=today) else None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """After sign-in: straight to the only clinic's day, or a list to choose from."""
    if not request.user.is_authenticated:
        return redirect("portal:login")
    memberships = list(Membership.objects.for_user(request.user))
    if len(memberships) == 1:
        return redirect("portal:today", memberships[0].clinic_id)
    return render(request, "portal/home.html", {"memberships": memberships})


@require_GET
def switch(request: HttpRequest) -> HttpResponse:
    clinic = id_parse(request.GET.get("clinic", ""))
    if clinic is None:
        return redirect("portal:home")
    return redirect("portal:today", clinic)


NO_SHOW_PERIOD = timedelta(days=90)


def _day_rows(membership: Membership, day_start: datetime, day_end: datetime) -> list[Any]:
    appointments = list(
        appointments_visible(membership)
        .filter(start__gte=day_start, start__lt=day_end)
        .select_related("practitioner", "service")
        .order_by("start", "pk")
    )
    arrived = set(
        AppointmentEvent.objects.filter(appointment__in=appointments, kind=EventKind.ARRIVED).values_list(
            "appointment_id", flat=True
        )
    )
    over = appointments_over_time_off(appointments)
    sent = sent_messages_by_appointment(appointment_ids=[a.pk for a in appointments])
    for appointment in appointments:
        appointment.has_arrived = appointment.pk in arrived  # type: ignore[attr-defined]
        appointment.over_time_off = appointment.pk in over  # type: ignore[attr-defined]
        appointment.sent_messages = sent.get(appointment.pk, [])  # type: ignore[attr-defined]
    return appointments


def _next_available(membership: Membership, now: datetime) -> list[dict[str, Any]]:
    """Each active service's next open time, from the precomputed table (one query each for rows and services)."""
    own = membership.practitioner_id if membership.role == Role.PRACTITIONER else None
    soonest = next_available_by_service(clinic_id=membership.clinic_id, now=now, practitioner_id=own)
    zone = _zone(membership)
    services = Service.objects.filter(clinic_id=membership.clinic_id, is_active=True)
    return [
        {"service": s, "next": soonest[s.pk].astimezone(zone) if s.pk in soonest else None}
        for s in services
        if membership.role != Role.PRACTITIONER or s.pk in soonest
    ]


@portal_view(roles=ALL_ROLES)
@require_GET
def today(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    now, zone = timezone.now(), _zone(membership)
    day = _parse_day(request.GET.get("day"), zone, now)
    if day is None:
        message = "day: " + window_message(today=now.astimezone(zone).date())
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    day_start, day_end = _day_bounds(day, zone)
    appointments = _day_rows(membership, day_start, day_end)
    # One column per practitioner with appointments that day (a retired one's history included);
    # a practitioner always sees their own column, even on an empty day.
    by_practitioner: dict[int, list[Any]] = defaultdict(list)
    people: dict[int, Practitioner] = {}
    for appointment in appointments:
        by_practitioner[appointment.practitioner_id].append(appointment)
        people[appointment.practitioner_id] = appointment.practitioner
    if membership.role == Role.PRACTITIONER and membership.practitioner is not None:
        people.setdefault(membership.practitioner.pk, membership.practitioner)
    ordered = sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.pk))
    columns = [{"practitioner": p, "appointments": by_practitioner.get(p.pk, [])} for p in ordered]
    context = {
        "membership": membership,
        "day": day,
        "is_today": day == now.astimezone(zone).date(),
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "columns": columns,
        "count": sum(1 for a in appointments if a.status != AppointmentStatus.CANCELLED),
        "next_available": _next_available(membership, now),
        # Visits of the last 90 days that are over: no-shows among those reminded and those not.
        "no_shows": no_show_rates(clinic_id=membership.clinic_id, since=now - NO_SHOW_PERIOD, until=now),
        "zone": zone,
        "now": now,
    }
    return render(request, "portal/today.html", context)


def _row(request: HttpRequest, membership: Membership, appointment: Any, *, error: str = "") -> HttpResponse:
    appointment.error = error
    appointment.has_arrived = AppointmentEvent.objects.filter(appointment=appointment, kind=EventKind.ARRIVED).exists()
    appointment.over_time_off = appointment.pk in appointments_over_time_off([appointment])
    appointment.sent_messages = sent_messages_by_appointment(appointment_ids=[appointment.pk])[appointment.pk]
    context = {"membership": membership, "appointment": appointment, "zone": _zone(membership)}
    return render(request, "portal/_appointment_row.html", context)


@portal_view(roles=ALL_ROLES)
@require_POST
def appointment_status(
    request: HttpRequest, clinic_id: int, appointment_id: int, *, membership: Membership
) -> HttpResponse:
    appointment = access_appointment(membership, appointment_id)
    error = ""
    try:
        appointments.appointment_status_set(
            actor=membership,
            appointment=appointment,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
            ip=client_ip(request),
            now=timezone.now(),
        )
    except appointments.UnknownAction:
        return HttpResponse(_("Unknown action."), status=400, content_type="text/plain; charset=utf-8")
    except BookingError as exc:
        error = exc.message
    appointment = access_appointment(membership, appointment_id)
    if is_htmx(request):
        # The row is swapped in either way: with the refusal written in it when there is one.
        return _row(request, membership, appointment, error=error)
    if error:
        messages.error(request, error)
    day = appointment.start.astimezone(_zone(membership)).date().isoformat()
    return redirect(f"{request.path.rsplit('/appointments/', 1)[0]}/?day={day}")


def _slots(membership: Membership, form: OpenTimesForm, now: datetime) -> list[dict[str, Any]]:
    data = form.cleaned_data
    zone = _zone(membership)
    start, end = _day_bounds(data["day"], zone)
    slots = open_times_list(
        clinic=membership.clinic,
        start=start,
        end=end,
        now=now,
        service=data["service"],
        practitioner=data["practitioner"],
    )
    names = Practitioner.objects.filter(clinic_id=membership.clinic_id).names()
    return [
        {
            "value": f"{s.practitioner_id}|{s.start.isoformat()}",
            "start": s.start,
            "practitioner": names.get(s.practitioner_id, ""),
        }
        for s in slots[:80]
    ]


@portal_view(roles=DESK_ROLES)
@require_GET
def open_times(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    """The htmx fragment of open times for the chosen service, practitioner and day."""
    form = OpenTimesForm(request.GET, membership=membership, now=timezone.now())
    if not form.is_valid():
        return render(
            request, "portal/_open_times.html", {"form": form, "slots": [], "membership": membership}, status=400
        )
    slots = _slots(membership, form, timezone.now())
    return render(request, "portal/_open_times.html", {"form": form, "slots": slots, "membership": membership})


def _taken_context(error: SlotTaken, membership: Membership) -> list[dict[str, Any]]:
    names = Practitioner.objects.filter(clinic_id=membership.clinic_id).names()
    zone = _zone(membership)
    return [
        {
            "value": f"{o.practitioner_id}|{o.start.isoformat()}",
            "start": o.start.astimezone(zone),
            "practitioner": names.get(o.practitioner_id, ""),
        }
        for o in error.alternatives
    ]


@portal_view(roles=DESK_ROLES)
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    now = timezone.now()
    today = now.astimezone(_zone(membership)).date()
    # Unbound until a service is chosen: the first view shows the choices, not "this field is required".
    lookup = (
        OpenTimesForm(request.GET, membership=membership, now=now)
        if request.GET.get("service")
        else OpenTimesForm(initial={"day": request.GET.get("day") or today}, membership=membership, now=now)
    )
    form = AppointmentCreateForm(
        request.POST or None,
        membership=membership,
        now=now,
        initial={"token": secrets.token_urlsafe(16), "first_visit": True},
    )
    status, alternatives = 200, []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                booked = appointments.appointment_book(
                    actor=membership,
                    practitioner=data["practitioner"],
                    service=data["service"],
                    start=data["start"],
                    patient=form.patient(),
                    token=data["token"],
                    ip=client_ip(request),
                    now=now,
                )
            except SlotTaken as exc:
                form.add_error("slot", exc.message)
                alternatives = _taken_context(exc, membership)
                status = 409
            except BookingError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Booked. The patient gets a confirmation email."))
                day = booked.appointment.start.astimezone(_zone(membership)).date().isoformat()
                return redirect(f"{_today_url(clinic_id)}?day={day}")
    slots = _slots(membership, lookup, now) if lookup.is_valid() else []
    context = {"membership": membership, "form": form, "lookup": lookup, "slots": slots, "alternatives": alternatives}
    return render(request, "portal/appointment_new.html", context, status=status)


def _today_url(clinic_id: int) -> str:
    return reverse("portal:today", args=[clinic_id])


@portal_view(roles=DESK_ROLES)
@require_http_methods(["GET", "POST"])
def appointment_move(
    request: HttpRequest, clinic_id: int, appointment_id: int, *, membership: Membership
) -> HttpResponse:
    appointment = access_appointment(membership, appointment_id)
    if appointment.status != AppointmentStatus.BOOKED:
        raise Http404
    now, zone = timezone.now(), _zone(membership)
    lookup = OpenTimesForm(
        {
            "service": appointment.service_id,
            "practitioner": request.GET.get("practitioner", appointment.practitioner_id),
            "day": request.GET.get("day") or appointment.start.astimezone(zone).date().isoformat(),
        },
        membership=membership,
        now=now,
    )
    form = MoveForm(request.POST or None, membership=membership, now=now)
    status, alternatives = 200, []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                moved = appointments.appointment_move(
                    actor=membership,
                    appointment=appointment,
                    start=form.cleaned_data["start"],
                    practitioner=form.cleaned_data["practitioner"],
                    ip=client_ip(request),
                    now=now,
                )
            except SlotTaken as exc:
                form.add_error("slot", exc.message)
                alternatives = _taken_context(exc, membership)
                status = 409
            except BookingError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Moved. The patient gets an email with the new time."))
                return redirect(f"{_today_url(clinic_id)}?day={moved.start.astimezone(zone).date().isoformat()}")
    slots = _slots(membership, lookup, now) if lookup.is_valid() else []
    context = {
        "membership": membership,
        "appointment": appointment,
        "form": form,
        "lookup": lookup,
        "slots": slots,
        "alternatives": alternatives,
        "zone": zone,
    }
    return render(request, "portal/appointment_move.html", context, status=status)
