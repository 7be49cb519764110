"""Reminders before a visit, read as the patient gets them: once, never for a time that is gone, on the
clinic's clock, with links that do what they say."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from booking.models import Actor, Appointment, AppointmentEvent, ClinicBookingPolicy, EventKind
from booking.reminders import appointment_confirm, reminders_queue
from booking.services import appointment_book, appointment_cancel, appointment_reschedule
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from notifications.models import MessageStatus, OutboxMessage
from notifications.services import outbox_deliver, outbox_sweep
from notifications.tasks import outbox_deliver_task
from painhero.testing import NOW, SLOT, World, later, patient
from scheduling.testing import EVERY_DAY, make_hours

REMIND_AT = SLOT - timedelta(hours=24)  # Monday 10:00 in Toronto


def book(world: World, start: Any = SLOT, **extra: Any) -> Appointment:
    return appointment_book(
        practitioner=world.chen, service=world.service, start=start, patient=patient(), now=NOW, **extra
    ).appointment


def sent_at(time_machine: Any, moment: Any) -> list[EmailMultiAlternatives]:
    """Move the clock to ``moment``, let the worker's sweep run, and answer the emails that went out then."""
    outbox_sweep(now=NOW)  # the confirmations, first
    mail.outbox.clear()
    time_machine.move_to(moment, tick=False)
    outbox_sweep(now=moment)
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent  # type: ignore[return-value]


def reminders(appointment: Appointment) -> Any:
    return OutboxMessage.objects.filter(kind="booking.reminder", payload__appointment_id=appointment.pk)


def html_of(message: EmailMultiAlternatives) -> str:
    return str(message.alternatives[0][0])


def test_a_booking_queues_one_reminder_for_24_hours_before_the_visit(world: World) -> None:
    appointment = book(world)
    [reminder] = reminders(appointment)
    assert reminder.not_before == REMIND_AT
    assert reminder.ref == f"appointment:{appointment.pk}"
    assert reminder.status == MessageStatus.PENDING


def test_nothing_goes_before_its_time(world: World, time_machine: Any) -> None:
    book(world)
    assert sent_at(time_machine, REMIND_AT - timedelta(minutes=1)) == []


def test_the_reminder_reads_as_a_patient_would_with_confirm_cancel_and_reschedule_links(
    world: World, time_machine: Any
) -> None:
    appointment = book(world)
    [message] = sent_at(time_machine, REMIND_AT)

    assert message.to == ["patient1@example.com"]
    assert message.subject == "Reminder: your appointment on Tuesday, December 8, 2026, 10:00 AM — Alpha Physio"
    for private in ("back", "pain", "Physiotherapy", "Chen", appointment.manage_token):
        assert private.lower() not in message.subject.lower(), "a lock screen shows the subject to anyone"
    token = appointment.manage_token
    for text in (message.body, html_of(message)):
        assert "10:00 AM – 10:30 AM (Eastern time)" in text
        assert f"/appointments/{token}/confirm/" in text
        assert f"/appointments/{token}/cancel/" in text
        assert f"/appointments/{token}/reschedule/" in text
        assert "Lower back pain" not in text, "what hurts stays on the clinic's screen"
    assert "You can cancel or reschedule online until Monday, December 7, 2026, 10:00 AM." in message.body
    assert message.extra_headers["Message-ID"].startswith(f"<reminder-{appointment.pk}-")
    assert not message.attachments


def test_it_is_sent_once_however_often_the_worker_runs(world: World, time_machine: Any) -> None:
    appointment = book(world)
    [reminder] = reminders(appointment)
    assert len(sent_at(time_machine, REMIND_AT)) == 1

    assert outbox_sweep(now=REMIND_AT) == 0
    assert outbox_deliver(message_id=reminder.pk, now=REMIND_AT + timedelta(hours=1)) is False
    assert outbox_deliver_task.call(message_id=reminder.pk) is False
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SENT


def test_queuing_it_again_adds_nothing_the_database_keeps_one_per_visit_and_time(world: World) -> None:
    appointment = book(world)
    again = reminders_queue(appointment=appointment, now=NOW)
    assert [m.pk for m in again] == [reminders(appointment).get().pk]
    assert reminders(appointment).count() == 1


