"""The waitlist offer by text, for a patient who agreed to texts: once, in their language, one segment, the short
one-tap link, never in quiet hours (21:00-08:00 on the clinic's clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings

from booking.models import OfferStatus, WaitlistOffer
from booking.services import appointment_book, appointment_cancel
from booking.tests.test_waitlist_offers import cycle, wait
from booking.waitlist_sms import OFFER_SMS_KIND, offer_sms_build, offer_sms_text
from notifications import sms
from notifications.models import Channel, OutboxMessage
from painhero.testing import NOW, SLOT, World, at, patient


@pytest.fixture(autouse=True)
def texts() -> Iterator[list[sms.SmsMessage]]:
    sms.outbox.clear()
    with override_settings(SMS_BACKEND="notifications.sms.MemorySmsBackend"):
        yield sms.outbox
    sms.outbox.clear()


def cancel_slot(world: World, now: Any = NOW, start: Any = SLOT) -> None:
    booked = appointment_book(
        practitioner=world.chen, service=world.service, start=start, patient=patient(9), now=now
    ).appointment
    appointment_cancel(appointment=booked, now=now, source="web")


def test_an_opted_in_patient_gets_the_offer_by_text_once_and_one_who_did_not_gets_none(
    world: World, time_machine: Any, texts: list[sms.SmsMessage]
) -> None:
    first = wait(world, 1, sms_consented_at=NOW)
    cancel_slot(world)
    cycle(time_machine, NOW)
    cycle(time_machine, NOW)  # a worker run again sends nothing again
    assert [t.to for t in texts] == ["+14165550100"]
    [text] = texts
    assert f"/w/{first.token}/" in text.body
    assert text.body.startswith("Alpha Physio: earlier time Tue Dec 8, 10:00 AM held for you until 8:15 AM.")
    assert sms.gsm7_length(text.body) is not None and len(text.body) <= sms.SEGMENT
    assert OutboxMessage.objects.filter(kind=OFFER_SMS_KIND, channel=Channel.SMS).count() == 1

    # The next patient (no texts) gets the time by email alone once the first lets it lapse.
    second = wait(world, 2)
    sent = cycle(time_machine, NOW + timedelta(minutes=15))
    assert WaitlistOffer.objects.get(entry=second).status == OfferStatus.OPEN
    assert [m.to for m in sent] == [["waiting2@example.com"]]
    assert len(texts) == 1


def test_the_text_is_in_the_patients_language_and_fits_one_segment_with_a_long_name(
    world: World, time_machine: Any
) -> None:
    world.clinic.name = "Clinique de physiothérapie et de réadaptation du Vieux-Québec"
    world.clinic.save()
    entry = wait(world, 1, sms_consented_at=NOW, language="fr")
    cancel_slot(world)
    cycle(time_machine, NOW)
    offer = WaitlistOffer.objects.select_related("entry", "practitioner__clinic").get()
    body = offer_sms_text(offer)
    assert f"/fr/w/{entry.token}/" in body
    assert "mar 8 déc, 10 h 00" in body, "the day in French (é is in GSM-7)"
    assert sms.gsm7_length(body) is not None and len(body) <= sms.SEGMENT, (len(body), body)
    assert body.startswith("Clinique de")


def test_the_short_link_leads_to_the_offer_page_and_takes_nothing(world: World, time_machine: Any) -> None:
    entry = wait(world, 1, sms_consented_at=NOW)
    cancel_slot(world)
    cycle(time_machine, NOW)
    client = Client()
    response = client.get(f"/w/{entry.token}/")
    assert (response.status_code, response["Location"]) == (302, f"/waitlist/{entry.token}/")
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(f"/fr/w/{entry.token}/")["Location"] == f"/fr/waitlist/{entry.token}/"
    assert client.get("/w/not-a-token/").status_code == 404
    assert client.post(f"/w/{entry.token}/").status_code == 405
    assert WaitlistOffer.objects.get().status == OfferStatus.OPEN


def test_no_text_goes_in_quiet_hours_on_the_clinics_clock(
    world: World, time_machine: Any, texts: list[sms.SmsMessage]
) -> None:
    night = at(21, 30)  # Monday 21:30 in Toronto
    time_machine.move_to(night, tick=False)
    wait(world, 1, sms_consented_at=NOW)
    cancel_slot(world, now=night, start=SLOT + timedelta(days=1))
    sent = cycle(time_machine, night)
    offers = [m for m in sent if m.subject.startswith("An earlier time is held for you")]
    assert [m.to for m in offers] == [["waiting1@example.com"]], "the email goes"
    assert texts == []
    assert not OutboxMessage.objects.filter(kind=OFFER_SMS_KIND).exists()


def test_a_text_reached_by_the_worker_after_21_00_is_not_sent(world: World, time_machine: Any) -> None:
    evening = at(20, 55)
    time_machine.move_to(evening, tick=False)
    wait(world, 1, sms_consented_at=NOW)
    cancel_slot(world, now=evening, start=SLOT + timedelta(days=1))
    from notifications.services import outbox_sweep

    outbox_sweep(now=evening)  # the offer is made (and its text queued) at 20:55 ...
    row = OutboxMessage.objects.get(kind=OFFER_SMS_KIND)
    time_machine.move_to(at(21, 1), tick=False)  # ... but the worker reaches the text at 21:01
    assert offer_sms_build(row.payload) is None
    time_machine.move_to(evening, tick=False)
    assert offer_sms_build(row.payload) is not None
    mail.outbox.clear()
