from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from booking.services import appointment_book, appointment_cancel
from notifications import registry
from notifications.models import OutboxMessage
from notifications.outbox import outbox_put
from notifications.registry import builder_register
from notifications.services import outbox_deliver, outbox_sweep
from notifications.tasks import outbox_deliver_task
from painhero.testing import NOW, SLOT, World, patient


@pytest.fixture
def builders(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Builders a test registers are gone after it (the apps' own stay registered throughout)."""
    monkeypatch.setattr(registry, "_builders", dict(registry._builders))
    yield


def book(world: World) -> Any:
    return appointment_book(
        practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW
    ).appointment


def book_next(world: World, previous: Any) -> Any:
    return appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=previous.end,
        patient=patient(),
        now=NOW,
    ).appointment


def test_a_rolled_back_booking_leaves_nothing_to_send(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        book(world)
        raise RuntimeError("something failed after the booking")
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert not DBTaskResult.objects.exists()


def test_a_committed_booking_enqueues_its_email_on_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        appointment = book(world)
        assert not DBTaskResult.objects.exists(), "nothing is enqueued before the commit"
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book_next(world, appointment)
    message = OutboxMessage.objects.get(payload__appointment_id=appointment.pk, kind="booking.created")
    reminder = OutboxMessage.objects.get(payload__appointment_id=appointment.pk, kind="booking.reminder")
    tasks = {task.args_kwargs["kwargs"]["message_id"]: task for task in DBTaskResult.objects.all()}
    assert set(tasks) == {message.pk, reminder.pk}
    assert reminder.not_before is not None
    assert tasks[message.pk].run_after > reminder.not_before, "no run_after: django-tasks-db stores the far future"
    assert tasks[reminder.pk].run_after == reminder.not_before, "the reminder's task waits for its time"
    assert message.payload["appointment_id"] == appointment.pk


@override_settings(SITE_URL="https://book.painhero.test")
def test_the_confirmation_has_text_html_and_a_calendar_file_in_the_clinics_zone(world: World) -> None:
    appointment = book(world)
    assert outbox_sweep(now=NOW) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == [appointment.patient_email]
    assert "confirmed" in message.subject
    # 15:00 UTC is 10:00 in Toronto.
    assert "10:00 AM" in message.body and "(Eastern time)" in message.body
    assert world.clinic.address in message.body
    assert "openstreetmap.org" in message.body
    assert "What to bring" in message.body and "24 hours" in message.body
    # The manage link is absolute and built from SITE_URL (the worker that sends it has no request).
    manage = f"https://book.painhero.test/appointments/{appointment.manage_token}/"
    assert manage in message.body
    html, mimetype = message.alternatives[0]
    assert isinstance(html, str)
    assert mimetype == "text/html" and "10:00" in html
    assert f'href="{manage}"' in html
    name, content, ics_type = message.attachments[0]
    assert (name, ics_type) == ("appointment.ics", "text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == SLOT
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["url"]) == manage
    # Health information stays out of the email.
    assert "back pain" not in message.body and "back pain" not in html


def test_a_cancellation_sends_its_own_email_with_a_cancelled_event(world: World) -> None:
    appointment = book(world)
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    assert outbox_sweep(now=NOW) == 3, "the confirmation, the cancellation, the freed time for the waitlist"
    assert len(mail.outbox) == 2
    cancelled = mail.outbox[1]
    assert "cancelled" in cancelled.subject
    event = icalendar.Calendar.from_ical(cancelled.attachments[0][1]).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED"


def test_a_message_is_delivered_once_however_often_it_is_asked_for(world: World) -> None:
    book(world)
    message = OutboxMessage.objects.get(kind="booking.created")
    assert outbox_deliver(message_id=message.pk, now=NOW) is True
    assert outbox_deliver(message_id=message.pk, now=NOW) is False
    assert outbox_sweep(now=NOW) == 0
    assert len(mail.outbox) == 1


def test_a_failed_delivery_is_retried_by_the_sweep_and_records_no_message_text(db: Any, builders: None) -> None:
    calls = []

    def flaky(payload: dict[str, Any]) -> Any:
        calls.append(payload)
        if len(calls) == 1:
            raise ValueError("secret patient detail")
        return None

    builder_register("test.flaky", flaky)
    with transaction.atomic():
        message = outbox_put(kind="test.flaky", payload={"n": 1}, now=NOW)
    assert outbox_deliver(message_id=message.pk, now=NOW) is False
    message.refresh_from_db()
    assert (message.attempts, message.last_error, message.sent_at) == (1, "ValueError", None)
    assert outbox_sweep(now=NOW) == 1
    message.refresh_from_db()
    assert message.sent_at is not None


def test_a_message_claimed_by_a_live_worker_is_left_alone(db: Any, builders: None) -> None:
    from datetime import timedelta

    builder_register("test.noop", lambda payload: None)
    message = outbox_put(kind="test.noop", payload={}, now=NOW)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=NOW + timedelta(minutes=1))
    assert outbox_deliver(message_id=message.pk, now=NOW) is False
    # A claim that lapsed (the worker died) is taken over.
    assert outbox_deliver(message_id=message.pk, now=NOW + timedelta(minutes=2)) is True


def test_a_builder_registered_by_a_test_does_not_outlive_it() -> None:
    # Runs after the two tests above that register builders.
    assert "test.flaky" not in registry._builders and "test.noop" not in registry._builders
    assert "booking.created" in registry._builders


def test_the_delivery_task_delivers_its_message(world: World) -> None:
    book(world)
    message = OutboxMessage.objects.get(kind="booking.created")
    assert outbox_deliver_task.call(message_id=message.pk) is True
    assert outbox_deliver_task.call(message_id=message.pk) is False
    assert len(mail.outbox) == 1


def test_the_outbox_sweep_command_bin_serve_runs_delivers_what_no_task_did(world: World) -> None:
    book(world)
    call_command("outbox_sweep", verbosity=0)
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(kind="booking.created").sent_at is not None
    call_command("outbox_sweep", verbosity=0)
    assert len(mail.outbox) == 1


def test_the_outbox_sweep_command_repeats_every_n_seconds(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from notifications import rounds

    class Stop(Exception):
        pass

    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 1:
            book(world)  # arrives while the loop sleeps: the next round sends it
            return
        raise Stop

    monkeypatch.setattr(rounds.time, "sleep", nap)
    with pytest.raises(Stop):
        call_command("outbox_sweep", "--every", "60", verbosity=2)
    assert naps == [60, 60]
    assert len(mail.outbox) == 1
