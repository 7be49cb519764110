"""Reads: an appointment or a hold fetched by its private token (404 for anything else); what was sent to
the patients of a clinic's appointments, and its no-show rates with and without reminders."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from booking.models import Appointment, AppointmentStatus, Hold
from booking.reminder_sms import SMS_KIND as REMINDER_SMS
from booking.reminders import EMAIL_KIND as REMINDER_EMAIL
from booking.reminders import appointment_ref
from notifications.models import MessageStatus, OutboxMessage
from notifications.selectors import outbox_about


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


@dataclass(frozen=True)
class SentMessage:
    """One line of "what we sent the patient": which message, by which channel, in what state, when."""

    label: str
    channel: str
    status: str
    status_label: str
    at: datetime | None  # sent (or last heard of); None while it waits
    due: datetime | None  # when a waiting one goes


def _message_labels() -> dict[str, str]:
    return {
        "booking.created": _("Confirmation"),
        "booking.rescheduled": _("Moved"),
        "booking.cancelled": _("Cancellation"),
        REMINDER_EMAIL: _("Reminder"),
        REMINDER_SMS: _("Reminder"),
    }


def sent_messages_by_appointment(*, appointment_ids: Iterable[int]) -> dict[int, list[SentMessage]]:
    """What was sent (or waits to be sent) to the patient of each appointment, in one query."""
    ids = list(appointment_ids)
    found = outbox_about(refs=[appointment_ref(pk) for pk in ids])
    labels = _message_labels()
    out: dict[int, list[SentMessage]] = {}
    for pk in ids:
        out[pk] = [
            SentMessage(
                label=labels.get(message.kind, message.kind),
                channel=message.get_channel_display(),
                status=message.status,
                status_label=message.get_status_display(),
                at=message.status_at or message.sent_at,
                due=message.not_before if message.status == MessageStatus.PENDING else None,
            )
            for message in found.get(appointment_ref(pk), [])
        ]
    return out


@dataclass(frozen=True)
class NoShowRates:
    """No-shows among a clinic's finished visits (completed or no-show), with and without a reminder sent."""

    reminded: int
    reminded_no_shows: int
    unreminded: int
    unreminded_no_shows: int

    @staticmethod
    def _rate(no_shows: int, total: int) -> float | None:
        return round(100 * no_shows / total, 1) if total else None

    @property
    def reminded_rate(self) -> float | None:
        return self._rate(self.reminded_no_shows, self.reminded)

    @property
    def unreminded_rate(self) -> float | None:
        return self._rate(self.unreminded_no_shows, self.unreminded)


def no_show_rates(*, clinic_id: int, since: datetime, until: datetime) -> NoShowRates:
    """One aggregate query: each finished visit in [since, until) counts as reminded if a reminder reached
    the provider (sent or delivered) for it."""
    reminder_sent = OutboxMessage.objects.filter(
        ref=Concat(Value("appointment:"), Cast(OuterRef("pk"), CharField())),
        kind__in=[REMINDER_EMAIL, REMINDER_SMS],
        status__in=[MessageStatus.SENT, MessageStatus.DELIVERED],
    )
    finished = (
        Appointment.objects.filter(
            clinic_id=clinic_id,
            start__gte=since,
            start__lt=until,
            status__in=[AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW],
        )
        .annotate(was_reminded=Exists(reminder_sent))
        .aggregate(
            reminded=Count("pk", filter=Q(was_reminded=True)),
            reminded_no_shows=Count("pk", filter=Q(was_reminded=True, status=AppointmentStatus.NO_SHOW)),
            unreminded=Count("pk", filter=Q(was_reminded=False)),
            unreminded_no_shows=Count("pk", filter=Q(was_reminded=False, status=AppointmentStatus.NO_SHOW)),
        )
    )
    return NoShowRates(**finished)
