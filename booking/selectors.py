"""Reads: an appointment or a hold fetched by its private token (404 for anything else)."""

from __future__ import annotations

import secrets

from booking.models import Appointment, Hold


def appointment_for_token(*, token: str, appointment_id: int | None = None) -> Appointment | None:
    """The appointment this manage token opens; None for a wrong token or another patient's id."""
    if not token:
        return None
    appointment = (
        Appointment.objects.select_related("clinic__city", "practitioner", "service").filter(manage_token=token).first()
    )
    if appointment is None or (appointment_id is not None and appointment.pk != appointment_id):
        return None
    return appointment


def hold_for_token(*, hold_id: int, token: str) -> Hold | None:
    hold = Hold.objects.select_related("practitioner").filter(pk=hold_id).first()
    if hold is None or not token or not secrets.compare_digest(hold.token, token):
        return None
    return hold
