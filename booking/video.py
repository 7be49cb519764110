"""The meeting link of a video free consultation: settings.VIDEO_BASE_URL plus the appointment's own random token.

The token is as secret as the manage token (DESIGN.md invariant 12): shown to the patient (manage page and
confirmation email) and to the clinic's staff, never logged. No video server is built here.
"""

from __future__ import annotations

import secrets

from django.conf import settings

from booking.models import Appointment
from clinics.models import Delivery, Service, ServiceKind


def video_token_new() -> str:
    return secrets.token_urlsafe(24)


def needs_video(service: Service) -> bool:
    return service.kind == ServiceKind.FREE_CONSULTATION and service.delivery == Delivery.VIRTUAL


def video_url(appointment: Appointment) -> str:
    """The meeting's address, or "" for an appointment that has none."""
    if not appointment.video_token:
        return ""
    return f"{settings.VIDEO_BASE_URL}{appointment.video_token}"
