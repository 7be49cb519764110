"""Schedules: weekly hours, time off, extra openings and blocked times, closures, booking rules.

Each write shows its effect at once (the practitioner's next open times, computed by the same
engine patients see). A change that would strand booked visits first lists them and asks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.errors import Busy, NotChangeable
from booking.locking import PractitionerBusy, practitioner_lock
from booking.models import Appointment, ClinicBookingPolicy
from clinics.models import WEEKDAYS, Practitioner
from clinics.services import cancellation_window_set
from portal import selectors as stranding
from portal.access import ALL_ROLES, DESK_ROLES, access_practitioner, audit_record, portal_view
from portal.forms.schedules import OPENING, ClosureForm, RulesForm, SlotForm, TimeOffForm, WorkingHoursForm
from portal.models import Membership, Role
from scheduling import services as scheduling_services
from scheduling.models import ClinicClosure, PostedOpening, TimeOff, TimeOffKind, WorkingHours
from scheduling.selectors import booking_rules_get, open_times_list

from .common import changes_json, clock, page

NEXT_TIMES_SHOWN = 12
NEXT_TIMES_DAYS = 14


def _url(name: str, clinic_id: int, **kwargs: int) -> str:
    return reverse(f"portal:{name}", kwargs={"clinic_id": clinic_id, **kwargs})


# --- Pages -----------------------------------------------------------------------------------------


@portal_view(roles=ALL_ROLES)
def schedules(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    """The clinic's practitioners, closures and booking rules; a practitioner goes straight to their own."""
    if membership.role == Role.PRACTITIONER:
        return redirect(_url("schedule", clinic_id, practitioner_id=membership.practitioner_id))
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


class _AskFirst(Exception):
    """Raised inside the transaction to roll it back and show the stranded visits instead."""

    def __init__(self, stranded: list[Appointment]) -> None:
        super().__init__()
        self.stranded = stranded


def _guarded(
    request: HttpRequest,
    membership: Membership,
    *,
    lock_ids: list[int],
    find: Callable[[], list[Appointment]],
    apply: Callable[[], tuple[Any, str, str, dict[str, Any]]],
    done_url: str,
    now: datetime,
) -> HttpResponse:
    """Apply a change, asking first when it strands booked visits (keep them, cancel them, or go back).

    The stranded visits are looked up inside the transaction, under the practitioners' booking lock, so a
    visit booked meanwhile cannot slip through: the member confirms the exact list they saw, or is asked
    again. ``apply`` returns (object, audit action, summary, changes).
    """
    decision = request.POST.get("stranded_decision")
    seen = sorted(filter(None, request.POST.get("stranded_ids", "").split(",")))
    try:
        with transaction.atomic():
            practitioner_lock(*lock_ids)
            stranded = find()
            if stranded and (
                decision not in (stranding.KEEP, stranding.CANCEL) or seen != sorted(str(a.pk) for a in stranded)
            ):
                raise _AskFirst(stranded)
            obj, action, summary, changes = apply()
            cancelled = 0
            if stranded and decision == stranding.CANCEL:
                cancelled = stranding.stranded_cancel(appointments=stranded, now=now)
            if stranded:
                changes["stranded"] = {"appointment_ids": [a.pk for a in stranded], "decision": decision}
            audit_record(
                membership=membership, action=action, obj=obj, summary=summary, changes=changes, request=request
            )
    except _AskFirst as ask:
        if decision:
            messages.warning(request, _("The booked visits changed since you looked: please check the list again."))
        return _ask(request, membership, stranded=ask.stranded, done_url=done_url)
    except ValidationError as exc:
        # The services check again inside the transaction (e.g. overlapping hours saved meanwhile).
        messages.error(request, " ".join(exc.messages))
        return redirect(done_url)
    except (Busy, NotChangeable, PractitionerBusy) as exc:
        messages.error(request, str(exc) if not isinstance(exc, PractitionerBusy) else str(Busy.default_message))
        return redirect(done_url)
    messages.success(request, summary)
    if cancelled:
        messages.info(request, _("%(n)d visit(s) cancelled; each patient gets an email.") % {"n": cancelled})
    elif stranded:
        messages.info(request, _("%(n)d visit(s) kept as booked.") % {"n": len(stranded)})
    return redirect(done_url)


