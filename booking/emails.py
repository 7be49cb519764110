"""The emails a patient gets when an appointment is booked, moved or cancelled (built at delivery time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.ics import ics_appointment, ics_series
from booking.models import Appointment, AppointmentSeries, AppointmentStatus, ClinicBookingPolicy
from booking.video import video_url
from painhero.urls_abs import absolute_reverse


def manage_url(appointment: Appointment) -> str:
    """The patient's private page for this appointment, in the language they booked in (``/fr/...``)."""
    return absolute_reverse("booking:manage", language=appointment.language, kwargs={"token": appointment.manage_token})


def map_url(appointment: Appointment) -> str:
    clinic = appointment.clinic
    return f"https://www.openstreetmap.org/?mlat={clinic.latitude}&mlon={clinic.longitude}#map=17/{clinic.latitude}/{clinic.longitude}"


def ics_build(appointment: Appointment) -> bytes:
    """The attachment calendar programs import (``booking.ics``), its text in the patient's language."""
    with translation.override(appointment.language):
        description = _("Manage your appointment: %(url)s") % {"url": manage_url(appointment)}
        return ics_appointment(appointment, description=description, url=manage_url(appointment))


def email_context(appointment: Appointment, *, old_start: datetime | None = None) -> dict[str, Any]:
    zone = ZoneInfo(appointment.clinic.time_zone)
    policy = ClinicBookingPolicy.objects.filter(clinic_id=appointment.clinic_id).first()
    return {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "old_start": old_start.astimezone(zone) if old_start else None,
        "zone": zone,
        "policy": policy,
        "window_hours": policy.cancellation_window_hours if policy else 24,
        "manage_url": manage_url(appointment),
        "map_url": map_url(appointment),
        # Only ever in the body sent to the patient, never in a subject (booking.video).
        "video_url": video_url(appointment),
    }


SUBJECTS = {
    "created": lambda: _("Your appointment is confirmed"),
    "rescheduled": lambda: _("Your appointment has moved"),
    "cancelled": lambda: _("Your appointment is cancelled"),
}


def appointment_email_build(kind: str, payload: dict[str, Any]) -> EmailMultiAlternatives | None:
    appointment = (
        Appointment.objects.select_related("clinic__city", "practitioner", "service")
        .filter(pk=payload["appointment_id"])
        .first()
    )
    if appointment is None:
        return None
    old_start = datetime.fromisoformat(payload["old_start"]) if payload.get("old_start") else None
    # The worker has no request: the patient's language and the clinic's zone are set here, for the subject,
    # both bodies and every link. Without the zone, Django's date filter shows times in settings.TIME_ZONE.
    with translation.override(appointment.language), timezone.override(ZoneInfo(appointment.clinic.time_zone)):
        context = email_context(appointment, old_start=old_start)
        context["kind"] = kind
        subject = f"{SUBJECTS[kind]()} — {appointment.clinic.name}"
        text = render_to_string("booking/email/appointment.txt", context)
        html = render_to_string("booking/email/appointment.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[appointment.patient_email])
    message.attach_alternative(html, "text/html")
    message.attach("appointment.ics", ics_build(appointment), "text/calendar")
    return message


def series_email_build(payload: dict[str, Any]) -> EmailMultiAlternatives | None:
    """The one confirmation of a series (booking.series): every visit with its own link, one calendar file."""
    series = AppointmentSeries.objects.select_related("clinic__city").filter(pk=payload["series_id"]).first()
    if series is None:
        return None
    appointments = list(
        series.appointments.select_related("clinic__city", "practitioner", "service")
        .filter(status=AppointmentStatus.BOOKED)
        .order_by("start")
    )
    if not appointments:
        return None  # all cancelled before the worker got to it: each cancellation had its own email
    clinic = series.clinic
    zone = ZoneInfo(clinic.time_zone)
    policy = ClinicBookingPolicy.objects.filter(clinic_id=clinic.pk).first()
    with translation.override(series.language), timezone.override(zone):
        visits = [
            {
                "appointment": appointment,
                "start": appointment.start.astimezone(zone),
                "end": appointment.end.astimezone(zone),
                "manage_url": manage_url(appointment),
                "video_url": video_url(appointment),
            }
            for appointment in appointments
        ]
        context = {
            "clinic": clinic,
            "zone": zone,
            "visits": visits,
            "policy": policy,
            "window_hours": policy.cancellation_window_hours if policy else 24,
            "language": series.language,
        }
        subject = f"{_('Your visits are booked')} — {clinic.name}"
        text = render_to_string("booking/email/series.txt", context)
        html = render_to_string("booking/email/series.html", context)
        descriptions = [
            (_("Manage this visit: %(url)s") % {"url": visit["manage_url"]}, str(visit["manage_url"]))
            for visit in visits
        ]
        ics = ics_series(appointments, descriptions=descriptions)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[appointments[0].patient_email])
    message.attach_alternative(html, "text/html")
    message.attach("appointments.ics", ics, "text/calendar")
    return message


def builders_register() -> None:
    from notifications.registry import builder_register

    def builder(kind: str) -> Callable[[dict[str, Any]], EmailMultiAlternatives | None]:
        return lambda payload: appointment_email_build(kind, payload)

    for kind in SUBJECTS:
        builder_register(f"booking.{kind}", builder(kind))
    builder_register("booking.series_booked", series_email_build)  # booking.series.SERIES_BOOKED
