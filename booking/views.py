"""Pages of the booking path: hold a time, fill in the form, see, cancel or move the appointment.

Views parse, fetch by private token (404 for anything else), call booking.services, render.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.availability import Opening, open_times
from booking.errors import BookingError, HoldInvalid, SlotTaken
from booking.forms import PatientForm
from booking.idempotency import request_hash
from booking.models import AppointmentSource, AppointmentStatus, Hold
from booking.selectors import appointment_for_token
from booking.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    cancellation_deadline,
    hold_create,
)
from clinics.models import Practitioner, Service

SESSION_HOLDS = "booking_holds"


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _parse_start(raw: str) -> datetime | None:
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a "+" in a query string arrives as a space
    except ValueError:
        return None
    return value if value is not None and value.tzinfo is not None else None


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "booking/problem.html", {"message": message}, status=status)


def _taken_page(
    request: HttpRequest, *, error: SlotTaken, practitioner: Practitioner, service: Service, start: datetime
) -> HttpResponse:
    zone = ZoneInfo(practitioner.clinic.time_zone)
    context = {
        "message": error.message,
        "lapsed": isinstance(error, HoldInvalid),
        "clinic": practitioner.clinic,
        "practitioner": practitioner,
        "service": service,
        "start": start,
        "zone": zone,
        "alternatives": _with_names(error.alternatives),
    }
    return render(request, "booking/taken.html", context, status=409)


def _with_names(openings: list[Opening]) -> list[dict[str, Any]]:
    names = {p.pk: p.full_name for p in Practitioner.objects.filter(pk__in={o.practitioner_id for o in openings})}
    return [{"opening": o, "practitioner_name": names.get(o.practitioner_id, "")} for o in openings]


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The link an open time points at: hold the time for this visitor, then show the form."""
    start_at = _parse_start(request.GET.get("start", ""))
    try:
        practitioner = Practitioner.objects.select_related("clinic").get(pk=int(request.GET.get("practitioner", "")))
        service = Service.objects.get(pk=int(request.GET.get("service", "")), clinic_id=practitioner.clinic_id)
    except (ValueError, Practitioner.DoesNotExist, Service.DoesNotExist):
        return _problem(request, _("This booking link is incomplete: it names no practitioner or service."), 400)
    if start_at is None:
        return _problem(request, _("This booking link has no valid start time."), 400)
    if not request.session.session_key:
        request.session.save()
    try:
        hold = hold_create(
            practitioner=practitioner,
            service=service,
            start=start_at,
            now=timezone.now(),
            owner_key=request.session.session_key or "",
            ip=_ip(request),
        )
    except SlotTaken as error:
        return _taken_page(request, error=error, practitioner=practitioner, service=service, start=start_at)
    except BookingError as error:
        return _problem(request, error.message, error.status)
    holds = request.session.get(SESSION_HOLDS, {})
    holds[str(hold.pk)] = {
        "token": hold.token,
        "practitioner": practitioner.pk,
        "service": service.pk,
        "start": start_at.isoformat(),
    }
    request.session[SESSION_HOLDS] = holds
    return redirect("booking:checkout", hold_id=hold.pk)


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, hold_id: int) -> HttpResponse:
    held = request.session.get(SESSION_HOLDS, {}).get(str(hold_id))
    if held is None:
        raise Http404
    practitioner = Practitioner.objects.select_related("clinic__city").get(pk=held["practitioner"])
    service = Service.objects.get(pk=held["service"])
    start_at = datetime.fromisoformat(held["start"])
    now = timezone.now()
    # The row may be gone (lapsed and swept, or booked by this very form): a stub still carries id and token.
    hold = Hold.objects.filter(pk=hold_id).first() or Hold(pk=hold_id, token=held["token"], expires_at=now)
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        body = {k: v for k, v in form.cleaned_data.items() if k != "form_token"} | {"hold": hold_id}
        try:
            booked = appointment_book(
                practitioner=practitioner,
                service=service,
                start=start_at,
                patient=form.patient(),
                now=now,
                source=AppointmentSource.WEB,
                hold=hold,
                hold_token=held["token"],
                idempotency_key=form.cleaned_data["form_token"],
                idempotency_scope="web",
                body_hash=request_hash(body),
                ip=_ip(request),
            )
        except SlotTaken as error:
            return _taken_page(request, error=error, practitioner=practitioner, service=service, start=start_at)
        except BookingError as error:
            return _problem(request, error.message, error.status)
        # The session keeps the hold's entry: a form sent twice must reach the idempotent replay, not a 404.
        return redirect(_manage_url(booked.appointment.manage_token) + "?booked=1")
    seconds_left = max(0, int((hold.expires_at - now).total_seconds()))
    context = {
        "form": form,
        "practitioner": practitioner,
        "service": service,
        "clinic": practitioner.clinic,
        "start": start_at,
        "end": start_at + timedelta(minutes=service.duration_minutes),
        "zone": ZoneInfo(practitioner.clinic.time_zone),
        "expires_at": hold.expires_at,
        "seconds_left": seconds_left,
        "time_left": f"{seconds_left // 60}:{seconds_left % 60:02d}",
    }
    return render(request, "booking/checkout.html", context)


