"""Real races (threads, each with its own connection; SQLite and PostgreSQL) around taking a "move me earlier" offer."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

import pytest

from booking import services
from booking.errors import SlotTaken
from booking.models import Appointment, AppointmentStatus, EventKind, OfferStatus, WaitlistOffer
from booking.services import appointment_book, appointment_cancel
from booking.tests.test_concurrency import no_overlap_constraint, overlapping_pairs, race
from booking.waitlist import waitlist_move_earlier_join
from booking.waitlist_offers import waitlist_offer_accept
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, make_world, patient

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["no_overlap_constraint"]

FRIDAY = SLOT + timedelta(days=3)


def offered(time_machine: Any) -> tuple[Any, Any, Any]:
    """A waits to move earlier from Friday; B cancels Tuesday 10:00; one cycle offers it to A."""
    time_machine.move_to(NOW, tick=False)
    world = make_world()
    a = appointment_book(
        practitioner=world.chen, service=world.service, start=FRIDAY, patient=patient(1), now=NOW
    ).appointment
    entry = waitlist_move_earlier_join(appointment=a, now=NOW)
    b = appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(2), now=NOW)
    appointment_cancel(appointment=b.appointment, now=NOW, source="web")
    outbox_sweep(now=NOW)
    assert WaitlistOffer.objects.get().entry == entry
    return world, a, entry


def public_booking(world: Any) -> functools.partial[Any]:
    return functools.partial(
        appointment_book, practitioner=world.chen, service=world.service, start=SLOT, patient=patient(5), now=NOW
    )


def test_accepting_races_a_public_booking_of_the_same_time_and_one_wins(time_machine: Any) -> None:
    world, a, entry = offered(time_machine)
    results = race([functools.partial(waitlist_offer_accept, entry=entry, now=NOW), public_booking(world)])
    won = [r for r in results if not isinstance(r, Exception)]
    assert len(won) == 1, results
    assert isinstance(results[1], SlotTaken), "the hold counts as taken: the offer wins"
    assert overlapping_pairs() == 0
    assert Appointment.objects.exclude(status=AppointmentStatus.CANCELLED).filter(start=SLOT).count() == 1
    a.refresh_from_db()
    assert a.start == SLOT
    assert not Appointment.objects.exclude(status=AppointmentStatus.CANCELLED).filter(start=FRIDAY).exists()


def test_with_the_check_off_the_same_race_really_double_books(
    time_machine: Any, no_overlap_constraint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race above is real: without the engine's check (the hold ignored), both write the time."""
    world, _a, entry = offered(time_machine)
    monkeypatch.setattr(services, "slot_open", lambda **kwargs: True)
    results = race([functools.partial(waitlist_offer_accept, entry=entry, now=NOW), public_booking(world)])
    assert not any(isinstance(r, Exception) for r in results), results
    assert overlapping_pairs() == 1


def test_two_taps_at_once_move_the_appointment_once(time_machine: Any) -> None:
    _world, a, entry = offered(time_machine)
    results = race([functools.partial(waitlist_offer_accept, entry=entry, now=NOW) for _ in range(4)])
    assert all(isinstance(r, Appointment) and r.pk == a.pk for r in results), results
    a.refresh_from_db()
    assert a.start == SLOT
    assert a.events.filter(kind=EventKind.RESCHEDULED).count() == 1
    assert WaitlistOffer.objects.get().status == OfferStatus.TAKEN
