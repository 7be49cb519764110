from __future__ import annotations

from datetime import timedelta

import pytest

from booking.errors import NotChangeable, SlotTaken
from booking.models import Actor, AppointmentEvent, AppointmentStatus, ClinicBookingPolicy, EventKind
from booking.services import appointment_book, appointment_cancel, appointment_reschedule
from booking.tests.conftest import NOW, SLOT, World, later, patient
from notifications.models import OutboxMessage


def booked(world: World, start=SLOT):
    return appointment_book(
        practitioner=world.practitioner, service=world.service, start=start, patient=patient(), now=NOW
    ).appointment


def test_cancelling_frees_the_time_and_keeps_the_history(world: World) -> None:
    appointment = booked(world)
    appointment_cancel(appointment=appointment, now=NOW, source="web", ip="198.51.100.7")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    kinds = list(AppointmentEvent.objects.filter(appointment=appointment).values_list("kind", "ip"))
    assert kinds == [(EventKind.CREATED, None), (EventKind.CANCELLED, "198.51.100.7")]
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == ["booking.created", "booking.cancelled"]
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
    assert OutboxMessage.objects.count() == 2


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
    appointment_reschedule(appointment=appointment, start=SLOT, practitioner=world.other, now=NOW, source="web")
    appointment.refresh_from_db()
    assert appointment.practitioner == world.other
