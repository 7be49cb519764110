"""The email a booked patient gets when their clinic leaves the network: the visit stands (built at delivery)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMessage
from django.utils import formats, translation
from django.utils.translation import gettext as _

from booking.emails import manage_url
from booking.models import Appointment, AppointmentStatus
from painhero import formats as house_formats


def clinic_left_email_build(payload: dict[str, Any]) -> EmailMessage | None:
    appointment = (
        Appointment.objects.select_related("clinic")
        .filter(pk=payload["appointment_id"], status=AppointmentStatus.BOOKED)
        .first()
    )
    if appointment is None:  # cancelled since: nothing to say
        return None
    clinic = appointment.clinic
    with translation.override(appointment.language):
        start = formats.date_format(appointment.start.astimezone(ZoneInfo(clinic.time_zone)), "DATETIME_FORMAT")
        subject = _("About your appointment at %(clinic)s") % {"clinic": clinic.name}
        body = _(
            "Your appointment at %(clinic)s on %(start)s is still booked.\n\n"
            "The clinic is no longer taking new bookings through PainHero, so you cannot move this appointment "
            "online. You can still cancel it here, or call the clinic at %(phone)s:\n%(url)s\n"
        ) % {
            "clinic": clinic.name,
            "start": start,
            "phone": house_formats.phone(clinic.phone),
            "url": manage_url(appointment),
        }
    return EmailMessage(subject=subject, body=body, to=[appointment.patient_email])


def builders_register() -> None:
    from notifications.registry import builder_register

    builder_register("quality.clinic_left", clinic_left_email_build)
