"""Schedules: weekly hours, time off, extra openings and blocked times, closures, booking rules.

Each write shows its effect at once (the practitioner's next open times, computed by the same
engine patients see). A change that would strand booked visits first lists them and asks.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.errors import Busy, NotChangeable
from booking.models import Appointment, ClinicBookingPolicy
from clinics.models import WEEKDAYS, Practitioner
from painhero.http import client_ip
from portal.access import ALL_ROLES, DESK_ROLES, access_practitioner, portal_view
from portal.forms.schedules import OPENING, ClosureForm, RulesForm, SlotForm, TimeOffForm, WorkingHoursForm
from portal.models import Membership, Role
from portal.services import schedules as schedule_services
from portal.services.schedules import ScheduleChange
from scheduling.locking import PractitionerBusy
from scheduling.models import ClinicClosure, PostedOpening, TimeOff, TimeOffKind, WorkingHours
from scheduling.selectors import booking_rules_get, open_times_list

from .common import clock, page

NEXT_TIMES_SHOWN = 12
NEXT_TIMES_DAYS = 14


def _url(name: str, clinic_id: int, **kwargs: int) -> str:
    return reverse(f"portal:{name}", kwargs={"clinic_id": clinic_id, **kwargs})


# --- Pages -----------------------------------------------------------------------------------------


@portal_view(roles=ALL_ROLES)
def schedules(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    """The clinic's practitioners, closures and booking rules; a practitioner goes straight to their own."""
    if membership.role == Role.PRACTITIONER:
        return redirect(_url("schedule", clinic_id, practitioner_id=membership.practitioner_id or 0))
    return _index(request, membership)


