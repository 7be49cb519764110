"""Text messages: a small backend interface (``settings.SMS_BACKEND``), the one-segment rule and quiet hours.

- ``ConsoleSmsBackend`` (the default) writes each text to the log, so a newcomer sees what patients would get;
  its line masks tokens and most of the number (the one-tap link is in the text itself, never in a log).
- ``MemorySmsBackend`` keeps them in ``sms.outbox``, as Django's locmem email backend does (tests).
- ``TwilioSmsBackend`` sends through Twilio, configured from the environment (TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER); its delivery callbacks land on ``notifications.views.sms_status``.

A backend's ``send`` answers the provider's id for the message, which its status callback quotes.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from painhero.urls_abs import absolute_reverse

logger = logging.getLogger("notifications.sms")

# No texts between 21:00 and 08:00 on the patient's (the clinic's) clock.
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
SEGMENT = 160  # GSM-7 characters in one SMS segment

# GSM 03.38: the basic set (one character each) and its extension (two each: escape + character).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")


def gsm7_length(text: str) -> int | None:
    """How many GSM-7 characters the text takes, or None if it needs UCS-2 (70 to a segment)."""
    length = 0
    for char in text:
        if char in GSM7_BASIC:
            length += 1
        elif char in GSM7_EXTENDED:
            length += 2
        else:
            return None
    return length


def gsm7_fit(text: str) -> str:
    """The text in GSM-7: letters it lacks (ê, ô, ç, î ...) lose their accent, other characters become '?'.

    One UCS-2 character would make the whole text UCS-2, 70 characters to a segment instead of 160.
    """
    out = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENDED:
            out.append(char)
            continue
        if char in "\u2019\u2018":
            out.append("'")
            continue
        if char in "\u2013\u2014":
            out.append("-")
            continue
        if char in "\u00a0\u202f":
            out.append(" ")
            continue
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out.append(plain if plain and all(c in GSM7_BASIC for c in plain) else "?")
    return "".join(out)


def quiet_hours_end(moment: datetime, zone: ZoneInfo) -> datetime | None:
    """When a text meant for ``moment`` may go: None if now is fine, else 08:00 after, on the clinic's clock."""
    local = moment.astimezone(zone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone)


def number_mask(number: str) -> str:
    return f"{number[:2]}…{number[-4:]}" if len(number) > 6 else "…"


def text_mask(body: str) -> str:
    """The text fit for a log line: every token-like run (a link's secret) masked."""
    return _TOKEN.sub("[token]", body)


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> str: ...


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str

    def __repr__(self) -> str:
        return f"SmsMessage(to={number_mask(self.to)}, <{len(self.body)} chars>)"

    def send(self) -> str:
        """Hand it to the configured backend; answers the provider's id for it."""
        return sms_backend().send(to=self.to, body=self.body)


def sms_backend() -> SmsBackend:
    try:
        backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_BACKEND={settings.SMS_BACKEND!r} cannot be imported.") from exc
    return backend


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> str:
        length = gsm7_length(body)
        logger.info(
            "SMS to %s (%s): %s",
            number_mask(to),
            f"{length} GSM-7 characters" if length is not None else f"{len(body)} UCS-2 characters",
            text_mask(body),
        )
        return f"console-{uuid.uuid4().hex}"


outbox: list[SmsMessage] = []


class MemorySmsBackend:
    def send(self, *, to: str, body: str) -> str:
        outbox.append(SmsMessage(to=to, body=body))
        return f"memory-{len(outbox)}"


class TwilioSmsBackend:
    def __init__(self) -> None:
        missing = [
            name
            for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")
            if not getattr(settings, name)
        ]
        if missing:
            raise ImproperlyConfigured(f"SMS_BACKEND is Twilio's but {', '.join(missing)} is not set.")
        from twilio.rest import Client

        self.client: Any = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)

    def send(self, *, to: str, body: str) -> str:
        message = self.client.messages.create(
            to=to,
            from_=settings.TWILIO_FROM_NUMBER,
            body=body,
            status_callback=absolute_reverse("notifications:sms_status"),
        )
        return str(message.sid)
