"""JSON API for a care plan as its patient sees it, behind the plan's secret token (the one in the emailed link).

Thin, like the plan's page (patients/careplan_views.py): the same selectors and services (patients.careplans), so
that the page and the API propose the same times and book through the same series service (booking.series: every
visit or none, DESIGN.md invariant 10). The token sits in the path, as in the page's link; painhero.redact keeps
``/care-plans/<token>`` out of every log line. A wrong token is a 404, whatever the plan.

The plan's impression, goals and home exercises are health information: answered only to the token's holder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Path, Router, Schema
from pydantic import Field

from booking.api import BOOKING_ERRORS, IDEMPOTENCY_KEY, Id, _idempotency_key, _start_refused
from booking.emails import manage_url
from booking.errors import BookingError
from booking.idempotency import request_hash
from booking.models import Appointment, AppointmentSource
from clinics.schemas import ErrorOut, errors
from painhero.http import client_ip
from patients.careplan_models import CarePlan, CarePlanStatus
from patients.careplan_propose import Preferences
from patients.careplans import (
    CarePlanError,
    VisitChoice,
    careplan_book,
    careplan_cancel_rest,
    careplan_open,
    plan_appointments,
    plan_times_propose,
)

router = Router(tags=["care plans"])

# The plan's token as the emailed link carries it (secrets.token_urlsafe); anything else cannot be one.
Token = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The plan's secret token, from the link in the plan's email; a wrong one is a 404.",
    ),
]

# What the plan's page says under "Your choice, visit by visit" (the same sentences, the same translations).
TERMS = (
    gettext_lazy("Every visit is an ordinary appointment: you can move or cancel any one of them alone."),
    gettext_lazy("You pay each visit when you have it; a visit you do not use is not charged."),
    gettext_lazy("Nothing locks you in: you can cancel the rest of the plan at any time in one step."),
)


class ClinicOut(Schema):
    id: int
    name: str
    phone: str
    time_zone: str = Field(description="The clinic's IANA zone: every time here carries its offset.")


class PractitionerOut(Schema):
    id: int
    name: str


class PhaseOut(Schema):
    order: int = Field(description="0 for the first phase.")
    visits_per_week: int
    weeks: int
    visits: int
    service_id: int
    service: str
    practitioner_id: int


class TimeOut(Schema):
    start: datetime
    end: datetime
    practitioner_id: int


class VisitOut(Schema):
    number: int = Field(description="1 for the first visit of the plan.")
    phase: int | None = Field(description="The visit's phase (its `order`); null for a booked visit.")
    status: Literal["proposed", "unavailable", "booked", "cancelled", "completed", "no_show", "arrived"] = Field(
        description="`proposed`: a time to book (not yet booked); `unavailable`: no open time fits it yet; "
        "the others: the appointment's own status."
    )
    service_id: int
    start: datetime | None = Field(description="With the clinic's offset; null when no open time fits.")
    end: datetime | None
    practitioner_id: int
    alternatives: list[TimeOut] = Field(description="For a proposed visit: other open times near it.")
    appointment_id: int | None = Field(None, description="A booked visit's appointment.")
    manage_url: str | None = Field(None, description="A booked visit's own page: move or cancel it alone.")


class CarePlanOut(Schema):
    status: Literal["sent", "booked", "cancelled"] = Field(
        description="`sent`: to book (its visits are proposed times); `booked`: its visits are appointments; "
        "`cancelled`: withdrawn by the clinic."
    )
    clinic: ClinicOut
    practitioner: PractitionerOut
    condition: str
    impression: str
    goals: str
    home_exercises: str
    outcome_measures: list[str]
    expected_visits: int
    cost_estimate_cents: int
    insurance_note: str
    terms: list[str] = Field(description="The conditions the patient books under, as the plan's page states them.")
    phases: list[PhaseOut]
    visits: list[VisitOut]
    series_id: int | None = Field(description="The booked series (POST /appointment-series' `id`), once booked.")


class VisitIn(Schema):
    start: datetime = Field(description="The visit's start, with its offset.")
    practitioner_id: Id | None = Field(None, description="Who with; the visit's phase's practitioner if left out.")


class CarePlanBookIn(Schema):
    visits: list[VisitIn] | None = Field(
        None,
        max_length=100,
        description="One time per visit of the plan, in the plan's order, to book other times than the proposed "
        "ones; left out, the times this plan proposes now (GET) are booked.",
    )


class VisitConflictOut(Schema):
    number: int = Field(description="The visit (its `number`) whose time is no longer open.")
    start: datetime
    alternatives: list[datetime] = Field(description="The nearest open starts for this visit, nearest first.")


class CarePlanRefusedOut(ErrorOut):
    conflicts: list[VisitConflictOut] = Field(
        default_factory=list, description="Each visit that needs another time; empty for a plan booked already."
    )


class KeptOut(Schema):
    appointment_id: int
    start: datetime
    reason: str = Field(description="Why it stays booked, e.g. too late to cancel online: call the clinic.")


class CancelRestOut(Schema):
    cancelled: list[VisitOut]
    not_cancelled: list[KeptOut] = Field(description="Future visits that could not be cancelled online.")


def _private(response: HttpResponse) -> None:
    """Health information and a secret in the path: no cache keeps it (as the plan's page)."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"


def _plan_or_404(token: str) -> CarePlan | None:
    return careplan_open(token=token)


def _not_found() -> tuple[int, dict[str, str]]:
    return 404, {"detail": _("There is no such care plan (or the token is wrong).")}


def _appointment_visit(number: int, appointment: Appointment, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "number": number,
        "phase": None,
        "status": appointment.status,
        "service_id": appointment.service_id,
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "practitioner_id": appointment.practitioner_id,
        "alternatives": [],
        "appointment_id": appointment.pk,
        "manage_url": manage_url(appointment),
    }


def _visits(plan: CarePlan, *, now: datetime) -> list[dict[str, Any]]:
    zone = ZoneInfo(plan.clinic.time_zone)
    if plan.status != CarePlanStatus.SENT:
        return [_appointment_visit(n, a, zone) for n, a in enumerate(plan_appointments(plan), start=1)]
    rows = []
    for visit in plan_times_propose(plan=plan, preferences=Preferences(), now=now):
        chosen = visit.time
        rows.append(
            {
                "number": visit.number,
                "phase": visit.phase,
                "status": "proposed" if chosen else "unavailable",
                "service_id": visit.service_id,
                "start": chosen.start.astimezone(zone) if chosen else None,
                "end": chosen.end.astimezone(zone) if chosen else None,
                "practitioner_id": chosen.practitioner_id if chosen else visit.practitioner_id,
                "alternatives": [
                    {
                        "start": t.start.astimezone(zone),
                        "end": t.end.astimezone(zone),
                        "practitioner_id": t.practitioner_id,
                    }
                    for t in visit.alternatives
                ],
            }
        )
    return rows


def _plan_out(plan: CarePlan, *, now: datetime) -> dict[str, Any]:
    phases = list(plan.phases.select_related("service"))
    return {
        "status": plan.status,
        "clinic": {
            "id": plan.clinic.pk,
            "name": plan.clinic.name,
            "phone": plan.clinic.phone,
            "time_zone": plan.clinic.time_zone,
        },
        "practitioner": {"id": plan.practitioner.pk, "name": plan.practitioner.full_name},
        "condition": plan.condition,
        "impression": plan.impression,
        "goals": plan.goals,
        "home_exercises": plan.home_exercises,
        "outcome_measures": list(plan.outcome_measures or []),
        "expected_visits": plan.expected_visits,
        "cost_estimate_cents": plan.cost_estimate_cents,
        "insurance_note": plan.insurance_note,
        "terms": [str(term) for term in TERMS],
        "phases": [
            {
                "order": p.order,
                "visits_per_week": p.visits_per_week,
                "weeks": p.weeks,
                "visits": p.visits,
                "service_id": p.service_id,
                "service": p.service.label,
                "practitioner_id": p.practitioner_id,
            }
            for p in phases
        ],
        "visits": _visits(plan, now=now),
        "series_id": plan.series_id,
    }


@router.get(
    "/care-plans/{token}",
    response={200: CarePlanOut, **errors(400, 404, 422)},
    operation_id="care_plan_get",
    summary="A care plan as its patient sees it: phases, conditions and every visit's proposed or booked time",
)
def care_plan_get_view(request: HttpRequest, token: Token, response: HttpResponse) -> Any:
    _private(response)
    plan = _plan_or_404(token)
    if plan is None:
        return _not_found()
    return 200, _plan_out(plan, now=timezone.now())


def _choices(plan: CarePlan, payload: CarePlanBookIn, *, now: datetime) -> list[VisitChoice] | tuple[int, Any]:
    """The times to book: the client's, or the ones proposed now; a 422 naming a visit without one."""
    phases = [phase for phase in plan.phases.all() for _n in range(phase.visits)]
    if payload.visits is None:
        proposed = plan_times_propose(plan=plan, preferences=Preferences(), now=now)
        missing = [str(v.number) for v in proposed if v.time is None]
        if missing:
            return 422, {
                "detail": _("visits: no open time fits visit %(n)s; choose its time and send every visit's.")
                % {"n": ", ".join(missing)}
            }
        return [VisitChoice(practitioner_id=v.time.practitioner_id, start=v.time.start) for v in proposed if v.time]
    if len(payload.visits) != len(phases):
        return 422, {"detail": _("visits: give one time for each of the %(n)d visits.") % {"n": len(phases)}}
    choices = []
    for phase, visit in zip(phases, payload.visits, strict=True):
        refused = _start_refused(visit.start, now=now, field="visits.start")
        if refused:
            return refused
        choices.append(VisitChoice(practitioner_id=visit.practitioner_id or phase.practitioner_id, start=visit.start))
    return choices


@router.post(
    "/care-plans/{token}/book",
    response={
        200: CarePlanOut,
        201: CarePlanOut,
        409: CarePlanRefusedOut,
        **errors(*(c for c in BOOKING_ERRORS if c != 409), 404),
    },
    operation_id="care_plan_book",
    summary="Book every visit of a care plan at once (all or none)",
    description="Books the plan's proposed times, or the `visits` given, as one series: every visit or none. "
    "A time no longer open is a 409 naming each such visit with its nearest open times, and nothing is booked. "
    "The same `Idempotency-Key` and body again answer the same plan (200); the same key with another body is a "
    "422. A plan booked already or withdrawn by the clinic is a 409.",
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
)
def care_plan_book_view(request: HttpRequest, token: Token, response: HttpResponse, payload: CarePlanBookIn) -> Any:
    _private(response)
    key = _idempotency_key(request)
    if not isinstance(key, str):
        return key
    plan = _plan_or_404(token)
    if plan is None:
        return _not_found()
    now = timezone.now()
    body = payload.dict()
    body["plan"] = str(plan.public_id)  # never the token: a key reused for another plan is another body
    body_hash = request_hash(body)
    choices: list[VisitChoice] = []
    if plan.status == CarePlanStatus.SENT:
        found = _choices(plan, payload, now=now)
        if not isinstance(found, list):
            return found
        choices = found
    from booking.series import SeriesTaken

    try:
        booked = careplan_book(
            plan=plan,
            token=token,
            choices=choices,
            now=now,
            source=AppointmentSource.API,
            idempotency_key=key,
            idempotency_scope="api-care-plan",
            body_hash=body_hash,
            ip=client_ip(request),
        )
    except SeriesTaken as taken:
        numbers = {choice.start: number for number, choice in enumerate(choices, start=1)}
        return 409, {
            "detail": taken.message,
            "conflicts": [
                {"number": numbers.get(c.start, 0), "start": c.start, "alternatives": c.alternatives}
                for c in taken.conflicts
            ],
        }
    except CarePlanError as error:
        return error.status, {"detail": error.message}
    except BookingError as error:
        return error.status, {"detail": error.message}
    plan = careplan_open(token=token) or plan
    return (200 if booked.replayed else 201), _plan_out(plan, now=now)


@router.post(
    "/care-plans/{token}/cancel-rest",
    response={200: CancelRestOut, **errors(400, 404, 409, 422, 503)},
    operation_id="care_plan_cancel_rest",
    summary="Cancel every future visit of a booked care plan in one step",
    description="Cancels every future visit that can still be cancelled online, in one transaction; a visit "
    "already inside the clinic's cancellation window stays booked and is listed in `not_cancelled` with why "
    "(call the clinic). A plan not booked is a 409.",
)
def care_plan_cancel_rest_view(request: HttpRequest, token: Token, response: HttpResponse) -> Any:
    _private(response)
    plan = _plan_or_404(token)
    if plan is None:
        return _not_found()
    if plan.status == CarePlanStatus.SENT:
        return 409, {"detail": _("This plan has no booked visits.")}
    now = timezone.now()
    try:
        result = careplan_cancel_rest(plan=plan, now=now, source=AppointmentSource.API)
    except CarePlanError as error:
        return error.status, {"detail": error.message}
    except BookingError as error:
        return error.status, {"detail": error.message}
    zone = ZoneInfo(plan.clinic.time_zone)
    numbers = {a.pk: n for n, a in enumerate(plan_appointments(plan), start=1)}
    return 200, {
        "cancelled": [_appointment_visit(numbers.get(a.pk, 0), a, zone) for a in result.cancelled],
        "not_cancelled": [
            {"appointment_id": k.appointment.pk, "start": k.appointment.start.astimezone(zone), "reason": k.reason}
            for k in result.kept
        ],
    }
