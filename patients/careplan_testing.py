"""Test helpers for care plans: a free consultation in the test world, with an intake, and a plan written from it.
Only tests import this module."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from booking.models import Appointment, AppointmentSource
from clinics.models import Delivery, ServiceKind
from clinics.testing import make_service
from painhero.testing import NOW, World
from patients.careplan_models import CarePlan
from patients.careplans import PhaseInput, careplan_save, careplan_send
from patients.models import Intake
from patients.services import intake_create
from scheduling.models import BookingRules

TAPER = ((3, 2), (2, 2), (1, 2))


def consultation_make(
    world: World, *, start: datetime | None = None, answers: dict[str, Any] | None = None
) -> Appointment:
    """Chen's free phone consultation with Jo (yesterday unless told), carrying a lower back intake."""
    from patients.tests.conftest import lower_back

    BookingRules.objects.update_or_create(clinic=world.clinic, defaults={"horizon_days": 180})
    free = make_service(
        clinic=world.clinic,
        practitioners=[world.chen],
        name="Free consultation",
        kind=ServiceKind.FREE_CONSULTATION,
        delivery=Delivery.PHONE,
        duration_minutes=15,
        price_cents=0,
    )
    start = start or NOW - timedelta(days=1)
    appointment = Appointment.objects.create(
        clinic=world.clinic,
        practitioner=world.chen,
        service=free,
        start=start,
        end=start + timedelta(minutes=15),
        patient_name="Jo Tremblay",
        patient_email="jo@example.com",
        patient_phone="+14165550123",
        source=AppointmentSource.WEB,
    )
    created = intake_create(
        answers=answers or lower_back(), language="en", consent=True, now=start - timedelta(hours=1)
    )
    Intake.objects.filter(pk=created.intake.pk).update(appointment=appointment, patient_email="jo@example.com")
    return appointment


def plan_make(
    world: World, consultation: Appointment, *, shape: tuple[tuple[int, int], ...] = TAPER, send: bool = True
) -> CarePlan:
    plan = careplan_save(
        consultation=consultation,
        plan=None,
        condition="lower_back",
        impression="Mechanical low back pain, no nerve signs",
        goals="Sit an hour",
        home_exercises="Walk daily",
        outcome_measures=["nprs", "psfs"],
        cost_estimate_cents=90000,
        insurance_note="Most plans cover part",
        phases=[PhaseInput(v, w, world.service, world.chen) for v, w in shape],
        now=NOW,
    )
    if send:
        plan = careplan_send(plan=plan, now=NOW)
    return plan


def emailed_token(plan: CarePlan) -> str:
    """Deliver the outbox (the plan's email among it) and read the plan's token from the link sent to the patient."""
    import re

    from django.core import mail

    from notifications.services import outbox_sweep

    outbox_sweep()
    for message in reversed(mail.outbox):
        if plan.patient_email in message.to:
            found = re.search(r"/care-plan/([^/\s]+)/", str(message.body))
            if found:
                return found.group(1)
    raise AssertionError("no care plan email in the outbox")
