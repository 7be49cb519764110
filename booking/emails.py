"""The emails a patient gets when an appointment is booked, moved or cancelled (built at delivery time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from booking.models import Appointment, AppointmentStatus, ClinicBookingPolicy

SITE_URL = getattr(settings, "SITE_URL", "http://127.0.0.1:8000")


def manage_url(appointment: Appointment) -> str:
    return SITE_URL.rstrip("/") + reverse("booking:manage", kwargs={"token": appointment.manage_token})


def map_url(appointment: Appointment) -> str:
    clinic = appointment.clinic
    return f"https://www.openstreetmap.org/?mlat={clinic.latitude}&mlon={clinic.longitude}#map=17/{clinic.latitude}/{clinic.longitude}"


def directions_query(appointment: Appointment) -> str:
    clinic = appointment.clinic
    return quote_plus(f"{clinic.address}, {clinic.city.name}, {clinic.province} {clinic.postal_code}")


def ics_build(appointment: Appointment) -> bytes:
    """An iCalendar file calendar programs import: one event, cancelled if the appointment is."""
    clinic = appointment.clinic
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//PainHero//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.pk}@painhero")
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", f"{appointment.service.label} — {clinic.name}")
    event.add("location", f"{clinic.address}, {clinic.city.name}, {clinic.province} {clinic.postal_code}")
    event.add("description", _("Manage your appointment: %(url)s") % {"url": manage_url(appointment)})
    event.add("sequence", appointment.events.count())
    if appointment.status == AppointmentStatus.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


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
    with translation.override(settings.LANGUAGE_CODE):
        context = email_context(appointment, old_start=old_start)
        context["kind"] = kind
        subject = f"{SUBJECTS[kind]()} — {appointment.clinic.name}"
        text = render_to_string("booking/email/appointment.txt", context)
        html = render_to_string("booking/email/appointment.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[appointment.patient_email])
    message.attach_alternative(html, "text/html")
    message.attach("appointment.ics", ics_build(appointment), "text/calendar")
    return message


def builders_register() -> None:
    from notifications.registry import builder_register

    for kind in SUBJECTS:
        builder_register(f"booking.{kind}", lambda payload, kind=kind: appointment_email_build(kind, payload))