def _index(
    request: HttpRequest,
    membership: Membership,
    *,
    closure_form: ClosureForm | None = None,
    rules_form: RulesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clinic, now = membership.clinic, clock()
    policy = ClinicBookingPolicy.objects.filter(clinic=clinic).first()
    context = {
        "membership": membership,
        "practitioners": Practitioner.objects.filter(clinic=clinic).order_by("-is_active", "last_name", "first_name"),
        "closures": ClinicClosure.objects.filter(
            clinic=clinic, end_date__gte=now.astimezone(ZoneInfo(clinic.time_zone)).date()
        ),
        "closure_form": closure_form or ClosureForm(clinic=clinic, now=now),
        "rules_form": rules_form or RulesForm(instance=booking_rules_get(clinic=clinic), policy=policy),
    }
    return page(request, "portal/manage/schedules.html", context, status=status)


@portal_view(roles=ALL_ROLES)
def schedule(request: HttpRequest, clinic_id: int, practitioner_id: int, *, membership: Membership) -> HttpResponse:
    practitioner = access_practitioner(membership, practitioner_id)
    return _schedule_page(request, membership, practitioner)


def _schedule_page(
    request: HttpRequest,
    membership: Membership,
    practitioner: Practitioner,
    *,
    hours_form: WorkingHoursForm | None = None,
    time_off_form: TimeOffForm | None = None,
    slot_form: SlotForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clinic, now = membership.clinic, clock()
    zone = ZoneInfo(clinic.time_zone)
    today = now.astimezone(zone).date()
    blocks = list(
        WorkingHours.objects.filter(practitioner=practitioner)
        .exclude(valid_until__lt=today)
        .order_by("valid_from", "weekday", "start_time")
    )
    current: dict[int, list] = {}
    for block in blocks:
        if block.valid_from <= today:
            current.setdefault(block.weekday, []).append((block.start_time, block.end_time))
    slots = open_times_list(
        clinic=clinic, start=now, end=now + timedelta(days=NEXT_TIMES_DAYS), now=now, practitioner=practitioner
    )
    starts = sorted({slot.start for slot in slots})[:NEXT_TIMES_SHOWN]
    context = {
        "membership": membership,
        "practitioner": practitioner,
        "blocks": [(WEEKDAYS[b.weekday], b) for b in blocks],
        "time_off": TimeOff.objects.filter(practitioner=practitioner, end__gt=now),
        "openings": PostedOpening.objects.filter(practitioner=practitioner, end__gt=now),
        "next_times": [s.astimezone(zone) for s in starts],
        "hours_form": hours_form or WorkingHoursForm(clinic=clinic, now=now, current=current),
        "time_off_form": time_off_form or TimeOffForm(clinic=clinic, now=now),
        "slot_form": slot_form or SlotForm(clinic=clinic, now=now, practitioner=practitioner),
        "zone": clinic.time_zone,
    }
    return page(request, "portal/manage/schedule.html", context, status=status)


# --- Strand protection -----------------------------------------------------------------------------


def _change_apply(
    request: HttpRequest, membership: Membership, *, change: ScheduleChange, done_url: str, now: datetime
) -> HttpResponse:
    """Apply a change that may strand booked visits: ask first (keep them, cancel them, or go back), then report."""
    decision = request.POST.get("stranded_decision")
    try:
        done = schedule_services.schedule_change_apply(
            actor=membership,
            change=change,
            decision=decision,
            seen_ids=list(filter(None, request.POST.get("stranded_ids", "").split(","))),
            ip=client_ip(request),
            now=now,
        )
    except schedule_services.StrandedVisitsFound as ask:
        if ask.seen_changed:
            messages.warning(request, _("The booked visits changed since you looked: please check the list again."))
        return _ask(request, membership, stranded=ask.stranded, done_url=done_url)
    except ValidationError as exc:
        # The services check again inside the transaction (e.g. overlapping hours saved meanwhile).
        messages.error(request, " ".join(exc.messages))
        return redirect(done_url)
    except (Busy, NotChangeable) as exc:
        messages.error(request, str(exc))
        return redirect(done_url)
    except PractitionerBusy:
        messages.error(request, str(Busy.default_message))
        return redirect(done_url)
    messages.success(request, done.summary)
    if done.cancelled:
        messages.info(request, _("%(n)d visit(s) cancelled; each patient gets an email.") % {"n": done.cancelled})
    elif done.stranded:
        messages.info(request, _("%(n)d visit(s) kept as booked.") % {"n": len(done.stranded)})
    return redirect(done_url)


def _ask(request: HttpRequest, membership: Membership, *, stranded: list[Appointment], done_url: str) -> HttpResponse:
    """The confirmation page: the stranded visits, and the same form posted again with the member's choice."""
    repost = [(k, v) for k, values in request.POST.lists() for v in values if k not in _NOT_REPOSTED]
    context = {
        "membership": membership,
        "stranded": stranded,
        "stranded_ids": ",".join(schedule_services.stranded_ids(stranded)),
        "repost": repost,
        "action": request.path,
        "back_url": done_url,
        "zone": membership.clinic.time_zone,
    }
    return page(request, "portal/manage/stranded.html", context)


_NOT_REPOSTED = {"csrfmiddlewaretoken", "stranded_decision", "stranded_ids"}


# --- Practitioner writes ---------------------------------------------------------------------------


@portal_view(roles=ALL_ROLES)
@require_POST
def hours_set(request: HttpRequest, clinic_id: int, practitioner_id: int, *, membership: Membership) -> HttpResponse:
    practitioner = access_practitioner(membership, practitioner_id)
    now = clock()
    form = WorkingHoursForm(request.POST, clinic=membership.clinic, now=now)
    if not form.is_valid():
        return _schedule_page(request, membership, practitioner, hours_form=form, status=400)
    if form.asks_to_confirm:  # outside the clinic's posted hours: say so, save once confirmed
        return _schedule_page(request, membership, practitioner, hours_form=form)
    data = form.cleaned_data
    change = schedule_services.working_hours_change(
        practitioner=practitioner,
        blocks=data["blocks"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        outside_posted_hours=bool(form.outside_hours_warning),
        now=now,
    )
    done = _url("schedule", clinic_id, practitioner_id=practitioner.pk)
    return _change_apply(request, membership, change=change, done_url=done, now=now)


@portal_view(roles=ALL_ROLES)
@require_POST
def time_off_add(request: HttpRequest, clinic_id: int, practitioner_id: int, *, membership: Membership) -> HttpResponse:
    practitioner = access_practitioner(membership, practitioner_id)
    now = clock()
    form = TimeOffForm(request.POST, clinic=membership.clinic, now=now)
    if not form.is_valid():
        return _schedule_page(request, membership, practitioner, time_off_form=form, status=400)
    return _unavailable(request, membership, practitioner, data=form.cleaned_data, kind=TimeOffKind.TIME_OFF, now=now)


def _unavailable(
    request: HttpRequest,
    membership: Membership,
    practitioner: Practitioner,
    *,
    data: dict[str, Any],
    kind: str,
    now: datetime,
) -> HttpResponse:
    change = schedule_services.time_off_change(
        practitioner=practitioner, start=data["start"], end=data["end"], reason=data["reason"], kind=kind, now=now
    )
    done = _url("schedule", membership.clinic_id, practitioner_id=practitioner.pk)
    return _change_apply(request, membership, change=change, done_url=done, now=now)


@portal_view(roles=ALL_ROLES)
@require_POST
def slot_add(request: HttpRequest, clinic_id: int, practitioner_id: int, *, membership: Membership) -> HttpResponse:
    """Post an extra opening, or block a time (which may strand visits, like time off)."""
    practitioner = access_practitioner(membership, practitioner_id)
    now = clock()
    form = SlotForm(request.POST, clinic=membership.clinic, now=now, practitioner=practitioner)
    if not form.is_valid():
        return _schedule_page(request, membership, practitioner, slot_form=form, status=400)
    data = form.cleaned_data
    if data["kind"] != OPENING:
        return _unavailable(request, membership, practitioner, data=data, kind=TimeOffKind.BLOCKED, now=now)
    if form.asks_to_confirm:  # the clinic says it is closed then: say so, post once confirmed
        return _schedule_page(request, membership, practitioner, slot_form=form)
    try:
        schedule_services.posted_opening_post(
            actor=membership,
            practitioner=practitioner,
            start=data["start"],
            end=data["end"],
            outside_posted_hours=bool(form.outside_hours_warning),
            ip=client_ip(request),
            now=now,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _schedule_page(request, membership, practitioner, slot_form=form, status=400)
    messages.success(request, _("Opening posted for %(name)s.") % {"name": practitioner.full_name})
    return redirect(_url("schedule", clinic_id, practitioner_id=practitioner.pk))


@portal_view(roles=ALL_ROLES)
@require_POST
def time_off_remove(
    request: HttpRequest, clinic_id: int, practitioner_id: int, time_off_id: int, *, membership: Membership
) -> HttpResponse:
    practitioner = access_practitioner(membership, practitioner_id)
    time_off = TimeOff.objects.filter(practitioner=practitioner, pk=time_off_id).select_related("practitioner").first()
    if time_off is None:
        raise Http404
    schedule_services.time_off_remove(actor=membership, time_off=time_off, ip=client_ip(request), now=clock())
    return redirect(_url("schedule", clinic_id, practitioner_id=practitioner.pk))


@portal_view(roles=ALL_ROLES)
@require_POST
def posted_opening_remove(
    request: HttpRequest, clinic_id: int, practitioner_id: int, opening_id: int, *, membership: Membership
) -> HttpResponse:
    """Take a posted opening back; a visit already booked in it is stranded unless the hours cover it."""
    practitioner = access_practitioner(membership, practitioner_id)
    opening = (
        PostedOpening.objects.filter(practitioner=practitioner, pk=opening_id)
        .select_related("practitioner__clinic")
        .first()
    )
    if opening is None:
        raise Http404
    now = clock()
    change = schedule_services.posted_opening_removal(opening=opening, now=now)
    done = _url("schedule", clinic_id, practitioner_id=practitioner.pk)
    return _change_apply(request, membership, change=change, done_url=done, now=now)


# --- Clinic-wide writes (owner and front desk) -----------------------------------------------------


@portal_view(roles=DESK_ROLES)
@require_POST
def closure_add(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    clinic, now = membership.clinic, clock()
    form = ClosureForm(request.POST, clinic=clinic, now=now)
    if not form.is_valid():
        return _index(request, membership, closure_form=form, status=400)
    data = form.cleaned_data
    change = schedule_services.clinic_closure_change(
        clinic=clinic, start_date=data["start_date"], end_date=data["end_date"], reason=data["reason"], now=now
    )
    return _change_apply(request, membership, change=change, done_url=_url("schedules", clinic_id), now=now)


@portal_view(roles=DESK_ROLES)
@require_POST
def closure_remove(request: HttpRequest, clinic_id: int, closure_id: int, *, membership: Membership) -> HttpResponse:
    closure = ClinicClosure.objects.filter(clinic_id=membership.clinic_id, pk=closure_id).first()
    if closure is None:
        raise Http404
    schedule_services.clinic_closure_remove(actor=membership, closure=closure, ip=client_ip(request), now=clock())
    return redirect(_url("schedules", clinic_id))


@portal_view(roles=DESK_ROLES)
@require_POST
def rules_update(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    clinic, now = membership.clinic, clock()
    rules = booking_rules_get(clinic=clinic)
    policy = ClinicBookingPolicy.objects.filter(clinic=clinic).first()
    # The form validates a copy: ``rules`` keeps the saved values for the audit's "old".
    form = RulesForm(request.POST, instance=copy.copy(rules), policy=policy)
    if not form.is_valid():
        return _index(request, membership, rules_form=form, status=400)
    data = dict(form.cleaned_data)
    window = data.pop("cancellation_window_hours")
    schedule_services.booking_rules_save(
        actor=membership, rules=rules, fields=data, cancellation_window_hours=window, ip=client_ip(request), now=now
    )
    messages.success(request, _("Booking rules saved."))
    return redirect(_url("schedules", clinic_id))
