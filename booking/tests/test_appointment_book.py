from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from booking.errors import HoldInvalid, IdempotencyInFlight, IdempotencyMismatch, NotBookable, SlotTaken
from booking.models import Appointment, AppointmentEvent, EventKind, Hold, IdempotencyKey
from booking.services import appointment_book, hold_create
from notifications.models import OutboxMessage
from painhero.testing import NOW, SLOT, World, later, patient
from scheduling.models import NextOpenTime


def book(world: World, start: Any = SLOT, **kwargs: Any) -> Any:
    kwargs.setdefault("practitioner", world.chen)
    return appointment_book(service=world.service, start=start, patient=patient(), now=NOW, **kwargs)


def test_it_books_an_open_time_and_records_the_event_and_the_email(world: World) -> None:
    booked = book(world)
    appointment = booked.appointment
    assert appointment.end == SLOT + timedelta(minutes=30)
    assert appointment.clinic_id == world.clinic.pk
    assert appointment.patient_phone == "+14165550123"
    event = AppointmentEvent.objects.get(appointment=appointment)
    assert (event.kind, event.at, event.new_start) == (EventKind.CREATED, NOW, SLOT)
    message = OutboxMessage.objects.get(kind="booking.created")
    assert message.kind == "booking.created"
    assert message.payload == {"appointment_id": appointment.pk, "start": SLOT.isoformat()}


def test_it_answers_409_with_alternatives_when_the_slot_was_just_taken(world: World) -> None:
    book(world)
    with pytest.raises(SlotTaken) as caught:
        book(world)
    alternatives = caught.value.alternatives
    assert alternatives, "the patient is offered other times"
    assert all(a.start != SLOT or a.practitioner_id != world.chen.pk for a in alternatives)
    # The same practitioner first, nearest first.
    assert alternatives[0].practitioner_id == world.chen.pk
    assert abs(alternatives[0].start - SLOT) <= timedelta(minutes=30)
    assert Appointment.objects.count() == 1


def test_it_refuses_an_overlapping_time_but_books_the_adjacent_one(world: World) -> None:
    book(world)
    with pytest.raises(SlotTaken):
        book(world, start=later(15))
    assert book(world, start=later(30)).appointment.start == later(30)
    assert book(world, start=later(-30)).appointment.start == later(-30)


def test_another_practitioner_can_take_the_same_time(world: World) -> None:
    book(world)
    assert book(world, practitioner=world.lee).appointment.practitioner == world.lee


def test_it_refuses_a_time_outside_working_hours(world: World) -> None:
    with pytest.raises(SlotTaken):
        book(world, start=SLOT.replace(hour=3))


def test_it_refuses_a_service_the_practitioner_does_not_offer(world: World) -> None:
    world.service.practitioners.remove(world.lee)
    with pytest.raises(NotBookable):
        book(world, practitioner=world.lee)


def test_a_hold_counts_as_taken_for_everyone_else(world: World) -> None:
    hold_create(practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key="someone")
    with pytest.raises(SlotTaken):
        book(world)


def test_the_holder_books_the_held_time_and_the_hold_is_used_up(world: World) -> None:
    hold = hold_create(practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key="me")
    booked = book(world, hold=hold, hold_token=hold.token)
    assert booked.appointment.start == SLOT
    assert not Hold.objects.exists()


def test_an_expired_hold_cannot_be_booked(world: World) -> None:
    hold = hold_create(practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key="me")
    with pytest.raises(HoldInvalid):
        appointment_book(
            practitioner=world.chen,
            service=world.service,
            start=SLOT,
            patient=patient(),
            now=hold.expires_at,
            hold=hold,
            hold_token=hold.token,
        )
    assert not Appointment.objects.exists()


def test_a_hold_with_the_wrong_token_cannot_be_booked(world: World) -> None:
    hold = hold_create(practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key="me")
    with pytest.raises(HoldInvalid):
        book(world, hold=hold, hold_token="not-the-token")
    assert Hold.objects.filter(pk=hold.pk).exists()


def test_the_same_idempotency_key_and_body_give_the_same_appointment(world: World) -> None:
    first = book(world, idempotency_key="k1", body_hash="h")
    again = book(world, idempotency_key="k1", body_hash="h")
    assert again.replayed and again.appointment.pk == first.appointment.pk
    assert Appointment.objects.count() == 1
    assert OutboxMessage.objects.exclude(kind="booking.reminder").count() == 1


def test_the_same_key_with_another_body_is_refused(world: World) -> None:
    book(world, idempotency_key="k1", body_hash="h")
    with pytest.raises(IdempotencyMismatch):
        book(world, idempotency_key="k1", body_hash="other", start=later(60))


def test_a_retry_while_the_first_is_in_flight_is_told_so(world: World) -> None:
    IdempotencyKey.objects.create(key="k1", scope="api", request_hash="h", created_at=NOW)
    with pytest.raises(IdempotencyInFlight):
        book(world, idempotency_key="k1", body_hash="h")


def test_a_claim_abandoned_long_ago_is_taken_over(world: World) -> None:
    IdempotencyKey.objects.create(key="k1", scope="api", request_hash="h", created_at=NOW - timedelta(hours=1))
    assert not book(world, idempotency_key="k1", body_hash="h").replayed


def test_a_failed_booking_releases_its_key_so_a_retry_is_tried_afresh(world: World) -> None:
    book(world)
    with pytest.raises(SlotTaken):
        book(world, idempotency_key="k1", body_hash="h")
    assert not IdempotencyKey.objects.exists()


def test_booking_takes_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(1, 6):
        book(world, start=SLOT + timedelta(hours=n))
    NextOpenTime.objects.all().delete()
    # Counted with the on-commit callbacks run (the email task, the reminder's task and the practitioner's
    # next-open-times refresh): 33 on SQLite, 37 on PostgreSQL (the lock, its timeout, the refresh's lock and
    # settings); savepoints included (the reminder's insert has one, for its dedupe key). The refresh rewrites the
    # practitioner's open days too (a delete and an insert). None grows with the number of appointments.
    cap = 37 if connection.vendor == "postgresql" else 33
    with django_assert_max_num_queries(cap), django_capture_on_commit_callbacks(execute=True) as callbacks:
        book(world, idempotency_key="k1", body_hash="h")
    assert len(callbacks) == 3
    assert NextOpenTime.objects.filter(practitioner=world.chen).exists(), "the refresh ran and was counted"


def test_the_patient_note_never_shows_in_reprs(world: World) -> None:
    appointment = book(world).appointment
    assert "back pain" not in repr(appointment)
    assert "back pain" not in repr(patient())
