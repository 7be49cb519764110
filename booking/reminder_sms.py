"""The text-message reminder, for patients who asked for one at booking: one GSM-7 segment, in their language,
never in quiet hours (21:00-08:00 on the clinic's clock), the one-tap link in the text and nowhere else.

Queued beside the email (``booking.reminders.reminders_queue``) with its own dedupe key, held back past quiet
hours; at sending time the same checks as the email's (still booked, same start, ahead), and quiet hours again
(a worker that was down may reach it at 23:00: it then waits for 08:00).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from booking.models import Appointment
from notifications.models import Channel, OutboxMessage
from notifications.outbox import outbox_put
from notifications.registry import Defer
from notifications.sms import SEGMENT, SmsMessage, gsm7_fit, gsm7_length, quiet_hours_end
from painhero import formats
from painhero.urls_abs import absolute_reverse

SMS_KIND = "booking.reminder_sms"
NAME_MIN = 12


def sms_reminder_queue(
    *, appointment: Appointment, payload: dict[str, Any], remind_at: datetime, dedupe_key: str, ref: str, now: datetime
) -> OutboxMessage | None:
    if appointment.sms_consented_at is None or not appointment.patient_phone:
        return None
    zone = ZoneInfo(appointment.clinic.time_zone)
    send_at = quiet_hours_end(remind_at, zone) or remind_at
    if send_at >= appointment.start or send_at <= now:
        return None
    return outbox_put(
        kind=SMS_KIND,
        payload=payload,
        now=now,
        dedupe_key=dedupe_key,
        not_before=send_at,
        ref=ref,
        channel=Channel.SMS,
    )


def _when(start: datetime, zone: ZoneInfo) -> str:
    """Short, for a text: "Tue Dec 8, 10:00 AM" / "mar 8 déc, 10 h 00"."""
    local = start.astimezone(zone)
    if formats.in_french():
        return f"{dateformat.format(local, 'D j M').lower()}, {formats.time_in_zone(start, zone)}"
    day = dateformat.format(local, "D M j")
    return f"{day}, {formats.time_in_zone(start, zone)}"


def sms_reminder_text(appointment: Appointment) -> str:
    """The text, in the patient's language, fit to one GSM-7 segment where it can be: the clinic's name is
    shortened (to no less than ``NAME_MIN`` characters) if the rest leaves it too little room."""
    zone = ZoneInfo(appointment.clinic.time_zone)
    with translation.override(appointment.language):
        # The short form of the confirm page's address: the token alone is 43 characters.
        link = absolute_reverse(
            "booking:confirm_short", language=appointment.language, kwargs={"token": appointment.manage_token}
        )
        template = _("Appointment %(when)s at %(clinic)s. Confirm or change: %(link)s")
        values = {"when": _when(appointment.start, zone), "link": link}
        name = gsm7_fit(appointment.clinic.name)
        room = SEGMENT - (gsm7_length(gsm7_fit(template % (values | {"clinic": ""}))) or 0)
        if len(name) > room:
            # At a word's end, so it reads as a shorter name rather than a cut one.
            cut = name[: max(NAME_MIN, room)]
            name = cut.rsplit(" ", 1)[0] if " " in cut[NAME_MIN:] else cut
        return gsm7_fit(template % (values | {"clinic": name}))


def sms_reminder_build(payload: dict[str, Any]) -> SmsMessage | None:
    from booking.reminders import reminder_appointment

    now = timezone.now()
    appointment = reminder_appointment(payload, now=now)
    if appointment is None or appointment.sms_consented_at is None or not appointment.patient_phone:
        return None
    later = quiet_hours_end(now, ZoneInfo(appointment.clinic.time_zone))
    if later is not None:
        if later >= appointment.start:
            return None  # after the night, the visit has begun: the email reminded them
        raise Defer(later)
    return SmsMessage(to=appointment.patient_phone, body=sms_reminder_text(appointment))
