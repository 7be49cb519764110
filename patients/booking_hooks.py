"""The intake a booking carries: checked and linked inside the booking's transaction (booking.hooks).

Registered in ``PatientsConfig.ready()``. Invariant 9 (DESIGN.md): an emergency intake never leads to a booking,
and an urgent one only after the patient's recorded confirmation that a doctor has seen them. A refusal is a
``IntakeRefused`` (a 422) whose message names the field and the reason in plain words, never an answer.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from booking.hooks import IntakeRefused
from booking.models import Appointment, AppointmentStatus
from patients.models import Intake, TriageLevel, token_hash


def intake_attach_to_appointment(*, appointment: Appointment, token: str, now: datetime) -> None:
    """Link the intake whose secret ``token`` this is to ``appointment``, or refuse the booking."""
    intake = Intake.objects.select_for_update().filter(token_hash=token_hash(token.strip())).first()
    if intake is None:
        raise IntakeRefused(_("intake_token: there is no such intake (or the token is wrong)."))
    if intake.triage == TriageLevel.EMERGENCY:
        raise IntakeRefused(
            _(
                "intake_token: your answers show warning signs that need emergency care now: call 911 or go to "
                "the nearest emergency department. This visit cannot be booked."
            )
        )
    if not intake.may_book:
        raise IntakeRefused(
            _(
                "intake_token: your answers show signs a doctor should check first. Once a doctor has seen you, "
                "confirm it on your answer page, then book."
            )
        )
    other = intake.appointment_id
    if (
        other is not None
        and other != appointment.pk
        and Appointment.objects.filter(pk=other, status=AppointmentStatus.BOOKED).exists()
    ):
        raise IntakeRefused(_("intake_token: this intake already goes with another booked appointment."))
    Intake.objects.filter(pk=intake.pk).update(appointment=appointment)
