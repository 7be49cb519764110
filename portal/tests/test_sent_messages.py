"""The day's page shows, per appointment, what was sent to the patient and how it went; and the clinic's
no-show rate with and without reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client

from booking.models import AppointmentStatus
from booking.selectors import no_show_rates
from booking.services import appointment_book
from notifications.models import Channel, MessageStatus, OutboxMessage
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, World, at, book, day, patient


def test_each_appointment_lists_its_messages_with_their_state(
    world: World, colleague_client: Client, django_assert_max_num_queries: Any
) -> None:
    appointment_book(
        practitioner=world.chen, service=world.service, start=SLOT, patient=patient(sms_reminders=True), now=NOW
    )
    outbox_sweep(now=NOW)
    body = colleague_client.get(f"/portal/{world.clinic.pk}/?day={day(1)}").content.decode()
    assert "3 messages to the patient" in body
    assert 'Confirmation · Email · <span class="msg msg--sent">Sent</span> · Monday, December 7, 2026, 8:00 AM' in body
    assert (
        'Reminder · Email · <span class="msg msg--pending">Waiting to be sent</span> · '
        "due Monday, December 7, 2026, 10:00 AM" in body
    )
    assert "Reminder · SMS · " in body


def test_the_messages_cost_one_query_for_the_whole_day(world: World, colleague_client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            colleague_client.get(f"/portal/{world.clinic.pk}/?day={day(1)}")
        return len(captured)

    appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW)
    one = queries()
    for n in range(1, 5):
        appointment_book(
            practitioner=world.chen, service=world.service, start=SLOT + timedelta(hours=n), patient=patient(), now=NOW
        )
    assert queries() == one


def test_another_clinics_messages_are_not_on_this_page(world: World, colleague_client: Client) -> None:
    appointment_book(
        practitioner=world.other_practitioner, service=world.other_service, start=SLOT, patient=patient(), now=NOW
    )
    body = colleague_client.get(f"/portal/{world.clinic.pk}/?day={day(1)}").content.decode()
    assert "message to the patient" not in body and "messages to the patient" not in body


def _finished(world: World, n: int, *, reminded: bool, no_show: bool) -> None:
    appointment = book(
        world,
        at(9 + n % 8, days=-7 - n // 8),
        status=AppointmentStatus.NO_SHOW if no_show else AppointmentStatus.COMPLETED,
    )
    if reminded:
        OutboxMessage.objects.create(
            kind="booking.reminder",
            created_at=NOW - timedelta(days=30),
            sent_at=NOW - timedelta(days=30),
            status=MessageStatus.SENT,
            channel=Channel.EMAIL,
            ref=f"appointment:{appointment.pk}",
        )


def test_no_show_rates_compare_visits_reminded_and_not(world: World, colleague_client: Client) -> None:
    for n in range(10):
        _finished(world, n, reminded=False, no_show=n < 3)  # 3 of 10
    for n in range(10, 30):
        _finished(world, n, reminded=True, no_show=n < 11)  # 1 of 20
    # A reminder that never went out (skipped) does not count as reminded.
    skipped = book(world, at(9, days=-40), status=AppointmentStatus.NO_SHOW)
    OutboxMessage.objects.create(
        kind="booking.reminder", created_at=NOW, status=MessageStatus.SKIPPED, ref=f"appointment:{skipped.pk}"
    )

    rates = no_show_rates(clinic_id=world.clinic.pk, since=NOW - timedelta(days=90), until=NOW)
    assert (rates.reminded, rates.reminded_no_shows, rates.unreminded, rates.unreminded_no_shows) == (20, 1, 11, 4)
    assert (rates.reminded_rate, rates.unreminded_rate) == (5.0, 36.4)
    body = colleague_client.get(f"/portal/{world.clinic.pk}/").content.decode()
    assert "5.0% of 20 visits" in body
    assert "36.4% of 11 visits" in body


def test_no_show_rates_of_a_clinic_count_only_its_own_visits(world: World) -> None:
    book(world, at(10, days=-3), practitioner=world.other_practitioner, status=AppointmentStatus.NO_SHOW)
    rates = no_show_rates(clinic_id=world.clinic.pk, since=NOW - timedelta(days=90), until=NOW)
    assert (rates.reminded, rates.unreminded) == (0, 0)
    assert rates.reminded_rate is None
