"""Care plans: written by the therapist after the free consultation, sent by email, booked by the patient as one
series (booking.series: every visit or none, DESIGN.md invariant 10), each visit an ordinary appointment after.

Services (writes, one transaction each) and selectors (reads) for the portal, the patient's page and the API.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from booking.errors import NotBookable
from booking.models import Actor, Appointment, AppointmentSeries, AppointmentSource, AppointmentStatus
from booking.patients import PatientDetails
from clinics.models import Clinic, Practitioner, Service
from notifications.outbox import outbox_put
from painhero.bounds import date_in_window, window_message
from painhero.urls_abs import absolute_url
from patients.careplan_checkins import careplan_checkins_queue
from patients.careplan_models import (
    MAX_PHASES,
    MAX_PLAN_VISITS,
    CarePlan,
    CarePlanPhase,
    CarePlanStatus,
    CarePlanTemplate,
    OutcomeMeasure,
)
from patients.careplan_propose import PhaseSpec, Preferences, ProposedVisit, visits_propose
from patients.models import Intake, token_hash
from scheduling.selectors import OpenTime, open_times_list

if TYPE_CHECKING:
    from booking.series import RestCancelled

SEND_EMAIL_KIND = "patients.care_plan"
# Open times are looked for over the plan's weeks and this much more (a visit pushed past a closure).
SLACK = timedelta(days=14)


class CarePlanError(Exception):
    """A plan that cannot be saved, sent or booked as asked; ``message`` names what to fix and is safe to show."""

    def __init__(self, message: str, *, field: str = "", status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status  # 409: the plan's state forbids it (booked, withdrawn); 422: the request itself


@dataclass(frozen=True)
class PhaseInput:
    visits_per_week: int
    weeks: int
    service: Service
    practitioner: Practitioner


def templates_for(*, clinic: Clinic, language: str) -> list[CarePlanTemplate]:
    """The clinic's own templates, and PainHero's defaults for conditions it has not made its own."""
    rows = list(CarePlanTemplate.objects.filter(clinic__in=[clinic], language=language)) + list(
        CarePlanTemplate.objects.filter(clinic__isnull=True, language=language)
    )
    seen: set[str] = set()
    chosen: list[CarePlanTemplate] = []
    for row in rows:
        if row.condition not in seen:
            seen.add(row.condition)
            chosen.append(row)
    return sorted(chosen, key=lambda t: t.title)


def consultations_for(*, appointments: QuerySet[Appointment], now: datetime) -> list[Appointment]:
    """Free consultations from two weeks back to two weeks ahead (of the appointments this member may see)."""
    from clinics.models import ServiceKind

    return list(
        appointments.filter(
            service__kind=ServiceKind.FREE_CONSULTATION,
            start__gte=now - timedelta(days=14),
            start__lt=now + timedelta(days=14),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("service", "practitioner")
        .prefetch_related("care_plans")
        .order_by("start")
    )


def _phases_check(*, clinic: Clinic, phases: list[PhaseInput]) -> None:
    if not phases:
        raise CarePlanError(_("phases: add at least one phase (a single visit is one visit a week for one week)."))
    if len(phases) > MAX_PHASES:
        raise CarePlanError(_("phases: a plan has at most %(n)d phases.") % {"n": MAX_PHASES})
    total = 0
    for number, phase in enumerate(phases, start=1):
        if not 1 <= phase.visits_per_week <= 7:
            raise CarePlanError(_("phase %(n)d: visits a week must be between 1 and 7.") % {"n": number})
        if phase.weeks < 1:
            raise CarePlanError(_("phase %(n)d: weeks must be at least 1.") % {"n": number})
        if phase.service.clinic_id != clinic.pk or phase.practitioner.clinic_id != clinic.pk:
            raise CarePlanError(_("phase %(n)d: choose a service and practitioner of this clinic.") % {"n": number})
        if not phase.service.practitioners.filter(pk=phase.practitioner.pk).exists():
            raise CarePlanError(
                _("phase %(n)d: %(who)s does not offer %(what)s.")
                % {"n": number, "who": phase.practitioner.full_name, "what": phase.service.label}
            )
        total += phase.visits_per_week * phase.weeks
    if total > MAX_PLAN_VISITS:
        raise CarePlanError(
            _("phases: the plan has %(total)d visits; a plan holds at most %(max)d.")
            % {"total": total, "max": MAX_PLAN_VISITS}
        )


def careplan_save(
    *,
    consultation: Appointment,
    plan: CarePlan | None,
    condition: str,
    impression: str,
    goals: str,
    home_exercises: str,
    outcome_measures: list[str],
    cost_estimate_cents: int,
    insurance_note: str,
    phases: list[PhaseInput],
    now: datetime,
) -> CarePlan:
    """Write (or rewrite, while a draft) the plan for ``consultation`` with these phases, in one transaction."""
    clinic = consultation.clinic
    _phases_check(clinic=clinic, phases=phases)
    unknown = [m for m in outcome_measures if m not in OutcomeMeasure.values]
    if unknown:
        raise CarePlanError(_("outcome_measures: unknown measure."), field="outcome_measures")
    total = sum(p.visits_per_week * p.weeks for p in phases)
    with transaction.atomic():
        if plan is None:
            plan = CarePlan(
                clinic=clinic,
                consultation=consultation,
                intake=Intake.objects.filter(appointment=consultation).order_by("-created_at").first(),
                patient_name=consultation.patient_name,
                patient_email=consultation.patient_email,
                patient_phone=consultation.patient_phone,
                language=consultation.language,
                created_at=now,
            )
        else:
            plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
            if plan.status != CarePlanStatus.DRAFT:
                raise CarePlanError(_("This plan was sent already; write a new one to change it."))
        plan.practitioner = phases[0].practitioner
        plan.condition = condition
        plan.impression = impression
        plan.goals = goals
        plan.home_exercises = home_exercises
        plan.outcome_measures = outcome_measures
        plan.cost_estimate_cents = cost_estimate_cents
        plan.insurance_note = insurance_note
        plan.expected_visits = total
        plan.save()
        plan.phases.all().delete()
        CarePlanPhase.objects.bulk_create(
            CarePlanPhase(
                plan=plan,
                order=order,
                visits_per_week=p.visits_per_week,
                weeks=p.weeks,
                service=p.service,
                practitioner=p.practitioner,
            )
            for order, p in enumerate(phases)
        )
    return plan


def careplan_send(*, plan: CarePlan, now: datetime) -> CarePlan:
    """Send the plan to the patient: the email goes through the outbox (its link made when it is built)."""
    with transaction.atomic():
        plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status not in (CarePlanStatus.DRAFT, CarePlanStatus.SENT):
            raise CarePlanError(_("This plan is booked or cancelled already."))
        if not plan.patient_email:
            raise CarePlanError(_("The patient gave no email address: give them the plan at the visit."))
        plan.status = CarePlanStatus.SENT
        plan.sent_at = now
        if plan.token_hash is None:  # replaced by the email's own token when it is built
            plan.token_hash = token_hash(secrets.token_urlsafe(32))
        plan.save(update_fields=["status", "sent_at", "token_hash"])
        outbox_put(kind=SEND_EMAIL_KIND, payload={"plan_id": plan.pk}, now=now, ref=f"care-plan:{plan.public_id}")
    return plan


def careplan_url(token: str, *, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("patients:care_plan", args=[token]))


def careplan_email_build(payload: dict[str, Any]) -> EmailMultiAlternatives | None:
    """The plan's email, built by the outbox worker. Its secret link is made now (a fresh token, of which only the
    hash is kept; a resend makes the earlier link stop working). The subject names the clinic, never the care."""
    token = secrets.token_urlsafe(32)
    updated = CarePlan.objects.filter(pk=payload["plan_id"], status=CarePlanStatus.SENT).update(
        token_hash=token_hash(token)
    )
    if not updated:  # booked, cancelled or gone since: nothing to send
        return None
    plan = CarePlan.objects.select_related("clinic", "practitioner").get(pk=payload["plan_id"])
    with translation.override(plan.language):
        context = {"plan": plan, "url": careplan_url(token, language=plan.language)}
        subject = _("Your plan from %(clinic)s") % {"clinic": plan.clinic.name}
        text = render_to_string("patients/careplan/email.txt", context)
        html = render_to_string("patients/careplan/email.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[plan.patient_email])
    message.attach_alternative(html, "text/html")
    return message


def careplan_open(*, token: str) -> CarePlan | None:
    """The sent (or booked, or cancelled) plan whose secret ``token`` this is."""
    if not token:
        return None
    return (
        CarePlan.objects.exclude(status=CarePlanStatus.DRAFT)
        .select_related("clinic", "practitioner", "intake")
        .filter(token_hash=token_hash(token.strip()))
        .first()
    )


def _specs(plan: CarePlan) -> list[PhaseSpec]:
    return [
        PhaseSpec(
            visits_per_week=p.visits_per_week, weeks=p.weeks, service_id=p.service_id, practitioner_id=p.practitioner_id
        )
        for p in plan.phases.all()
    ]


def plan_times_propose(
    *, plan: CarePlan, preferences: Preferences, now: datetime, start_date: date | None = None
) -> list[ProposedVisit]:
    """Every visit's proposed time, from the same open times the booking pages show (scheduling's engine)."""
    zone = ZoneInfo(plan.clinic.time_zone)
    today = now.astimezone(zone).date()
    first = max(start_date or today + timedelta(days=1), today)
    specs = _specs(plan)
    weeks = sum(s.weeks for s in specs)
    begin = datetime.combine(first, time(0), tzinfo=zone)
    end = begin + timedelta(days=7 * weeks) + SLACK
    service_ids = {s.service_id for s in specs}
    practitioner_ids = sorted({s.practitioner_id for s in specs}) if preferences.same_practitioner else None
    slots: list[OpenTime] = []
    for service in Service.objects.filter(pk__in=service_ids).select_related("clinic"):
        slots.extend(
            open_times_list(
                clinic=plan.clinic,
                start=begin,
                end=end,
                now=now,
                service=service,
                practitioner_ids=practitioner_ids,
            )
        )
    slots.sort()
    return visits_propose(phases=specs, preferences=preferences, start_date=first, zone=zone, open_times=slots)


def preferences_parse(*, weekdays: list[str], after: str, before: str, same_practitioner: bool) -> Preferences:
    """The preferences as typed; ``CarePlanError`` naming the field for a bad one."""
    days: set[int] = set()
    for value in weekdays:
        if value not in {str(n) for n in range(7)}:
            raise CarePlanError(_("days: choose days of the week."), field="days")
        days.add(int(value))

    def clock(value: str, name: str) -> time | None:
        if not value:
            return None
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise CarePlanError(_("%(name)s: give a time like 17:00.") % {"name": name}, field=name) from None

    after_t, before_t = clock(after, "after"), clock(before, "before")
    if after_t and before_t and after_t >= before_t:
        raise CarePlanError(_("before: the end of your window must come after its start."), field="before")
    return Preferences(weekdays=frozenset(days), after=after_t, before=before_t, same_practitioner=same_practitioner)


def careplan_state_message(plan: CarePlan) -> str:
    """Why nothing can be booked from this plan any more, in words the patient can act on."""
    if plan.status == CarePlanStatus.BOOKED:
        return _("This plan is booked already: each visit has its own link to move or cancel it.")
    return _("The clinic withdrew this plan, so nothing can be booked from it. Please contact the clinic.")


def _replay(*, plan: CarePlan, key: str, scope: str, body_hash: str, now: datetime) -> Any:
    """The series this same request booked before (the same key and body), answered again; None otherwise.

    Asked only once the plan is booked: a retry of the request that booked it gets that series back, as
    ``series_book`` answers a replay, rather than "booked already". The same key with another body is refused
    (``IdempotencyMismatch``), as everywhere."""
    from booking.idempotency import idempotency_claim, idempotency_release
    from booking.series import SeriesBooked

    if not key or plan.series_id is None:
        return None
    claim = idempotency_claim(key=key, scope=scope, body_hash=body_hash, now=now)
    if claim.appointment is None or claim.appointment.series_id != plan.series_id:
        idempotency_release(claim=claim)  # a claim this call just made: forget it (a booked claim is kept)
        return None
    series = AppointmentSeries.objects.get(pk=plan.series_id)
    return SeriesBooked(series=series, appointments=list(series.appointments.order_by("start")), replayed=True)


@dataclass(frozen=True)
class VisitChoice:
    practitioner_id: int
    start: datetime


def careplan_book(
    *,
    plan: CarePlan,
    token: str,
    choices: list[VisitChoice],
    now: datetime,
    source: str = AppointmentSource.WEB,
    idempotency_key: str = "",
    idempotency_scope: str = "web",
    body_hash: str = "",
    ip: str | None = None,
) -> Any:
    """Book every visit of the plan at the chosen times, as one series (all or none): ``booking.series``.

    Raises ``CarePlanError`` for choices that do not fit the plan (a 422), and lets the series' own errors through
    (``SeriesTaken`` with each taken visit's alternatives, ``SeriesInvalid``)."""
    from booking.series import SeriesVisit, series_book

    if plan.status != CarePlanStatus.SENT:
        replayed = _replay(plan=plan, key=idempotency_key, scope=idempotency_scope, body_hash=body_hash, now=now)
        if replayed is not None:
            return replayed
        raise CarePlanError(careplan_state_message(plan), status=409)
    phases = list(plan.phases.select_related("service", "practitioner"))
    slots: list[CarePlanPhase] = [phase for phase in phases for _n in range(phase.visits)]
    if len(choices) != len(slots):
        raise CarePlanError(
            _("starts: give one time for each of the %(n)d visits.") % {"n": len(slots)}, field="starts"
        )
    allowed = {
        service.pk: set(service.practitioners.values_list("pk", flat=True))
        for service in {phase.service for phase in phases}
    }
    practitioners = {p.pk: p for p in Practitioner.objects.filter(clinic=plan.clinic).select_related("clinic")}
    visits = []
    for number, (phase, choice) in enumerate(zip(slots, choices, strict=True), start=1):
        if choice.practitioner_id not in allowed[phase.service_id] or choice.practitioner_id not in practitioners:
            raise CarePlanError(
                _("visit %(n)d: this practitioner does not offer this visit's service.") % {"n": number},
                field="starts",
            )
        if choice.start.tzinfo is None or not date_in_window(choice.start.date(), today=now.date()):
            raise CarePlanError(f"visit {number}: {window_message(today=now.date())}", field="starts")
        visits.append(SeriesVisit(practitioners[choice.practitioner_id], phase.service, choice.start))
    patient = PatientDetails(name=plan.patient_name, email=plan.patient_email, phone=plan.patient_phone)
    return series_book(
        visits=visits,
        patient=patient,
        now=now,
        source=source,
        idempotency_key=idempotency_key,
        idempotency_scope=idempotency_scope,
        body_hash=body_hash,
        ip=ip,
        language=plan.language,
        care_plan_token=token,
    )


def careplan_attach_series(*, series: Any, token: str, now: datetime) -> None:
    """Inside the series' transaction (booking.hooks): link the plan whose token this is, or refuse the series."""
    plan = CarePlan.objects.select_for_update().filter(token_hash=token_hash(token.strip())).first()
    if plan is None:
        raise NotBookable(_("care_plan_token: there is no such plan (or the token is wrong)."))
    if plan.status != CarePlanStatus.SENT:
        raise NotBookable(_("care_plan_token: this plan is booked or cancelled already."))
    if plan.clinic_id != series.clinic_id:
        raise NotBookable(_("care_plan_token: this plan is for another clinic."))
    CarePlan.objects.filter(pk=plan.pk).update(series=series, status=CarePlanStatus.BOOKED, booked_at=now)
    # Each visit's outcome check-in, invited in the series' transaction (patients.careplan_checkins).
    careplan_checkins_queue(plan=plan, appointments=list(series.appointments.all()), now=now)


def careplan_cancel_rest(
    *, plan: CarePlan, now: datetime, source: str = AppointmentSource.WEB, reason: str = ""
) -> RestCancelled:
    """Cancel every future visit of the plan's series in one step (booking.series): the visits cancelled, and
    those kept because they can no longer be cancelled online (each with why)."""
    from booking.series import series_cancel_rest

    series = getattr(plan, "series", None)
    if series is None:
        raise CarePlanError(_("This plan has no booked visits."), status=409)
    return series_cancel_rest(series=series, now=now, actor=Actor.PATIENT, source=source, reason=reason)


def plan_appointments(plan: CarePlan) -> list[Appointment]:
    series = getattr(plan, "series", None)
    if series is None:
        return []
    return list(series.appointments.select_related("practitioner", "service").order_by("start"))


def plans_for_email(email: str) -> QuerySet[CarePlan]:
    """My PainHero: the plans sent to this address."""
    return (
        CarePlan.objects.exclude(status=CarePlanStatus.DRAFT)
        .filter(patient_email__iexact=email)
        .select_related("clinic")
        .order_by("-sent_at")
    )
