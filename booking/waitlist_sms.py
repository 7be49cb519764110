"""The waitlist offer by text message, beside its email, for a patient who agreed to texts: in their language, one
GSM-7 segment where it can be, the short one-tap link (``/w/<token>/``) and never in quiet hours (the reminders'
rule: 21:00-08:00 on the clinic's clock, ``notifications.sms.quiet_hours_end``).

An offer stands 15 minutes, so a text that quiet hours would hold back is not queued at all (the email goes); the
builder asks quiet hours again at sending time, and sends nothing for an offer no longer open. Each offer's text has
its dedupe key: a worker run twice or restarted sends it once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.models import OfferStatus, WaitlistEntry, WaitlistOffer
from booking.reminder_sms import NAME_MIN, _when
from notifications.models import Channel, OutboxMessage
from notifications.outbox import outbox_put
from notifications.sms import SEGMENT, SmsMessage, gsm7_fit, gsm7_length, quiet_hours_end
from painhero import formats
from painhero.urls_abs import absolute_reverse

OFFER_SMS_KIND = "booking.waitlist_offer_sms"


def offer_sms_key(offer: WaitlistOffer) -> str:
    return f"{OFFER_SMS_KIND}:{offer.pk}"


def offer_sms_queue(
    *, offer: WaitlistOffer, entry: WaitlistEntry, zone: ZoneInfo, now: datetime
) -> OutboxMessage | None:
    """Queue the offer's text (inside the offer's transaction) if the patient agreed to texts and it may go now."""
    if entry.sms_consented_at is None or not entry.patient_phone:
        return None
    if quiet_hours_end(now, zone) is not None:
        return None  # by 08:00 the offer is long gone: the email alone tells them
    return outbox_put(
        kind=OFFER_SMS_KIND,
        payload={"offer_id": offer.pk},
        now=now,
        dedupe_key=offer_sms_key(offer),
        ref=f"waitlist:{entry.pk}",
        channel=Channel.SMS,
    )


def offer_sms_text(offer: WaitlistOffer) -> str:
    """E.g. "Alpha Physio: earlier time Tue Dec 8, 10:00 AM held for you until 8:15 AM. Take it: <link>"."""
    entry, clinic = offer.entry, offer.practitioner.clinic
    zone = ZoneInfo(clinic.time_zone)
    with translation.override(entry.language):
        link = absolute_reverse("booking:waitlist_short", language=entry.language, kwargs={"token": entry.token})
        template = _("%(clinic)s: earlier time %(when)s held for you until %(until)s. Take it: %(link)s")
        values = {
            "when": _when(offer.start, zone),
            "until": formats.time_in_zone(offer.expires_at, zone),
            "link": link,
        }
        name = gsm7_fit(clinic.name)
        room = SEGMENT - (gsm7_length(gsm7_fit(template % (values | {"clinic": ""}))) or 0)
        if len(name) > room:
            cut = name[: max(NAME_MIN, room)]
            name = cut.rsplit(" ", 1)[0] if " " in cut[NAME_MIN:] else cut
        return gsm7_fit(template % (values | {"clinic": name}))


def offer_sms_build(payload: dict[str, Any]) -> SmsMessage | None:
    now = timezone.now()
    offer = (
        WaitlistOffer.objects.select_related("entry", "practitioner__clinic")
        .filter(pk=payload["offer_id"], status=OfferStatus.OPEN, expires_at__gt=now)
        .first()
    )
    if offer is None or offer.entry.sms_consented_at is None or not offer.entry.patient_phone:
        return None
    if quiet_hours_end(now, ZoneInfo(offer.practitioner.clinic.time_zone)) is not None:
        return None  # a worker that was down reached it at night: the offer will have lapsed by 08:00
    return SmsMessage(to=offer.entry.patient_phone, body=offer_sms_text(offer))
