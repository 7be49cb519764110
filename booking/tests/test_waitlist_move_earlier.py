""" "Move me earlier if a time opens", from the manage link: only earlier times at the appointment's clinic,
practitioner and service; taking the offer moves the appointment itself, once, the old time freed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from booking.availability import slot_open
from booking.errors import NotChangeable, SlotTaken
from booking.models import (
    Appointment,
    AppointmentStatus,
    EventKind,
    Hold,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from booking.services import appointment_book, appointment_cancel, appointment_reschedule
from booking.tests.test_waitlist_offers import cycle, wait
from booking.waitlist import waitlist_move_earlier_join
from booking.waitlist_offers import waitlist_offer_accept, waitlist_offer_next
from painhero.testing import NOW, SLOT, World, day, patient

FRIDAY = SLOT + timedelta(days=3)  # Friday 10:00: patient A's appointment


def a_books_friday(world: World) -> Appointment:
    return appointment_book(
        practitioner=world.chen, service=world.service, start=FRIDAY, patient=patient(1, name="Ann A"), now=NOW
    ).appointment


def b_cancels(world: World, start: Any = SLOT, practitioner: Any = None) -> Appointment:
    booked = appointment_book(
        practitioner=practitioner or world.chen, service=world.service, start=start, patient=patient(2), now=NOW
    ).appointment
    appointment_cancel(appointment=booked, now=NOW, source="web")
    return booked


def test_the_manage_link_asks_on_post_only_and_asking_twice_is_asking_once(world: World) -> None:
    a = a_books_friday(world)
    client = Client()
    page = client.get(f"/appointments/{a.manage_token}/").content.decode()
    assert "Move me earlier if a time opens" in page
    assert client.get(f"/appointments/{a.manage_token}/earlier/").status_code == 405
    assert client.post(f"/appointments/{a.manage_token}/earlier/", {"action": "join"}).status_code == 302
    assert client.post(f"/appointments/{a.manage_token}/earlier/", {"action": "join"}).status_code == 302
    [entry] = WaitlistEntry.objects.all()
    assert (entry.appointment, entry.earlier_than, entry.before, entry.practitioner, entry.service) == (
        a,
        FRIDAY,
        day(4),
        world.chen,
        world.service,
    )
    assert (entry.patient_email, entry.status) == ("patient1@example.com", WaitlistStatus.WAITING)
    assert "Stop waiting for an earlier time" in client.get(f"/appointments/{a.manage_token}/").content.decode()
    assert client.post(f"/appointments/{a.manage_token}/earlier/", {"action": "nonsense"}).status_code == 400
    client.post(f"/appointments/{a.manage_token}/earlier/", {"action": "leave"})
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT


def test_the_database_refuses_a_move_earlier_needed_after_its_appointment(world: World) -> None:
    a = a_books_friday(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        wait(world, 1, appointment=a, earlier_than=FRIDAY, before=day(5))
    with pytest.raises(IntegrityError), transaction.atomic():
        wait(world, 1, appointment=a, before=day(4))  # no start to beat
    with pytest.raises(IntegrityError), transaction.atomic():
        wait(world, 1, earlier_than=FRIDAY, before=day(4))  # a start to beat, but no appointment
    entry = waitlist_move_earlier_join(appointment=a, now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        wait(world, 2, appointment=a, earlier_than=FRIDAY, before=day(4))  # a second one standing
    assert entry.status == WaitlistStatus.WAITING


def test_only_a_time_before_the_appointment_with_its_practitioner_is_offered(world: World, time_machine: Any) -> None:
    a = a_books_friday(world)
    entry = waitlist_move_earlier_join(appointment=a, now=NOW)
    b_cancels(world, start=FRIDAY + timedelta(hours=2))  # later the same day: no use to A
    b_cancels(world, start=SLOT, practitioner=world.lee)  # earlier, but another practitioner
    cycle(time_machine, NOW)
    assert not WaitlistOffer.objects.exists()

    b_cancels(world, start=SLOT)
    sent = cycle(time_machine, NOW)
    offer = WaitlistOffer.objects.get()
    assert (offer.entry, offer.start, offer.practitioner) == (entry, SLOT, world.chen)
    [email] = [m for m in sent if m.subject.startswith("An earlier time is held for you")]
    assert "Taking it moves your appointment of Friday, December 11, 2026, 10:00 AM" in email.body


def test_taking_the_offer_moves_the_appointment_once_and_frees_its_old_time(world: World, time_machine: Any) -> None:
    a = a_books_friday(world)
    entry = waitlist_move_earlier_join(appointment=a, now=NOW)
    b_cancels(world)
    cycle(time_machine, NOW)
    client = Client()
    assert "Move my appointment to this time" in client.get(f"/waitlist/{entry.token}/").content.decode()

    first = client.post(f"/waitlist/{entry.token}/")
    assert first.status_code == 302 and first["Location"] == f"/appointments/{a.manage_token}/"
    assert client.post(f"/waitlist/{entry.token}/").status_code == 302, "a second tap"
    a.refresh_from_db()
    assert (a.start, a.status) == (SLOT, AppointmentStatus.BOOKED)
    assert Appointment.objects.filter(patient_email="patient1@example.com").count() == 1, "moved, not booked anew"
    assert a.events.filter(kind=EventKind.RESCHEDULED).count() == 1
    assert world.chen.appointments.exclude(status=AppointmentStatus.CANCELLED).filter(start=SLOT).count() == 1
    assert not Hold.objects.exists(), "the offer's hold was consumed"
    assert slot_open(practitioner=world.chen, service=world.service, start=FRIDAY, now=NOW), "A's old time is free"
    offer = WaitlistOffer.objects.get()
    entry.refresh_from_db()
    assert (offer.status, offer.appointment, entry.status) == (OfferStatus.TAKEN, a, WaitlistStatus.BOOKED)
    # The freed Friday time goes round the waitlist like any other.
    later = wait(world, 5, before=day(5))
    cycle(time_machine, NOW)
    assert WaitlistOffer.objects.get(entry=later).start == FRIDAY


@pytest.mark.parametrize("how", ["cancelled", "moved"])
def test_the_entry_ends_when_the_appointment_changes_by_other_means_and_its_held_time_passes_on(
    world: World, time_machine: Any, how: str
) -> None:
    a = a_books_friday(world)
    entry = waitlist_move_earlier_join(appointment=a, now=NOW)
    b_cancels(world)
    cycle(time_machine, NOW)
    offer = WaitlistOffer.objects.get()
    others = [wait(world, 7), wait(world, 8)]
    if how == "cancelled":
        appointment_cancel(appointment=a, now=NOW, source="web")
    else:
        appointment_reschedule(appointment=a, start=FRIDAY + timedelta(hours=1), now=NOW, source="web")
    entry.refresh_from_db()
    offer.refresh_from_db()
    assert (entry.status, offer.status) == (WaitlistStatus.ENDED, OfferStatus.LAPSED)
    assert offer.hold_id is None or not Hold.objects.filter(pk=offer.hold_id).exists()
    with pytest.raises(NotChangeable):
        waitlist_offer_accept(entry=entry, now=NOW)
    a.refresh_from_db()
    assert a.start != SLOT
    cycle(time_machine, NOW)
    # A's own time and the one held for A, both freed, went to the next patients waiting.
    offered = WaitlistOffer.objects.filter(entry__in=others, status=OfferStatus.OPEN)
    assert sorted(offered.values_list("start", flat=True)) == [SLOT, FRIDAY]


def test_an_appointment_inside_the_cancellation_window_is_offered_nothing(world: World, time_machine: Any) -> None:
    tomorrow_afternoon = SLOT + timedelta(hours=5)  # Tuesday 15:00: movable online until Monday 15:00
    a = appointment_book(
        practitioner=world.chen, service=world.service, start=tomorrow_afternoon, patient=patient(1), now=NOW
    ).appointment
    waitlist_move_earlier_join(appointment=a, now=NOW)
    late = NOW + timedelta(hours=8)  # Monday 16:00: too late to move it online, so an offer could not be taken
    time_machine.move_to(late, tick=False)
    assert waitlist_offer_next(practitioner_id=world.chen.pk, service_id=world.service.pk, start=SLOT, now=late) is None
    assert slot_open(practitioner=world.chen, service=world.service, start=SLOT, now=late), "open for anyone else"
    with pytest.raises(NotChangeable):
        waitlist_move_earlier_join(appointment=Appointment.objects.get(pk=a.pk), now=late)


def test_a_public_booking_of_the_offered_time_meets_the_hold(world: World, time_machine: Any) -> None:
    a = a_books_friday(world)
    entry = waitlist_move_earlier_join(appointment=a, now=NOW)
    b_cancels(world)
    cycle(time_machine, NOW)
    with pytest.raises(SlotTaken):
        appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(5), now=NOW)
    assert waitlist_offer_accept(entry=entry, now=NOW).start == SLOT
