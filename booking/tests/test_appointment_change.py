from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError

from booking import services
from booking.errors import Busy, NotBookable, NotChangeable, SlotTaken
from booking.models import (
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    ClinicBookingPolicy,
    EventKind,
    IdempotencyKey,
)
from booking.services import (
    appointment_book,
    appointment_cancel,
    appointment_mark_arrived,
    appointment_mark_completed,
    appointment_mark_no_show,
    appointment_reschedule,
)
from notifications.models import OutboxMessage
from painhero.testing import NOW, SLOT, World, later, patient
from scheduling.locking import PractitionerBusy


def booked(world: World, start: datetime = SLOT) -> Appointment:
    return appointment_book(
        practitioner=world.chen, service=world.service, start=start, patient=patient(), now=NOW
    ).appointment


def test_cancelling_frees_the_time_and_keeps_the_history(world: World) -> None:
    appointment = booked(world)
    appointment_cancel(appointment=appointment, now=NOW, source="web", ip="198.51.100.7")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    kinds = list(AppointmentEvent.objects.filter(appointment=appointment).values_list("kind", "ip"))
    assert kinds == [(EventKind.CREATED, None), (EventKind.CANCELLED, "198.51.100.7")]
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == [
        "booking.created",
        "booking.reminder",
        "booking.cancelled",
        "booking.time_freed",  # the waitlist hears of the freed time (booking/waitlist_offers.py)
    ]
    assert booked(world).start == SLOT


def test_a_patient_cannot_cancel_inside_the_clinics_window(world: World) -> None:
    ClinicBookingPolicy.objects.create(clinic=world.clinic, cancellation_window_hours=48)
    appointment = booked(world)  # 25 hours ahead of NOW
    with pytest.raises(NotChangeable) as caught:
        appointment_cancel(appointment=appointment, now=NOW, source="web")
    assert "(416) 555-0100" in caught.value.message, "the clinic's phone, written nationally"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_default_window_is_24_hours(world: World) -> None:
    appointment = booked(world)
    with pytest.raises(NotChangeable):
        appointment_cancel(appointment=appointment, now=SLOT - timedelta(hours=23), source="web")
    appointment_cancel(appointment=appointment, now=SLOT - timedelta(hours=24), source="web")


def test_clinic_staff_may_cancel_inside_the_window(world: World) -> None:
    appointment = booked(world)
    appointment_cancel(appointment=appointment, now=SLOT - timedelta(hours=1), actor=Actor.STAFF, source="portal")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_a_cancelled_appointment_cannot_be_cancelled_again(world: World) -> None:
    appointment = booked(world)
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    with pytest.raises(NotChangeable):
        appointment_cancel(appointment=appointment, now=NOW, source="web")
    assert OutboxMessage.objects.filter(kind__in=["booking.created", "booking.cancelled"]).count() == 2


def test_rescheduling_moves_the_appointment_and_frees_the_old_time(world: World) -> None:
    appointment = booked(world)
    appointment_reschedule(appointment=appointment, start=later(120), now=NOW, source="web")
    appointment.refresh_from_db()
    assert (appointment.start, appointment.end) == (later(120), later(150))
    event = AppointmentEvent.objects.get(appointment=appointment, kind=EventKind.RESCHEDULED)
    assert (event.old_start, event.new_start) == (SLOT, later(120))
    assert OutboxMessage.objects.filter(kind="booking.rescheduled").exists()
    assert booked(world).start == SLOT


def test_rescheduling_by_less_than_the_length_of_the_appointment_works(world: World) -> None:
    appointment = booked(world)
    appointment_reschedule(appointment=appointment, start=later(15), now=NOW, source="web")
    appointment.refresh_from_db()
    assert appointment.start == later(15)


def test_rescheduling_onto_a_taken_time_changes_nothing(world: World) -> None:
    appointment = booked(world)
    booked(world, start=later(120))
    with pytest.raises(SlotTaken) as caught:
        appointment_reschedule(appointment=appointment, start=later(120), now=NOW, source="web")
    assert caught.value.alternatives
    appointment.refresh_from_db()
    assert appointment.start == SLOT and appointment.status == AppointmentStatus.BOOKED
    assert not AppointmentEvent.objects.filter(kind=EventKind.RESCHEDULED).exists()


def test_rescheduling_outside_working_hours_changes_nothing(world: World) -> None:
    appointment = booked(world)
    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment=appointment, start=SLOT.replace(hour=4), now=NOW, source="web")
    appointment.refresh_from_db()
    assert appointment.start == SLOT and appointment.status == AppointmentStatus.BOOKED


def test_rescheduling_to_another_practitioner_at_the_clinic(world: World) -> None:
    appointment = booked(world)
    appointment_reschedule(appointment=appointment, start=SLOT, practitioner=world.lee, now=NOW, source="web")
    appointment.refresh_from_db()
    assert appointment.practitioner == world.lee


