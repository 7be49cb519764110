"""Text reminders: only for patients who asked at booking, one segment, in quiet hours never, once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from booking.models import Appointment, ClinicBookingPolicy
from booking.patients import patient_details_parse
from booking.reminder_sms import sms_reminder_text
from booking.services import appointment_book, appointment_cancel
from notifications import sms
from notifications.models import Channel, MessageStatus, OutboxMessage
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, World, at, patient

REMIND_AT = SLOT - timedelta(hours=24)


@pytest.fixture(autouse=True)
def texts() -> Iterator[list[sms.SmsMessage]]:
    sms.outbox.clear()
    with override_settings(SMS_BACKEND="notifications.sms.MemorySmsBackend"):
        yield sms.outbox
    sms.outbox.clear()


def book(world: World, *, start: Any = SLOT, texts: bool = True, **extra: Any) -> Appointment:
    return appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=start,
        patient=patient(sms_reminders=texts),
        now=NOW,
        **extra,
    ).appointment


def sms_rows(appointment: Appointment) -> Any:
    return OutboxMessage.objects.filter(channel=Channel.SMS, payload__appointment_id=appointment.pk)


def sweep_at(time_machine: Any, moment: Any) -> int:
    time_machine.move_to(moment, tick=False)
    return outbox_sweep(now=moment)


def test_the_consent_is_recorded_with_its_time_and_only_when_given(world: World) -> None:
    assert book(world).sms_consented_at == NOW
    assert book(world, start=SLOT + timedelta(hours=1), texts=False).sms_consented_at is None


def test_a_number_that_cannot_take_texts_is_refused_only_when_texts_are_asked_for() -> None:
    toll_free = "1 800 555 0199"
    assert patient_details_parse(name="Sam", email="sam@example.com", phone=toll_free).phone == "+18005550199"
    with pytest.raises(ValidationError) as refused:
        patient_details_parse(name="Sam", email="sam@example.com", phone=toll_free, sms_reminders=True)
    assert "cannot receive text messages" in refused.value.message_dict["phone"][0]
    assert patient_details_parse(name="Sam", email="sam@example.com", phone="416 555 0123", sms_reminders=True)


def test_only_a_patient_who_asked_gets_a_text(world: World, time_machine: Any, texts: list[sms.SmsMessage]) -> None:
    asked = book(world)
    did_not = book(world, start=SLOT + timedelta(hours=1), texts=False)
    assert sms_rows(asked).count() == 1
    assert not sms_rows(did_not).exists()

    sweep_at(time_machine, REMIND_AT)
    [text] = texts
    assert text.to == "+14165550123"
    assert text.body == (
        f"Appointment Tue Dec 8, 10:00 AM at Alpha Physio. Confirm or change: "
        f"http://127.0.0.1:8000/c/{asked.manage_token}/"
    )
    assert sms_rows(asked).get().status == MessageStatus.SENT
    assert sms_rows(asked).get().provider_id == "memory-1"


def test_it_is_sent_once_however_often_the_worker_runs(world: World, time_machine: Any, texts: list[Any]) -> None:
    book(world)
    sweep_at(time_machine, REMIND_AT)
    sweep_at(time_machine, REMIND_AT + timedelta(minutes=5))
    sweep_at(time_machine, REMIND_AT + timedelta(hours=3))
    assert len(texts) == 1


def test_a_cancelled_visit_gets_no_text(world: World, time_machine: Any, texts: list[Any]) -> None:
    appointment = book(world)
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    sweep_at(time_machine, REMIND_AT)
    assert texts == []
    assert sms_rows(appointment).get().status == MessageStatus.SKIPPED


def test_a_reminder_due_at_night_waits_for_8_am_on_the_clinics_clock(
    world: World, time_machine: Any, texts: list[Any]
) -> None:
    ClinicBookingPolicy.objects.create(clinic=world.clinic, reminder_hours=12)  # Monday 22:00 for Tuesday 10:00
    appointment = book(world)
    assert sms_rows(appointment).get().not_before == at(8, days=1)

    sweep_at(time_machine, at(22))
    assert texts == [] and len(mail.outbox) == 2, "the email goes at 22:00 (with the confirmation), the text not"
    sweep_at(time_machine, at(7, 59, days=1))
    assert texts == []
    sweep_at(time_machine, at(8, days=1))
    assert len(texts) == 1


def test_a_worker_that_reaches_a_text_at_night_holds_it_until_8_am(
    world: World, time_machine: Any, texts: list[Any]
) -> None:
    ClinicBookingPolicy.objects.create(clinic=world.clinic, reminder_hours=14)  # Monday 20:00
    appointment = book(world)
    [row] = sms_rows(appointment)
    assert row.not_before == at(20)

    # The worker was down from 19:00 to 21:30.
    sweep_at(time_machine, at(21, 30))
    assert texts == []
    row.refresh_from_db()
    assert (row.status, row.not_before, row.attempts) == (MessageStatus.PENDING, at(8, days=1), 0)
    sweep_at(time_machine, at(8, days=1))
    assert len(texts) == 1


@override_settings(SITE_URL="https://www.painhero.ca")
def test_a_long_french_clinic_name_still_fits_one_segment_in_gsm7(world: World) -> None:
    world.clinic.name = "Clinique de physiothérapie et de réadaptation sportive du Plateau-Mont-Royal (Côte-des-Neiges)"
    world.clinic.save()
    appointment = book(world, language="fr")
    body = sms_reminder_text(Appointment.objects.select_related("clinic").get(pk=appointment.pk))
    length = sms.gsm7_length(body)
    assert length is not None, "no character forces UCS-2 (70 to a segment)"
    assert length <= 160
    assert f"https://www.painhero.ca/fr/c/{appointment.manage_token}/" in body
    assert "Clinique de physiothérapie" in body, "é is GSM-7: it stays"
    assert "mar 8 déc, 10 h 00" in body, "the day in French"
    assert " sportive du Plateau-Mont-Royal" not in body and "réadaptation. Confirm" not in body[:30]


def test_the_console_backend_logs_the_text_without_its_token_or_the_whole_number(
    world: World, time_machine: Any, caplog: pytest.LogCaptureFixture
) -> None:
    appointment = book(world)
    with override_settings(SMS_BACKEND="notifications.sms.ConsoleSmsBackend"), caplog.at_level(logging.INFO):
        sweep_at(time_machine, REMIND_AT)
    [line] = [r.getMessage() for r in caplog.records if r.name == "notifications.sms"]
    assert "Appointment Tue Dec 8, 10:00 AM at Alpha Physio" in line
    assert "/c/[token]/" in line
    assert appointment.manage_token not in line
    assert "4165550123" not in line and "0123" in line
    assert "Lower back pain" not in line


def test_a_name_with_letters_gsm7_lacks_keeps_the_text_in_gsm7(world: World) -> None:
    world.clinic.name = "Hôpital Saint-François — Île"
    world.clinic.save()
    body = sms_reminder_text(Appointment.objects.select_related("clinic").get(pk=book(world).pk))
    assert "at Hopital Saint-Francois - Ile. Confirm" in body
    assert sms.gsm7_length(body) is not None


def test_the_short_link_opens_the_confirm_page(world: World, client: Any) -> None:
    appointment = book(world)
    page = client.get(f"/c/{appointment.manage_token}/")
    assert page.status_code == 200
    assert "Yes, I will be there" in page.content.decode()


def _api_body(world: World, **patient_fields: Any) -> dict[str, Any]:
    return {
        "practitioner_id": world.chen.pk,
        "service_id": world.service.pk,
        "start": SLOT.isoformat(),
        "patient": {"name": "Sam Patient", "email": "sam@example.com", "phone": "416 555 0123"} | patient_fields,
    }


def test_the_api_records_the_consent_and_refuses_a_number_that_cannot_take_texts(world: World, client: Any) -> None:
    import json

    def post(data: dict[str, Any], key: str) -> Any:
        return client.post(
            "/api/v1/appointments", json.dumps(data), content_type="application/json", headers={"Idempotency-Key": key}
        )

    refused = post(_api_body(world, sms_reminders=True, phone="1 800 555 0199"), "k1")
    assert refused.status_code == 422
    assert "cannot receive text messages" in refused.content.decode()
    booked = post(_api_body(world, sms_reminders=True), "k2")
    assert booked.status_code == 201, booked.content
    assert Appointment.objects.get(pk=booked.json()["id"]).sms_consented_at == NOW


def test_the_checkout_form_offers_text_reminders_unticked(world: World) -> None:
    from booking.forms import PatientForm

    form = PatientForm()
    assert "sms_reminders" in form.fields and not form.fields["sms_reminders"].required
    bound = PatientForm(
        {
            "name": "Sam",
            "email": "sam@example.com",
            "phone": "416 555 0123",
            "first_visit": "1",
            "consent": "on",
            "sms_reminders": "on",
            "form_token": "t",
        }
    )
    assert bound.is_valid(), bound.errors
    assert bound.patient().sms_reminders is True
