"""The patient's plan page, reached by the secret link in the plan's email: the phases, a proposed time for every
visit (each with nearby alternatives), preferences that propose again, "Book all N visits" (one series: all or
none), and once booked each visit's own manage link and "Cancel the rest of the plan" (with a confirmation step).

Nothing changes on a GET (invariant 8): preferences are a GET form (they only change what is proposed); booking and
cancelling are POSTs. The token is in the path: the page is never cached and sends no Referer elsewhere.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from booking.emails import manage_url
from booking.errors import BookingError
from booking.models import AppointmentStatus, ClinicBookingPolicy
from clinics.models import Practitioner
from painhero.http import client_ip
from patients.careplan_models import CarePlan, CarePlanStatus
from patients.careplan_propose import Preferences, ProposedVisit
from patients.careplan_reads import careplan_progress_open
from patients.careplans import (
    CarePlanError,
    VisitChoice,
    careplan_book,
    careplan_cancel_rest,
    careplan_open,
    plan_appointments,
    plan_times_propose,
    preferences_parse,
)

WEEKDAYS = (
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _plan(token: str) -> CarePlan:
    plan = careplan_open(token=token)
    if plan is None:
        raise Http404
    return plan


def _value(practitioner_id: int, start: datetime) -> str:
    return f"{practitioner_id}@{start.isoformat()}"


def choice_parse(value: str) -> VisitChoice | None:
    """``<practitioner id>@<ISO start with offset>`` as the page's radios send it; None for anything else."""
    who, _sep, when = value.partition("@")
    try:
        start = datetime.fromisoformat(when)
        return VisitChoice(practitioner_id=int(who), start=start) if start.tzinfo is not None else None
    except ValueError:
        return None


def _preferences(request: HttpRequest) -> tuple[Preferences, str]:
    try:
        return (
            preferences_parse(
                weekdays=request.GET.getlist("days"),
                after=request.GET.get("after", ""),
                before=request.GET.get("before", ""),
                same_practitioner=request.GET.get("anyone", "") != "1",
            ),
            "",
        )
    except CarePlanError as exc:
        return Preferences(), exc.message


def _rows(
    plan: CarePlan, visits: list[ProposedVisit], *, taken: dict[datetime, list[datetime]], picked: dict[int, str]
) -> list[dict[str, Any]]:
    zone = ZoneInfo(plan.clinic.time_zone)
    names = {p.pk: p.full_name for p in Practitioner.objects.filter(clinic=plan.clinic)}
    rows = []
    for visit in visits:
        options: list[dict[str, Any]] = []
        seen: set[str] = set()
        for slot in ([visit.time] if visit.time else []) + visit.alternatives:
            value = _value(slot.practitioner_id, slot.start)
            if value not in seen:
                seen.add(value)
                options.append(
                    {"value": value, "start": slot.start.astimezone(zone), "who": names.get(slot.practitioner_id, "")}
                )
        chosen = picked.get(visit.number) or (options[0]["value"] if options else "")
        choice = choice_parse(str(chosen))
        conflict = None
        if choice is not None and choice.start in taken:
            conflict = [moment.astimezone(zone) for moment in taken[choice.start]]
            for moment in taken[choice.start]:
                value = _value(choice.practitioner_id, moment)
                if value not in seen:
                    seen.add(value)
                    options.append(
                        {"value": value, "start": moment.astimezone(zone), "who": names.get(choice.practitioner_id, "")}
                    )
            chosen = ""  # the patient picks another
        rows.append({"visit": visit, "options": options, "chosen": chosen, "conflict": conflict})
    return rows


