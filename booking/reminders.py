"""Reminders before a visit: queued with the booking (or the move), sent when their time comes, once.

- Queued in the same transaction as the booking or the move (``reminders_queue``, called by the booking
  services), as outbox rows held back until ``start - lead`` (the clinic's ``reminder_hours``). A visit booked
  inside that lead gets none: its confirmation, just sent, says the same.
- Once: each row has a dedupe key made of the appointment and its start, unique in the database, so queuing
  again (a move away and back) adds nothing, and the outbox sends a keyed row at most once.
- Never stale: the key holds the start it was queued for, and the builder checks, at sending time, that the
  appointment is still booked at that start and still ahead. A visit cancelled or moved is skipped.
- What the clinic decides later (a new ``reminder_hours``) applies to reminders queued from then on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.emails import email_context
from booking.errors import NotChangeable
from booking.models import Actor, Appointment, AppointmentEvent, AppointmentStatus, ClinicBookingPolicy, EventKind
from booking.reminder_sms import SMS_KIND, sms_reminder_build, sms_reminder_queue
from notifications.models import Channel, OutboxMessage
from notifications.outbox import outbox_put
from painhero import formats
from painhero.urls_abs import absolute_reverse

EMAIL_KIND = "booking.reminder"


def appointment_ref(appointment_id: int) -> str:
    """How outbox rows about an appointment are filed (``OutboxMessage.ref``)."""
    return f"appointment:{appointment_id}"


def reminder_key(*, channel: str, appointment: Appointment) -> str:
    return f"{EMAIL_KIND}:{channel}:{appointment.pk}:{appointment.start.isoformat()}"


def reminders_queue(
    *, appointment: Appointment, now: datetime, policy: ClinicBookingPolicy | None = None
) -> list[OutboxMessage]:
    """Queue the reminders of a visit just booked or moved; call inside that transaction."""
    policy = policy or ClinicBookingPolicy.for_clinic(appointment.clinic_id)
    lead = policy.reminder_lead
    if lead is None or appointment.status != AppointmentStatus.BOOKED:
        return []
    remind_at = appointment.start - lead
    if remind_at <= now:
        return []
    payload = {"appointment_id": appointment.pk, "start": appointment.start.isoformat()}
    queued = [
        outbox_put(
            kind=EMAIL_KIND,
            payload=payload,
            now=now,
            dedupe_key=reminder_key(channel=Channel.EMAIL, appointment=appointment),
            not_before=remind_at,
            ref=appointment_ref(appointment.pk),
        )
    ]
    sms = sms_reminder_queue(
        appointment=appointment,
        payload=payload,
        remind_at=remind_at,
        dedupe_key=reminder_key(channel=Channel.SMS, appointment=appointment),
        ref=appointment_ref(appointment.pk),
        now=now,
    )
    if sms is not None:
        queued.append(sms)
    return queued


def reminder_appointment(payload: dict[str, Any], *, now: datetime) -> Appointment | None:
    """The appointment a reminder is for, if it is still worth one: booked, at the start queued for, ahead."""
    appointment = (
        Appointment.objects.select_related("clinic__city", "practitioner", "service")
        .filter(pk=payload["appointment_id"])
        .first()
    )
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return None
    if appointment.start != datetime.fromisoformat(payload["start"]) or appointment.start <= now:
        return None
    return appointment


def reminder_links(appointment: Appointment, *, now: datetime) -> dict[str, Any]:
    """Confirm, cancel and reschedule links (the last two only while the clinic's window is open)."""
    kwargs = {"token": appointment.manage_token}
    language = appointment.language
    can_change = appointment.changeable_online(now=now)
    return {
        "confirm_url": absolute_reverse("booking:confirm", language=language, kwargs=kwargs),
        "cancel_url": absolute_reverse("booking:cancel", language=language, kwargs=kwargs) if can_change else "",
        "reschedule_url": absolute_reverse("booking:reschedule", language=language, kwargs=kwargs)
        if can_change
        else "",
        "can_change": can_change,
    }


def reminder_email_build(payload: dict[str, Any]) -> EmailMultiAlternatives | None:
    now = timezone.now()
    appointment = reminder_appointment(payload, now=now)
    if appointment is None:
        return None
    zone = ZoneInfo(appointment.clinic.time_zone)
    with translation.override(appointment.language), timezone.override(zone):
        context = email_context(appointment) | reminder_links(appointment, now=now)
        policy = ClinicBookingPolicy.for_clinic(appointment.clinic_id)
        context["deadline"] = policy.changeable_until(appointment.start)
        # No service, practitioner or note in the subject: a lock screen shows it to anyone nearby.
        subject = _("Reminder: your appointment on %(when)s — %(clinic)s") % {
            "when": formats.datetime_in_zone(appointment.start, zone),
            "clinic": appointment.clinic.name,
        }
        text = render_to_string("booking/email/reminder.txt", context)
        html = render_to_string("booking/email/reminder.html", context)
    # The same Message-ID for the same reminder: a mail system that sees it twice can drop the second.
    message_id = f"<reminder-{appointment.pk}-{int(appointment.start.timestamp())}@painhero>"
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[appointment.patient_email], headers={"Message-ID": message_id}
    )
    message.attach_alternative(html, "text/html")
    return message


def appointment_confirm(*, appointment: Appointment, now: datetime, source: str, ip: str | None = None) -> bool:
    """The patient says they will come (the reminder's first link); True the first time, False after."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED or appointment.start <= now:
            raise NotChangeable(_("This appointment is already cancelled or over."))
        if appointment.events.filter(kind=EventKind.CONFIRMED, new_start=appointment.start).exists():
            return False
        AppointmentEvent.objects.create(
            appointment=appointment,
            kind=EventKind.CONFIRMED,
            at=now,
            actor=Actor.PATIENT,
            source=source,
            ip=ip,
            new_start=appointment.start,
        )
    return True


def appointment_confirmed(appointment: Appointment) -> bool:
    """Whether the patient confirmed the visit at its current time."""
    return appointment.events.filter(kind=EventKind.CONFIRMED, new_start=appointment.start).exists()


def builders_register() -> None:
    from notifications.registry import builder_register

    builder_register(EMAIL_KIND, reminder_email_build)
    builder_register(SMS_KIND, sms_reminder_build)