def test_a_reschedule_to_another_clinics_practitioner_is_refused(world: World) -> None:
    appointment = booked(world)
    world.other_service.practitioners.add(world.chen)  # offered there, but the appointment stays at its clinic
    with pytest.raises(NotBookable):
        appointment_reschedule(
            appointment=appointment, start=later(60), practitioner=world.other_practitioner, now=NOW, source="web"
        )


@pytest.mark.parametrize(
    ("mark", "kind", "status"),
    [
        (appointment_mark_arrived, EventKind.ARRIVED, AppointmentStatus.BOOKED),
        (appointment_mark_completed, EventKind.COMPLETED, AppointmentStatus.COMPLETED),
        (appointment_mark_no_show, EventKind.NO_SHOW, AppointmentStatus.NO_SHOW),
    ],
)
def test_the_desk_records_an_arrival_or_an_outcome_once_the_visit_is_near(
    world: World, mark: Callable[..., Appointment], kind: str, status: str
) -> None:
    appointment = booked(world)
    with pytest.raises(NotChangeable):
        mark(appointment=appointment, now=NOW)  # 25 hours ahead: not started yet
    marked = mark(appointment=appointment, now=SLOT - timedelta(hours=1), ip="198.51.100.7")
    assert marked.status == status
    event = AppointmentEvent.objects.filter(appointment=appointment).last()
    assert event is not None and (event.kind, event.actor, event.ip) == (kind, Actor.STAFF, "198.51.100.7")
    # Only the booking's confirmation; a completed visit also queues quality's review invitation (its own tests).
    booking_mail = OutboxMessage.objects.exclude(kind__in=["booking.reminder", "quality.review_invite"])
    assert booking_mail.count() == 1, "no email for an arrival or an outcome"


def test_an_outcome_is_refused_for_a_cancelled_appointment(world: World) -> None:
    appointment = booked(world)
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    with pytest.raises(NotChangeable):
        appointment_mark_completed(appointment=appointment, now=SLOT)


def _busy(*ids: int, set_timeout: bool = True) -> None:
    raise PractitionerBusy


def test_a_lock_not_had_in_time_is_busy_for_every_write(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    appointment = booked(world)
    monkeypatch.setattr(services, "practitioner_lock", _busy)
    with pytest.raises(Busy):
        services.hold_create(practitioner=world.chen, service=world.service, start=later(60), now=NOW, owner_key="k")
    with pytest.raises(Busy):
        appointment_book(
            practitioner=world.chen,
            service=world.service,
            start=later(60),
            patient=patient(),
            now=NOW,
            idempotency_key="busy",
            body_hash="h",
        )
    assert not IdempotencyKey.objects.filter(key="busy").exists(), "a retry is tried afresh"
    with pytest.raises(Busy):
        appointment_cancel(appointment=appointment, now=NOW, source="web")
    with pytest.raises(Busy):
        appointment_reschedule(appointment=appointment, start=later(60), now=NOW, source="web")


def _overlap(*args: object, **kwargs: object) -> None:
    raise IntegrityError("conflicting key value violates exclusion constraint")


@pytest.mark.parametrize("overlap", [True, False])
def test_an_integrity_error_is_a_lost_race_only_when_it_is_the_overlap_constraint(
    world: World, monkeypatch: pytest.MonkeyPatch, overlap: bool
) -> None:
    """The constraint's refusal (PostgreSQL) reads as a lost race; any other integrity error stays an error."""
    appointment = booked(world)
    monkeypatch.setattr(services, "_record", _overlap)
    if overlap:
        monkeypatch.setattr(services, "_is_overlap_violation", lambda exc: True)
    expected: type[Exception] = SlotTaken if overlap else IntegrityError
    with pytest.raises(expected):
        appointment_book(
            practitioner=world.chen,
            service=world.service,
            start=later(60),
            patient=patient(),
            now=NOW,
            idempotency_key="race",
            body_hash="h",
        )
    assert not IdempotencyKey.objects.filter(key="race").exists()
    with pytest.raises(expected):
        appointment_reschedule(appointment=appointment, start=later(60), now=NOW, source="web")
    appointment.refresh_from_db()
    assert appointment.start == SLOT


def test_a_failed_booking_releases_its_idempotency_claim(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(services, "_record", broken)
    with pytest.raises(RuntimeError):
        appointment_book(
            practitioner=world.chen,
            service=world.service,
            start=SLOT,
            patient=patient(),
            now=NOW,
            idempotency_key="k",
            body_hash="h",
        )
    assert not IdempotencyKey.objects.exists()
    assert not Appointment.objects.exists()