def _manage_url(token: str) -> str:
    return reverse("booking:manage", kwargs={"token": token})


def _appointment_or_404(token: str) -> Any:
    appointment = appointment_for_token(token=token)
    if appointment is None:
        raise Http404
    return appointment


@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    now = timezone.now()
    deadline = cancellation_deadline(appointment=appointment)
    context = {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "zone": ZoneInfo(appointment.clinic.time_zone),
        "booked": request.GET.get("booked") == "1",
        "is_booked": appointment.status == AppointmentStatus.BOOKED,
        "can_change": appointment.status == AppointmentStatus.BOOKED and now <= deadline,
        "deadline": deadline,
        "past": appointment.start <= now,
    }
    response = render(request, "booking/manage.html", context)
    # The URL is the key to the appointment: keep it out of caches and Referer headers.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    try:
        appointment_cancel(appointment=appointment, now=timezone.now(), source=AppointmentSource.WEB, ip=_ip(request))
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your appointment is cancelled. We sent you an email."))
    return redirect("booking:manage", token=token)


@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    now = timezone.now()
    error_message = ""
    if request.method == "POST":
        # Each choice is "<start>|<practitioner id>": the same time may be open with two practitioners.
        raw_start, _sep, raw_practitioner = request.POST.get("start", "").partition("|")
        new_start = _parse_start(raw_start)
        practitioner_id = int(raw_practitioner) if raw_practitioner.isdigit() else appointment.practitioner_id
        practitioner = Practitioner.objects.filter(pk=practitioner_id, clinic_id=appointment.clinic_id).first()
        if new_start is None or practitioner is None:
            error_message = _("Pick one of the times below.")
        else:
            try:
                appointment_reschedule(
                    appointment=appointment,
                    start=new_start,
                    practitioner=practitioner,
                    now=now,
                    source=AppointmentSource.WEB,
                    ip=_ip(request),
                )
            except BookingError as error:
                error_message = error.message
            else:
                messages.success(request, _("Your appointment has moved. We sent you an email."))
                return redirect("booking:manage", token=token)
    openings = open_times(
        clinic=appointment.clinic, service=appointment.service, start=now, end=now + timedelta(days=14), now=now
    )
    # The same practitioner first, then the soonest.
    openings.sort(key=lambda o: (o.practitioner_id != appointment.practitioner_id, o.start))
    context = {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "zone": ZoneInfo(appointment.clinic.time_zone),
        "alternatives": _with_names(openings[:40]),
        "error_message": error_message,
    }
    return render(request, "booking/reschedule.html", context, status=409 if error_message else 200)
