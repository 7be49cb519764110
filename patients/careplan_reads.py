"""The patient's reads of a care plan and its progress: on the plan's page (the emailed link) and in My PainHero.

A plan's progress is its intake's (the baseline, then each recorded check-in), which is health information: every
page that shows it records the patient's read in the intake's audit trail (``IntakeAccess``, reader patient), the
way reading the intake itself is recorded, so the patient's "who has read your answers" lists it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from booking.models import Appointment
from patients.account import PatientAccount
from patients.careplan_models import CarePlan, CarePlanPhase
from patients.careplans import plan_appointments, plans_for_email
from patients.models import IntakeAccess, Reader
from patients.outcomes_progress import Progress, outcome_progress


@dataclass(frozen=True)
class PlanView:
    plan: CarePlan
    phases: list[CarePlanPhase] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    progress: Progress | None = None  # None: the plan has no intake to measure from


def careplan_progress_open(*, plan: CarePlan, where: str, now: datetime) -> Progress | None:
    """The progress of the plan's intake with the patient's read recorded; None for a plan without an intake."""
    if plan.intake is None:
        return None
    with transaction.atomic():
        IntakeAccess.objects.create(intake=plan.intake, at=now, reader=Reader.PATIENT, where=where)
    return outcome_progress(plan.intake)


def careplans_for_account(account: PatientAccount) -> list[CarePlan]:
    """My PainHero's list: the plans sent to the signed-in patient's address, newest first (no health text read)."""
    return list(plans_for_email(account.email).select_related("practitioner").prefetch_related("phases"))


def careplan_open_for_account(
    *, account: PatientAccount, public_id: uuid.UUID, where: str, now: datetime
) -> PlanView | None:
    """One of the signed-in patient's plans with its phases, visits and progress (the read recorded); None for a
    plan that is not theirs, a draft or an unknown id (the same answer for each)."""
    plan = plans_for_email(account.email).select_related("practitioner", "intake").filter(public_id=public_id).first()
    if plan is None:
        return None
    return PlanView(
        plan=plan,
        phases=list(plan.phases.select_related("service", "practitioner")),
        appointments=plan_appointments(plan),
        progress=careplan_progress_open(plan=plan, where=where, now=now),
    )