def test_a_sender_killed_while_sending_does_not_send_it_again_when_restarted(
    world: World, time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = book(world)
    outbox_sweep(now=NOW)
    mail.outbox.clear()
    time_machine.move_to(REMIND_AT, tick=False)

    def killed(self: Any) -> None:
        raise SystemExit("the worker is killed while the mail server has the message")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", killed)
        with pytest.raises(SystemExit):
            outbox_sweep(now=REMIND_AT)

    # A new worker, after the dead one's claim has lapsed.
    restarted = REMIND_AT + timedelta(minutes=10)
    time_machine.move_to(restarted, tick=False)
    assert outbox_sweep(now=restarted) == 0
    assert mail.outbox == []
    assert reminders(appointment).get().status == MessageStatus.SENDING


def test_a_mail_server_that_refuses_it_gets_it_again_later(
    world: World, time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    book(world)
    outbox_sweep(now=NOW)
    mail.outbox.clear()
    time_machine.move_to(REMIND_AT, tick=False)

    def refused(self: Any) -> None:
        raise ConnectionRefusedError

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", refused)
        assert outbox_sweep(now=REMIND_AT) == 0
    assert outbox_sweep(now=REMIND_AT) == 1
    assert len(mail.outbox) == 1


def test_a_visit_cancelled_after_its_reminder_was_queued_gets_no_reminder(world: World, time_machine: Any) -> None:
    appointment = book(world)
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    assert sent_at(time_machine, REMIND_AT) == []
    assert reminders(appointment).get().status == MessageStatus.SKIPPED


def test_a_visit_moved_is_reminded_at_its_new_time_only(world: World, time_machine: Any) -> None:
    appointment = book(world)
    thursday = SLOT + timedelta(days=2)
    appointment_reschedule(appointment=appointment, start=thursday, now=NOW, source="web")

    assert sent_at(time_machine, REMIND_AT) == [], "no stale reminder for Tuesday"
    time_machine.move_to(thursday - timedelta(hours=24), tick=False)
    assert outbox_sweep(now=thursday - timedelta(hours=24)) == 1
    [message] = mail.outbox
    assert "Thursday, December 10, 2026, 10:00 AM" in message.subject


def test_a_visit_moved_away_and_back_is_reminded_once(world: World, time_machine: Any) -> None:
    appointment = book(world)
    appointment_reschedule(appointment=appointment, start=later(60), now=NOW, source="web")
    appointment_reschedule(appointment=appointment, start=SLOT, now=NOW, source="web")

    assert reminders(appointment).count() == 2, "one per time the visit was at"
    assert len(sent_at(time_machine, later(60) - timedelta(hours=24))) == 1
    assert outbox_sweep(now=later(60) - timedelta(hours=24)) == 0


def test_a_visit_booked_inside_the_reminder_lead_gets_no_reminder(world: World) -> None:
    appointment = book(world, start=NOW + timedelta(hours=6))
    assert not reminders(appointment).exists()


def test_a_clinic_sets_its_own_lead_or_none(world: World, time_machine: Any) -> None:
    ClinicBookingPolicy.objects.create(clinic=world.clinic, reminder_hours=2)
    appointment = book(world)
    assert reminders(appointment).get().not_before == SLOT - timedelta(hours=2)
    ClinicBookingPolicy.objects.filter(clinic=world.clinic).update(reminder_hours=0)
    assert not reminders(book(world, start=later(60))).exists()


def test_inside_the_cancellation_window_the_reminder_says_to_call_and_has_no_cancel_link(
    world: World, time_machine: Any
) -> None:
    ClinicBookingPolicy.objects.create(clinic=world.clinic, reminder_hours=24, cancellation_window_hours=48)
    appointment = book(world, start=SLOT + timedelta(days=3))
    [message] = sent_at(time_machine, SLOT + timedelta(days=2))
    assert "/cancel/" not in message.body and "/reschedule/" not in message.body
    assert "/cancel/" not in html_of(message)
    assert f"/appointments/{appointment.manage_token}/confirm/" in message.body
    assert "It is too late to cancel or reschedule online" in message.body


def test_the_reminder_shows_st_johns_time_for_a_st_johns_clinic(db: Any, time_machine: Any) -> None:
    zone = ZoneInfo("America/St_Johns")
    clinic = make_clinic(
        name="Signal Hill Physio",
        city=make_city(name="St. John's", name_fr="St. John's", province="NL", time_zone=zone.key),
    )
    practitioner = make_practitioner(clinic=clinic)
    service = make_service(clinic=clinic, practitioners=[practitioner])
    make_hours(practitioner, days=EVERY_DAY, blocks=(("08:00", "18:00"),))
    time_machine.move_to(NOW, tick=False)
    start = SLOT.astimezone(zone).replace(hour=14, minute=30)  # 17:00 UTC, 12:00 in Toronto
    appointment_book(practitioner=practitioner, service=service, start=start, patient=patient(), now=NOW)

    [message] = sent_at(time_machine, start - timedelta(hours=24))
    assert "Tuesday, December 8, 2026, 2:30 PM" in message.subject
    assert "2:30 PM – 3:00 PM (Newfoundland time)" in message.body


def test_a_french_patients_links_open_the_french_pages(world: World, time_machine: Any) -> None:
    appointment = book(world, language="fr")
    [message] = sent_at(time_machine, REMIND_AT)
    assert f"/fr/appointments/{appointment.manage_token}/confirm/" in message.body


def test_the_confirm_link_asks_and_only_the_post_confirms_once(world: World) -> None:
    appointment = book(world)
    client = Client()
    url = f"/appointments/{appointment.manage_token}/confirm/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, I will be there" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert not AppointmentEvent.objects.filter(kind=EventKind.CONFIRMED).exists(), "a prefetched link changes nothing"

    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert AppointmentEvent.objects.filter(appointment=appointment, kind=EventKind.CONFIRMED).count() == 1
    assert "the clinic knows you will be there" in client.get(url).content.decode()


def test_a_cancelled_visit_cannot_be_confirmed(world: World) -> None:
    appointment = book(world)
    appointment_cancel(appointment=appointment, now=NOW, actor=Actor.STAFF, source="portal")
    with pytest.raises(Exception, match="already cancelled"):
        appointment_confirm(appointment=appointment, now=NOW, source="web")
    assert Client().get(f"/appointments/{appointment.manage_token}/confirm/").status_code == 200


def test_the_clinic_sets_its_reminder_lead_within_bounds(world: World) -> None:
    from django.core.exceptions import ValidationError

    from booking.policy import reminder_hours_set

    assert reminder_hours_set(clinic=world.clinic, hours=48) is None
    assert reminder_hours_set(clinic=world.clinic, hours=2) == 48
    assert ClinicBookingPolicy.for_clinic(world.clinic.pk).reminder_hours == 2
    for bad in (-1, 337):
        with pytest.raises(ValidationError, match="between 0 and 336 hours"):
            reminder_hours_set(clinic=world.clinic, hours=bad)
    assert ClinicBookingPolicy.for_clinic(world.clinic.pk).reminder_hours == 2