@require_http_methods(["GET", "POST"])
def care_plan(request: HttpRequest, token: str) -> HttpResponse:
    plan = _plan(token)
    now = timezone.now()
    phases = list(plan.phases.select_related("service", "practitioner"))
    context: dict[str, Any] = {
        "plan": plan,
        "phases": phases,
        "token": token,
        "weekdays": WEEKDAYS,
        "private_page": True,
    }
    status = 200
    # The progress chart (the intake's baseline and check-ins), its read recorded; on every state of the plan.
    context["progress"] = careplan_progress_open(plan=plan, where="patients:care_plan", now=now)
    if plan.status != CarePlanStatus.SENT:
        appointments = plan_appointments(plan)
        context["appointments"] = [
            {"appointment": a, "manage_url": manage_url(a), "cancelled": a.status == AppointmentStatus.CANCELLED}
            for a in appointments
        ]
        context["future_left"] = any(a.status == AppointmentStatus.BOOKED and a.start > now for a in appointments)
        return _private(render(request, "patients/careplan/page.html", context))
    preferences, preference_error = _preferences(request)
    visits = plan_times_propose(plan=plan, preferences=preferences, now=now)
    taken: dict[datetime, list[datetime]] = {}
    picked: dict[int, str] = {}
    error = preference_error
    if request.method == "POST":
        picked = {v.number: request.POST.get(f"visit-{v.number}", "") for v in visits}
        choices = [choice_parse(picked[v.number]) for v in visits]
        missing = [v.number for v, c in zip(visits, choices, strict=True) if c is None]
        if missing:
            error = _("Choose a time for visit %(n)s.") % {"n": ", ".join(str(n) for n in missing)}
            status = 422
        else:
            from booking.series import SeriesTaken

            body = "|".join(picked[v.number] for v in visits)
            try:
                careplan_book(
                    plan=plan,
                    token=token,
                    choices=[c for c in choices if c is not None],
                    now=now,
                    idempotency_key=request.POST.get("form_token", "")[:64],
                    body_hash=hashlib.sha256(body.encode()).hexdigest(),
                    ip=client_ip(request),
                )
            except SeriesTaken as exc:
                taken = {conflict.start: list(conflict.alternatives) for conflict in exc.conflicts}
                error = _(
                    "Nothing was booked: %(n)d of the times were taken meanwhile. Choose another time for the visits "
                    "marked below; the others keep their times."
                ) % {"n": len(exc.conflicts)}
                status = 409
            except (CarePlanError, BookingError) as exc:
                error = exc.message
                status = getattr(exc, "status", 422)
            else:
                return HttpResponseRedirect(reverse("patients:care_plan", args=[token]))
    context.update(
        {
            "rows": _rows(plan, visits, taken=taken, picked=picked),
            "error": error,
            "preferences": preferences,
            "form_token": hashlib.sha256(f"{plan.pk}:{now.timestamp()}".encode()).hexdigest()[:32],
            "visit_count": len(visits),
        }
    )
    return _private(render(request, "patients/careplan/page.html", context, status=status))


@require_http_methods(["GET", "POST"])
def care_plan_cancel_rest(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what would be cancelled, and a button; POST: cancel every future visit of the plan."""
    plan = _plan(token)
    now = timezone.now()
    if plan.status == CarePlanStatus.SENT:
        return HttpResponseRedirect(reverse("patients:care_plan", args=[token]))
    future = [a for a in plan_appointments(plan) if a.status == AppointmentStatus.BOOKED and a.start > now]
    # Visits already inside the clinic's cancellation window: "cancel the rest" leaves them (call the clinic).
    policy = ClinicBookingPolicy.for_clinic(plan.clinic_id)
    late = [a for a in future if not a.changeable_online(now=now, policy=policy)]
    context: dict[str, Any] = {"plan": plan, "future": future, "late": late, "token": token, "private_page": True}
    if request.method == "POST":
        try:
            result = careplan_cancel_rest(plan=plan, now=now, source="web")
        except (CarePlanError, BookingError) as exc:
            context["error"] = exc.message
            return _private(render(request, "patients/careplan/cancel_rest.html", context, status=409))
        if not result.kept:
            return HttpResponseRedirect(reverse("patients:care_plan", args=[token]))
        # Some visits stay booked: say which and why, on the page that answers the POST.
        context.update({"result": result, "future": [], "late": []})
    return _private(render(request, "patients/careplan/cancel_rest.html", context))
