"""One appointment's consultation page: how it happens (phone, video link) and, for the practitioner who holds it,
the intake the patient sent with the booking. Every read of the answers is recorded (DESIGN.md invariant 5)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from booking.video import video_url
from patients.consultation import appointment_intakes_open, intake_answer_lines
from patients.models import Reader
from patients.outcomes import outcome_progress
from patients.rules import MESSAGES
from portal.access import ALL_ROLES, access_appointment, portal_view
from portal.models import Membership
from portal.selectors import health_note_visible


@portal_view(roles=ALL_ROLES)
@require_GET
def appointment_consultation(
    request: HttpRequest, clinic_id: int, appointment_id: int, *, membership: Membership
) -> HttpResponse:
    appointment = access_appointment(membership, appointment_id)
    may_read = health_note_visible(actor=membership, appointment=appointment)
    intakes = (
        appointment_intakes_open(
            appointment=appointment,
            user_id=membership.user_id,
            role=membership.role,
            where="portal:appointment_consultation",
            now=timezone.now(),
            reader=Reader.STAFF,
        )
        if may_read
        else []
    )
    context = {
        "membership": membership,
        "appointment": appointment,
        "video_url": video_url(appointment),
        "may_read": may_read,
        "intakes": [
            {
                "intake": intake,
                "lines": intake_answer_lines(intake),
                "notes": [MESSAGES[c] for c in intake.clinician_notes if c in MESSAGES],
                "reasons": [MESSAGES[c] for c in intake.reasons if c in MESSAGES],
                "progress": outcome_progress(intake),
            }
            for intake in intakes
        ],
    }
    response = render(request, "portal/appointment_consultation.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
