"""Pages of the booking path: the form for a time (and its hold), then see, cancel or move the appointment.

Views parse, fetch by private token (404 for anything else), call booking.services, render.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.availability import OpenTime, alternatives_list, open_times, slot_open
from booking.errors import BookingError, HoldInvalid, SlotTaken
from booking.forms import CancelForm, PatientForm
from booking.hooks import SESSION_INTAKE_TOKEN, IntakeRefused
from booking.idempotency import request_hash
from booking.models import AppointmentSource, AppointmentStatus, ClinicBookingPolicy, Hold
from booking.reminders import appointment_confirm, appointment_confirmed
from booking.selectors import appointment_for_token
from booking.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    booking_check,
    clinic_check,
    hold_create,
)
from booking.video import video_url
from booking.waitlist import (
    waitlist_for_token,
    waitlist_leave,
    waitlist_move_earlier_join,
    waitlist_move_earlier_standing,
)
from booking.waitlist_offers import waitlist_offer_accept, waitlist_offer_standing
from clinics.models import Practitioner, Service
from painhero.bounds import date_check, window_message
from painhero.converters import id_parse
from painhero.http import client_ip, is_htmx

# Who holds a time is the browser's visitor id, never the session: the session row is rewritten whole by every
# request (SESSION_SAVE_EVERY_REQUEST), so a request that read it before the hold was saved puts back a copy
# without the hold, and the hold POST is often the request that creates the session, so a form sent before its
# answer arrived carries no session at all. Either way the patient's own hold counted as someone else's (409).
# The id comes with the page (a signed cookie, and a signed hidden field in both of the page's forms), before
# the page's scripts run, so the hold and the booking of one page always name the same owner.
VISITOR_COOKIE = "booking_visitor"
VISITOR_FIELD = "visitor"
VISITOR_SALT = "booking.visitor"
VISITOR_AGE = 24 * 3600
# Only a hint for the wording of a refusal ("your hold has lapsed"): it is never the proof of a hold.
SESSION_HOLDS = "booking_holds"


def _parse_start(raw: str) -> datetime | None:
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a "+" in a query string arrives as a space
    except ValueError:
        return None
    return value if value is not None and value.tzinfo is not None else None


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "booking/problem.html", {"message": message}, status=status)


def _taken_page(
    request: HttpRequest,
    *,
    error: SlotTaken,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    details: dict[str, str] | None = None,
    lapsed: bool = False,
) -> HttpResponse:
    """The time is gone: the nearest others, each one a click away; with ``details``, what was typed goes along."""
    zone = ZoneInfo(practitioner.clinic.time_zone)
    context = {
        "message": error.message,
        "lapsed": lapsed or isinstance(error, HoldInvalid),
        "details": details or {},
        "clinic": practitioner.clinic,
        "practitioner": practitioner,
        "service": service,
        "start": start,
        "zone": zone,
        "alternatives": _with_names(error.alternatives),
    }
    return render(request, "booking/taken.html", context, status=409)


def _with_names(openings: list[OpenTime]) -> list[dict[str, Any]]:
    names = Practitioner.objects.filter(pk__in={o.practitioner_id for o in openings}).names()
    return [{"opening": o, "practitioner_name": names.get(o.practitioner_id, "")} for o in openings]


def _slot_key(practitioner: Practitioner, service: Service, start_at: datetime) -> str:
    return f"{practitioner.pk}:{service.pk}:{start_at.astimezone(UTC).isoformat()}"


def _start_url(practitioner: Practitioner, service: Service, start_at: datetime) -> str:
    query = {"practitioner": practitioner.pk, "service": service.pk, "start": start_at.isoformat()}
    return f"{reverse('booking:start')}?{urlencode(query)}"


def _link_slot(
    request: HttpRequest, params: Any, now: datetime
) -> tuple[Practitioner, Service, datetime] | HttpResponse:
    """The time a /book/ link (or the hold form) names, or the 400 page that says what is wrong with it."""
    try:
        practitioner = Practitioner.objects.select_related("clinic__city").get(pk=int(params.get("practitioner", "")))
        service = Service.objects.get(pk=int(params.get("service", "")), clinic_id=practitioner.clinic_id)
    except (ValueError, Practitioner.DoesNotExist, Service.DoesNotExist):
        return _problem(request, _("This booking link is incomplete: it names no practitioner or service."), 400)
    start_at = _parse_start(params.get("start", ""))
    if start_at is None:
        return _problem(request, _("This booking link has no valid start time."), 400)
    try:
        date_check(start_at, today=now.date())
    except ValidationError:
        return _problem(request, window_message(today=now.date()), 400)
    return practitioner, service, start_at


def _visitor(request: HttpRequest) -> str:
    """This browser's visitor id: the page's signed field first (it names the page's own owner), then the cookie.

    "" when it has none (or a forged one): the caller issues a new one.
    """
    signer = signing.Signer(salt=VISITOR_SALT)
    raw = request.POST.get(VISITOR_FIELD, "") if request.method == "POST" else ""
    if raw:
        try:
            return signer.unsign(raw)
        except signing.BadSignature:
            pass
    return request.get_signed_cookie(VISITOR_COOKIE, default="", salt=VISITOR_SALT, max_age=VISITOR_AGE) or ""


def _keep_visitor(request: HttpRequest, response: HttpResponse, visitor: str) -> HttpResponse:
    """Give the browser its visitor id as a cookie when it does not send this one (no server state: a GET may)."""
    if request.get_signed_cookie(VISITOR_COOKIE, default="", salt=VISITOR_SALT, max_age=VISITOR_AGE) != visitor:
        response.set_signed_cookie(
            VISITOR_COOKIE,
            visitor,
            salt=VISITOR_SALT,
            max_age=VISITOR_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _mine(visitor: str, practitioner: Practitioner, service: Service, start_at: datetime) -> Hold | None:
    """This browser's hold on the time, active or lapsed (a lapsed row is let go by the booking), if any."""
    if not visitor:
        return None
    mine = Hold.objects.filter(owner_key=visitor, practitioner=practitioner, service=service, start=start_at)
    return mine.order_by("-expires_at").first()


def _held(visitor: str, practitioner: Practitioner, service: Service, start_at: datetime, now: datetime) -> Hold | None:
    """This browser's active hold on the time, if it has one."""
    hold = _mine(visitor, practitioner, service, start_at)
    return hold if hold is not None and hold.expires_at > now else None


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The link an open time points at: the form for that time (a GET holds nothing), and its booking (POST).

    The page asks for a hold itself (``hold`` below, sent by booking/hold.js as it loads), so a person sees
    the countdown while crawlers and link previews take nothing. The POST books even without a hold, or
    with one that lapsed, if the time is still free.
    """
    now = timezone.now()
    found = _link_slot(request, request.GET, now)
    if isinstance(found, HttpResponse):
        return found
    practitioner, service, start_at = found
    visitor = _visitor(request) or secrets.token_urlsafe(24)
    hold = _held(visitor, practitioner, service, start_at, now)
    reviewing = request.method == "POST" and request.POST.get("review") == "1"
    if request.method == "POST" and not reviewing:
        form = PatientForm(request.POST)
        if form.is_valid():
            booked = _book(
                request,
                form=form,
                visitor=visitor,
                practitioner=practitioner,
                service=service,
                start_at=start_at,
                now=now,
            )
            return _keep_visitor(request, booked, visitor)
    else:
        # A review carries the details typed for a time that was taken: shown again, unvalidated, to confirm.
        form = PatientForm(initial=_details(request.POST) if reviewing else None)
    try:
        booking_check(practitioner=practitioner, service=service, start=start_at, now=now)
    except BookingError as error:
        return _problem(request, error.message, error.status)
    if (
        request.method == "GET"
        and hold is None
        and not slot_open(practitioner=practitioner, service=service, start=start_at, now=now)
    ):
        taken = SlotTaken(
            alternatives=alternatives_list(
                clinic=practitioner.clinic, service=service, practitioner=practitioner, start=start_at, now=now
            )
        )
        return _taken_page(request, error=taken, practitioner=practitioner, service=service, start=start_at)
    policy = ClinicBookingPolicy.for_clinic(practitioner.clinic_id)
    context = {
        "form": form,
        "practitioner": practitioner,
        "service": service,
        "clinic": practitioner.clinic,
        "start": start_at,
        "end": start_at + timedelta(minutes=service.duration_minutes),
        "zone": ZoneInfo(practitioner.clinic.time_zone),
        "start_value": start_at.isoformat(),
        "form_action": _start_url(practitioner, service, start_at),
        "final": not policy.changeable_online(start=start_at, now=now),
        "window_hours": policy.cancellation_window_hours,
        "visitor_field": VISITOR_FIELD,
        "visitor_signed": signing.Signer(salt=VISITOR_SALT).sign(visitor),
        "carries_intake": bool(_carried_intake(request, service)),
        **_hold_context(hold, now),
    }
    response = render(request, "booking/checkout.html", context, status=400 if form.is_bound else 200)
    response["Cache-Control"] = "private, no-store"
    return _keep_visitor(request, response, visitor)


def _carried_intake(request: HttpRequest, service: Service) -> str:
    """The intake token a free consultation booked from this browser carries (booking.hooks), or ""."""
    if not service.is_free_consultation:
        return ""
    return str(request.session.get(SESSION_INTAKE_TOKEN) or "")


def _details(data: Any) -> dict[str, str]:
    """The patient's details as typed, to carry to another time (never the form token: a new one is issued)."""
    return {name: data.get(name, "") for name in PatientForm.base_fields if name != "form_token" and name in data}


def _hold_context(hold: Hold | None, now: datetime) -> dict[str, Any]:
    seconds_left = max(0, int((hold.expires_at - now).total_seconds())) if hold is not None else 0
    return {
        "hold": hold,
        "seconds_left": seconds_left,
        "time_left": f"{seconds_left // 60}:{seconds_left % 60:02d}",
    }


def _book(
    request: HttpRequest,
    *,
    form: PatientForm,
    visitor: str,
    practitioner: Practitioner,
    service: Service,
    start_at: datetime,
    now: datetime,
) -> HttpResponse:
    key = _slot_key(practitioner, service, start_at)
    body = {k: v for k, v in form.cleaned_data.items() if k != "form_token"} | {"slot": key}

    def book(hold: Hold | None) -> Any:
        return appointment_book(
            practitioner=practitioner,
            service=service,
            start=start_at,
            patient=form.patient(),
            now=now,
            source=AppointmentSource.WEB,
            hold=hold,
            hold_token=hold.token if hold is not None else "",
            lapsed_hold_ok=True,
            idempotency_key=form.cleaned_data["form_token"],
            idempotency_scope="web",
            body_hash=request_hash(body),
            ip=client_ip(request),
            language=request.LANGUAGE_CODE,
            intake_token=intake_token,
        )

    intake_token = _carried_intake(request, service)
    # A form sent twice finds no hold the second time (the first used it up) and meets the idempotent replay.
    hold = _mine(visitor, practitioner, service, start_at)
    try:
        try:
            booked = book(hold)
        except SlotTaken:
            # The page's own hold may have been written while this form waited for the lock: look once more.
            late = _mine(visitor, practitioner, service, start_at) if hold is None else None
            if late is None:
                raise
            booked = book(late)
    except SlotTaken as error:
        had_hold = hold is not None or key in request.session.get(SESSION_HOLDS, {})
        return _taken_page(
            request,
            error=error,
            practitioner=practitioner,
            service=service,
            start=start_at,
            details=_details(request.POST),
            lapsed=had_hold and _held(visitor, practitioner, service, start_at, now) is None,
        )
    except IntakeRefused as error:
        # The intake cannot go with this booking: it is let go, so the patient can book without it or start again.
        request.session.pop(SESSION_INTAKE_TOKEN, None)
        return _problem(request, error.message, error.status)
    except BookingError as error:
        return _problem(request, error.message, error.status)
    if intake_token:
        request.session.pop(SESSION_INTAKE_TOKEN, None)  # carried once: the next booking starts afresh
    return redirect(_manage_url(booked.appointment.manage_token) + "?booked=1")


@require_POST
def hold(request: HttpRequest) -> HttpResponse:
    """Hold the time the booking page shows, for this browser; its earlier hold gives way to this one.

    Sent by the page itself as it loads (a fragment with the countdown comes back); without JavaScript,
    the page's "Hold this time" button sends it and comes back to the page.
    """
    now = timezone.now()
    found = _link_slot(request, request.POST, now)
    if isinstance(found, HttpResponse):
        return found
    practitioner, service, start_at = found
    visitor = _visitor(request) or secrets.token_urlsafe(24)
    fragment = is_htmx(request)
    context: dict[str, Any] = {"clinic": practitioner.clinic, "zone": ZoneInfo(practitioner.clinic.time_zone)}
    try:
        held = hold_create(
            practitioner=practitioner,
            service=service,
            start=start_at,
            now=now,
            owner_key=visitor,
            ip=client_ip(request),
            replace_own=True,
        )
    except SlotTaken as error:
        if not fragment:
            return _taken_page(request, error=error, practitioner=practitioner, service=service, start=start_at)
        context |= {"message": error.message, "alternatives": _with_names(error.alternatives)}
        return render(request, "booking/_hold.html", context, status=error.status)
    except BookingError as error:
        if not fragment:
            return _problem(request, error.message, error.status)
        return render(request, "booking/_hold.html", context | {"message": error.message}, status=error.status)
    # A hint for the wording of a later refusal; the hold itself is the visitor's (see VISITOR_COOKIE).
    request.session[SESSION_HOLDS] = {_slot_key(practitioner, service, start_at): held.pk}
    if not fragment:
        return _keep_visitor(request, redirect(_start_url(practitioner, service, start_at)), visitor)
    return _keep_visitor(request, render(request, "booking/_hold.html", context | _hold_context(held, now)), visitor)


def _manage_url(token: str) -> str:
    return reverse("booking:manage", kwargs={"token": token})


def _appointment_or_404(token: str) -> Any:
    appointment = appointment_for_token(token=token)
    if appointment is None:
        raise Http404
    return appointment


def _private(response: HttpResponse) -> HttpResponse:
    """The URL is the key to the appointment: keep it out of caches and out of Referer headers to other sites.

    "same-origin", not "no-referrer": with no referrer at all Chromium sends ``Origin: null`` on the page's
    own forms, and Django's CSRF check (rightly) refuses them.
    """
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    now = timezone.now()
    policy = ClinicBookingPolicy.for_clinic(appointment.clinic_id)
    is_booked = appointment.status == AppointmentStatus.BOOKED
    context = {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "zone": ZoneInfo(appointment.clinic.time_zone),
        "booked": request.GET.get("booked") == "1",
        "is_booked": is_booked,
        "can_change": appointment.changeable_online(now=now, policy=policy),
        "deadline": policy.changeable_until(appointment.start),
        "past": appointment.start <= now,
        # The video consultation's meeting room: this page is the patient's own (private, no-store).
        "video_url": video_url(appointment) if is_booked else "",
        "earlier": waitlist_move_earlier_standing(appointment=appointment) if is_booked else None,
    }
    return _private(render(request, "booking/manage.html", context))


@require_POST
def move_earlier(request: HttpRequest, token: str) -> HttpResponse:
    """ "Move me earlier if a time opens" (``action=join``), or no longer (``action=leave``), from the manage page."""
    appointment = _appointment_or_404(token)
    now = timezone.now()
    action = request.POST.get("action", "")
    if action not in ("join", "leave"):
        return _problem(request, _("action: send join or leave."), 400)
    if action == "leave":
        standing = waitlist_move_earlier_standing(appointment=appointment)
        if standing is not None:
            waitlist_leave(entry=standing, now=now)
        messages.success(request, _("You are no longer waiting for an earlier time."))
        return redirect("booking:manage", token=token)
    try:
        waitlist_move_earlier_join(appointment=appointment, now=now)
    except BookingError as error:
        messages.error(request, error.message)
        return redirect("booking:manage", token=token)
    messages.success(request, _("Done: if an earlier time opens, we hold it for you and tell you by email."))
    return redirect("booking:manage", token=token)


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Ask first (the GET changes nothing), with an optional reason; the POST cancels."""
    appointment = _appointment_or_404(token)
    now = timezone.now()
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appointment_cancel(
                appointment=appointment,
                now=now,
                source=AppointmentSource.WEB,
                ip=client_ip(request),
                reason=form.cleaned_data["reason"],
            )
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your appointment is cancelled. We sent you an email."))
        return redirect("booking:manage", token=token)
    context = {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "zone": ZoneInfo(appointment.clinic.time_zone),
        "form": form,
        "can_change": appointment.changeable_online(now=now),
    }
    return _private(render(request, "booking/cancel.html", context, status=400 if form.is_bound else 200))


@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    now = timezone.now()
    error_message = ""
    if request.method == "POST":
        # Each choice is "<start>|<practitioner id>": the same time may be open with two practitioners.
        raw_start, _sep, raw_practitioner = request.POST.get("start", "").partition("|")
        new_start = _parse_start(raw_start)
        practitioner_id = id_parse(raw_practitioner) or appointment.practitioner_id
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
                    ip=client_ip(request),
                )
            except BookingError as error:
                error_message = error.message
            else:
                messages.success(request, _("Your appointment has moved. We sent you an email."))
                return redirect("booking:manage", token=token)
    policy = ClinicBookingPolicy.for_clinic(appointment.clinic_id)
    alternatives: list[dict[str, Any]] = []
    try:
        clinic_check(clinic=appointment.clinic)
    except BookingError as error:
        error_message = error_message or error.message
    else:
        openings = open_times(
            clinic=appointment.clinic, service=appointment.service, start=now, end=now + timedelta(days=14), now=now
        )
        # The same practitioner first, then the soonest.
        openings.sort(key=lambda o: (o.practitioner_id != appointment.practitioner_id, o.start))
        alternatives = _with_names(openings[:40])
        for item in alternatives:
            # Inside the clinic's cancellation window: the patient could not change it again online.
            item["final"] = not policy.changeable_online(start=item["opening"].start, now=now)
    context = {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "zone": ZoneInfo(appointment.clinic.time_zone),
        "alternatives": alternatives,
        "any_final": any(item["final"] for item in alternatives),
        "window_hours": policy.cancellation_window_hours,
        "error_message": error_message,
    }
    response = render(request, "booking/reschedule.html", context, status=409 if error_message else 200)
    return _private(response)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The reminder's "I will be there": the GET (a link a mail client may prefetch) asks, the POST records."""
    appointment = _appointment_or_404(token)
    now = timezone.now()
    if request.method == "POST":
        try:
            appointment_confirm(appointment=appointment, now=now, source=AppointmentSource.WEB, ip=client_ip(request))
        except BookingError as error:
            messages.error(request, error.message)
            return redirect("booking:manage", token=token)
        messages.success(request, _("Thank you: the clinic knows you will be there."))
        return redirect("booking:confirm", token=token)
    context = {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "zone": ZoneInfo(appointment.clinic.time_zone),
        "is_booked": appointment.status == AppointmentStatus.BOOKED and appointment.start > now,
        "confirmed": appointment_confirmed(appointment),
    }
    return _private(render(request, "booking/confirm.html", context))


@require_http_methods(["GET", "POST"])
def waitlist(request: HttpRequest, token: str) -> HttpResponse:
    """The waitlist link: the GET shows the entry and any offer standing, the POST takes the offer (one tap)."""
    entry = waitlist_for_token(token=token)
    if entry is None:
        raise Http404
    now = timezone.now()
    if request.method == "POST":
        try:
            appointment = waitlist_offer_accept(entry=entry, now=now, ip=client_ip(request))
        except BookingError as error:
            messages.error(request, error.message)
            return redirect("booking:waitlist", token=token)
        if entry.appointment_id is not None:
            messages.success(request, _("Your appointment is moved to the earlier time. We sent you an email."))
        else:
            messages.success(request, _("The time is yours. We sent you an email."))
        return redirect("booking:manage", token=appointment.manage_token)
    offer = waitlist_offer_standing(entry=entry, now=now)
    clinic = offer.practitioner.clinic if offer else entry.clinic
    zone = ZoneInfo(clinic.time_zone) if clinic else None
    context = {"entry": entry, "offer": offer, "clinic": clinic, "zone": zone}
    return _private(render(request, "booking/waitlist.html", context))


@require_GET
def waitlist_short(request: HttpRequest, token: str) -> HttpResponse:
    """The text message's one-tap link: to the offer page (which takes nothing on a GET)."""
    if waitlist_for_token(token=token) is None:
        raise Http404
    return _private(redirect("booking:waitlist", token=token))