def _ask(request: HttpRequest, membership: Membership, *, stranded: list[Appointment], done_url: str) -> HttpResponse:
    """The confirmation page: the stranded visits, and the same form posted again with the member's choice."""
    repost = [(k, v) for k, values in request.POST.lists() for v in values if k not in _NOT_REPOSTED]
    context = {
        "membership": membership,
        "stranded": stranded,
        "stranded_ids": ",".join(sorted(str(a.pk) for a in stranded)),
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

    def find() -> list[Appointment]:
        return stranding.stranded_by_hours(
            practitioner=practitioner,
            blocks=data["blocks"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            now=now,
        )

    def apply() -> tuple[Any, str, str, dict[str, Any]]:
        scheduling_services.working_hours_set(
            practitioner=practitioner,
            blocks=data["blocks"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            now=now,
        )
        changes = {
            "blocks": [f"{d} {a:%H:%M}-{b:%H:%M}" for d, a, b in data["blocks"]],
            "valid_from": data["valid_from"].isoformat(),
            "valid_until": data["valid_until"].isoformat() if data["valid_until"] else None,
        }
        if form.outside_hours_warning:
            changes["outside_posted_hours"] = True
        return (
            practitioner,
            "schedule.hours_set",
            _("Weekly hours of %(name)s saved.") % {"name": practitioner.full_name},
            changes,
        )

    done = _url("schedule", clinic_id, practitioner_id=practitioner.pk)
    return _guarded(request, membership, lock_ids=[practitioner.pk], find=find, apply=apply, done_url=done, now=now)


@portal_view(roles=ALL_ROLES)
@require_POST
def time_off_add(request: HttpRequest, clinic_id: int, practitioner_id: int, *, membership: Membership) -> HttpResponse:
    practitioner = access_practitioner(membership, practitioner_id)
    now = clock()
    form = TimeOffForm(request.POST, clinic=membership.clinic, now=now)
    if not form.is_valid():
        return _schedule_page(request, membership, practitioner, time_off_form=form, status=400)
    data = form.cleaned_data
    return _unavailable(request, membership, practitioner, data=data, kind=TimeOffKind.TIME_OFF, now=now)


def _unavailable(
    request: HttpRequest,
    membership: Membership,
    practitioner: Practitioner,
    *,
    data: dict[str, Any],
    kind: str,
    now: datetime,
) -> HttpResponse:

    def find() -> list[Appointment]:
        return stranding.stranded_by_time_off(practitioner=practitioner, start=data["start"], end=data["end"], now=now)

    def apply() -> tuple[Any, str, str, dict[str, Any]]:
        time_off = scheduling_services.time_off_add(
            practitioner=practitioner, start=data["start"], end=data["end"], reason=data["reason"], kind=kind, now=now
        )
        what = _("Time off") if kind == TimeOffKind.TIME_OFF else _("Blocked time")
        summary = _("%(what)s added for %(name)s.") % {"what": what, "name": practitioner.full_name}
        changes = {"start": data["start"].isoformat(), "end": data["end"].isoformat(), "kind": kind}
        return time_off, f"schedule.{kind}_add", summary, changes

    done = _url("schedule", membership.clinic_id, practitioner_id=practitioner.pk)
    return _guarded(request, membership, lock_ids=[practitioner.pk], find=find, apply=apply, done_url=done, now=now)


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
    changes = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
    if form.outside_hours_warning:
        changes["outside_posted_hours"] = True
    try:
        with transaction.atomic():
            opening = scheduling_services.posted_opening_add(
                practitioner=practitioner, start=data["start"], end=data["end"], now=now, posted_by=request.user
            )
            summary = _("Opening posted for %(name)s.") % {"name": practitioner.full_name}
            audit_record(
                membership=membership,
                action="schedule.opening_post",
                obj=opening,
                summary=summary,
                changes=changes,
                request=request,
            )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _schedule_page(request, membership, practitioner, slot_form=form, status=400)
    messages.success(request, summary)
    return redirect(_url("schedule", clinic_id, practitioner_id=practitioner.pk))


@portal_view(roles=ALL_ROLES)
@require_POST
def time_off_remove(
    request: HttpRequest, clinic_id: int, practitioner_id: int, time_off_id: int, *, membership: Membership
) -> HttpResponse:
    practitioner = access_practitioner(membership, practitioner_id)
    time_off = TimeOff.objects.filter(practitioner=practitioner, pk=time_off_id).first()
    if time_off is None:
        raise Http404
    with transaction.atomic():
        audit_record(
            membership=membership,
            action=f"schedule.{time_off.kind}_remove",
            obj=time_off,
            summary=_("Time off removed for %(name)s.") % {"name": practitioner.full_name},
            changes={"start": time_off.start.isoformat(), "end": time_off.end.isoformat()},
            request=request,
        )
        scheduling_services.time_off_remove(time_off=time_off, now=clock())
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

    def find() -> list[Appointment]:
        return stranding.stranded_by_opening_removal(opening=opening, now=now)

    def apply() -> tuple[Any, str, str, dict[str, Any]]:
        changes = {"start": opening.start.isoformat(), "end": opening.end.isoformat()}
        pk = opening.pk
        scheduling_services.posted_opening_remove(opening=opening, now=now)
        opening.pk = pk  # for the audit entry: the row is gone, its id is still what was removed
        return (
            opening,
            "schedule.opening_remove",
            _("Opening removed for %(name)s.") % {"name": practitioner.full_name},
            changes,
        )

    done = _url("schedule", clinic_id, practitioner_id=practitioner.pk)
    return _guarded(request, membership, lock_ids=[practitioner.pk], find=find, apply=apply, done_url=done, now=now)


# --- Clinic-wide writes (owner and front desk) -----------------------------------------------------


@portal_view(roles=DESK_ROLES)
@require_POST
def closure_add(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    clinic, now = membership.clinic, clock()
    form = ClosureForm(request.POST, clinic=clinic, now=now)
    if not form.is_valid():
        return _index(request, membership, closure_form=form, status=400)
    data = form.cleaned_data

    def find() -> list[Appointment]:
        return stranding.stranded_by_closure(
            clinic=clinic, start_date=data["start_date"], end_date=data["end_date"], now=now
        )

    def apply() -> tuple[Any, str, str, dict[str, Any]]:
        closure = scheduling_services.clinic_closure_add(
            clinic=clinic, start_date=data["start_date"], end_date=data["end_date"], reason=data["reason"], now=now
        )
        changes = {"start_date": data["start_date"].isoformat(), "end_date": data["end_date"].isoformat()}
        return closure, "schedule.closure_add", _("The clinic is closed on the chosen days."), changes

    everyone = list(Practitioner.objects.filter(clinic=clinic).values_list("pk", flat=True))
    done = _url("schedules", clinic_id)
    return _guarded(request, membership, lock_ids=everyone, find=find, apply=apply, done_url=done, now=now)


@portal_view(roles=DESK_ROLES)
@require_POST
def closure_remove(request: HttpRequest, clinic_id: int, closure_id: int, *, membership: Membership) -> HttpResponse:
    closure = ClinicClosure.objects.filter(clinic_id=membership.clinic_id, pk=closure_id).first()
    if closure is None:
        raise Http404
    with transaction.atomic():
        audit_record(
            membership=membership,
            action="schedule.closure_remove",
            obj=closure,
            summary=_("Closure removed."),
            changes={"start_date": closure.start_date.isoformat(), "end_date": closure.end_date.isoformat()},
            request=request,
        )
        scheduling_services.clinic_closure_remove(closure=closure, now=clock())
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
    data = form.cleaned_data
    window = data.pop("cancellation_window_hours")
    before = {name: getattr(rules, name) for name in data} if rules.pk else {}
    with transaction.atomic():
        saved = scheduling_services.booking_rules_update(clinic=clinic, now=now, **data)
        old_window = cancellation_window_set(clinic=clinic, hours=window)
        changes = {n: {"old": before.get(n), "new": v} for n, v in data.items() if before.get(n) != v}
        if old_window != window:
            changes["cancellation_window_hours"] = {"old": old_window, "new": window}
        audit_record(
            membership=membership,
            action="schedule.rules_update",
            obj=saved,
            summary=_("Booking rules saved."),
            changes=changes_json({k: (v["old"], v["new"]) for k, v in changes.items()}),
            request=request,
        )
    messages.success(request, _("Booking rules saved."))
    return redirect(_url("schedules", clinic_id))
