"""Outcomes in the clinic portal: the practitioner's check-in for a visit, and the clinic's shares.

The check-in is written by the outcomes service (``patients.outcomes.checkin_record_by_staff``: source "recorded by
the clinic", the intake's read recorded as an ``IntakeAccess``); this adds what the portal owes every write of
health information: which visits may have one, and an ``AuditEntry`` (who, which visit; never a value) in the same
transaction. The caller has already decided that this member may read the visit's health information
(``portal.selectors.health_note_visible``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from booking.models import Appointment, AppointmentStatus
from clinics.models import ServiceKind
from patients.careplan_models import CarePlan
from patients.models import Intake, IntakeAccess, OutcomeCheckIn, Reader
from patients.outcomes import (
    CheckInError,
    OutcomeMetrics,
    Progress,
    checkin_record_by_staff,
    clinic_outcome_metrics,
    outcome_progress,
)
from patients.outcomes_checkins import checkin_staff_open
from portal.models import Membership

from .actor import actor_check
from .audit import audit_record

CHECKIN_WHERE = "portal:appointment_checkin"


def checkin_refusal(*, appointment: Appointment, now: datetime) -> str:
    """Why this visit cannot have a check-in recorded now ("" when it can): a cancelled or missed visit measured
    nothing, and a visit on a later day has not happened yet (days in the clinic's zone)."""
    if appointment.status == AppointmentStatus.CANCELLED:
        return _("This visit was cancelled: there is nothing to record.")
    if appointment.status == AppointmentStatus.NO_SHOW:
        return _("The patient did not come to this visit: there is nothing to record.")
    if appointment.service.kind == ServiceKind.FREE_CONSULTATION:
        return _("The free consultation is where the start is measured (the intake): record check-ins at later visits.")
    zone = ZoneInfo(appointment.clinic.time_zone)
    if appointment.start.astimezone(zone).date() > now.astimezone(zone).date():
        return _("This visit is on a later day: record its check-in on the day of the visit.")
    return ""


def checkin_staff_read(
    *, actor: Membership, appointment: Appointment, now: datetime
) -> tuple[Intake | None, OutcomeCheckIn | None]:
    """The intake the visit's check-in measures against and the check-in recorded for it, if any; the read is
    recorded in the intake's access trail."""
    actor_check(actor, clinic_id=appointment.clinic_id, practitioner_ids=[appointment.practitioner_id])
    return checkin_staff_open(
        appointment=appointment, user_id=actor.user_id, role=actor.role, where=CHECKIN_WHERE, now=now
    )


def checkin_staff_record(
    *,
    actor: Membership,
    appointment: Appointment,
    intake: Intake,
    raw: Mapping[str, Any],
    ip: str | None,
    now: datetime,
) -> OutcomeCheckIn:
    """Record the visit's check-in as the practitioner heard it, with the audit entry, in one transaction.
    ``CheckInError``: 409 for a visit that cannot have one (or already has one), 422 for a value out of range."""
    actor_check(actor, clinic_id=appointment.clinic_id, practitioner_ids=[appointment.practitioner_id])
    refusal = checkin_refusal(appointment=appointment, now=now)
    if refusal:
        raise CheckInError("", refusal, status=409)
    with transaction.atomic():
        checkin = checkin_record_by_staff(
            appointment=appointment,
            intake=intake,
            raw=raw,
            user_id=actor.user_id,
            role=actor.role,
            where=CHECKIN_WHERE,
            now=now,
        )
        audit_record(
            actor=actor,
            action="health_info.checkin_recorded",
            obj=appointment,
            summary=_("Recorded the outcome check-in of an appointment"),
            changes={"appointment_id": appointment.pk, "checkin_id": checkin.pk},
            ip=ip,
        )
    return checkin


def careplan_progress_read(*, actor: Membership, plan: CarePlan, where: str, now: datetime) -> Progress | None:
    """The progress of the intake a care plan was written from (None without one), the read recorded: the chart
    shows the patient's pain scores. The caller has decided this member may read the plan."""
    actor_check(actor, clinic_id=plan.clinic_id, practitioner_ids=[plan.practitioner_id])
    if plan.intake is None:
        return None
    with transaction.atomic():
        IntakeAccess.objects.create(
            intake=plan.intake, at=now, reader=Reader.STAFF, user_id=actor.user_id, role=actor.role, where=where
        )
    return outcome_progress(plan.intake)


@dataclass(frozen=True)
class Share:
    label: str
    explanation: str
    count: int
    of: int
    percent: int | None  # rounded; None when there is nobody to count


def _share(label: str, explanation: str, count: int, of: int) -> Share:
    return Share(label, explanation, count, of, round(100 * count / of) if of else None)


@dataclass(frozen=True)
class ClinicOutcomes:
    metrics: OutcomeMetrics
    shares: list[Share]

    @property
    def empty(self) -> bool:
        return self.metrics.new_patients == 0


def clinic_outcomes_read(*, actor: Membership, now: datetime) -> ClinicOutcomes:
    """The clinic's outcome shares, in words (aggregates only: no patient's answer is read)."""
    metrics = clinic_outcome_metrics(actor.clinic, now=now)
    whole = metrics.new_patients
    shares = [
        _share(
            _("Baseline captured"),
            _("New patients whose intake gave a pain score to start from."),
            metrics.with_baseline,
            whole,
        ),
        _share(
            _("Follow-up captured"),
            _("New patients with a check-in at their 4th, 5th or 6th visit, or at their last visit when care ended."),
            metrics.with_follow_up,
            whole,
        ),
        _share(
            _("Meaningful change"),
            _("New patients whose pain went down by 2 points or 30%, or whose activities went up by 2 points."),
            metrics.meaningful,
            whole,
        ),
    ]
    return ClinicOutcomes(metrics=metrics, shares=shares)
