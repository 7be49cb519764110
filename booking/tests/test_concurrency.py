"""Real races: threads with their own database connections fire at one time at once.

On PostgreSQL the practitioner row lock serializes the check and the insert, and the exclusion
constraint is the final word; on SQLite BEGIN IMMEDIATE serializes every write transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from booking import services
from booking.errors import SlotTaken
from booking.models import Appointment, AppointmentStatus, Hold
from booking.services import appointment_book, appointment_reschedule, hold_create
from booking.tests.conftest import NOW, SLOT, later, make_world, patient
from scheduling.locking import practitioner_lock

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 50


def race(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads released together; each returns its result or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def overlapping_pairs() -> int:
    """Counted by SQL, not by the code under test."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*) FROM booking_appointment a JOIN booking_appointment b
              ON a.practitioner_id = b.practitioner_id AND a.id < b.id
             AND a.start < b."end" AND b.start < a."end"
             WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
            """
        )
        return cursor.fetchone()[0]


def test_of_50_simultaneous_bookings_of_one_time_exactly_one_succeeds() -> None:
    world = make_world()

    def book(n: int) -> Any:
        return appointment_book(
            practitioner=world.practitioner, service=world.service, start=SLOT, patient=patient(n), now=NOW
        )

    results = race([lambda n=n: book(n) for n in range(RACERS)])
    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1
    assert all(isinstance(e, SlotTaken) for e in lost), {type(e).__name__ for e in lost}
    assert all(e.alternatives for e in lost), "every loser is offered other times"
    assert Appointment.objects.count() == 1
    assert overlapping_pairs() == 0
    # Adjacent times still book.
    for start in (later(-30), later(30)):
        book_next = appointment_book(
            practitioner=world.practitioner, service=world.service, start=start, patient=patient(), now=NOW
        )
        assert book_next.appointment.start == start


def test_a_booking_racing_a_hold_for_the_same_time_leaves_one_owner() -> None:
    world = make_world()
    jobs = []
    for n in range(10):
        jobs.append(
            lambda n=n: appointment_book(
                practitioner=world.practitioner, service=world.service, start=SLOT, patient=patient(n), now=NOW
            )
        )
        jobs.append(
            lambda n=n: hold_create(
                practitioner=world.practitioner, service=world.service, start=SLOT, now=NOW, owner_key=f"s{n}"
            )
        )
    results = race(jobs)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, Exception))
    assert Appointment.objects.count() + Hold.objects.count() == 1


def test_a_booking_racing_a_reschedule_into_the_same_time_leaves_one_appointment_there() -> None:
    world = make_world()
    moving = appointment_book(
        practitioner=world.practitioner, service=world.service, start=later(120), patient=patient(), now=NOW
    ).appointment
    jobs: list[Callable[[], Any]] = [
        lambda: appointment_reschedule(appointment=moving, start=SLOT, now=NOW, source="web"),
    ]
    jobs += [
        lambda n=n: appointment_book(
            practitioner=world.practitioner, service=world.service, start=SLOT, patient=patient(n), now=NOW
        )
        for n in range(9)
    ]
    results = race(jobs)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    at_slot = Appointment.objects.filter(start=SLOT, status=AppointmentStatus.BOOKED)
    assert at_slot.count() == 1
    assert overlapping_pairs() == 0
    moving.refresh_from_db()
    # Never both or neither: the moved appointment is at its old time or at the new one.
    assert moving.start in (SLOT, later(120)) and moving.status == AppointmentStatus.BOOKED


def test_a_booking_waits_for_a_schedule_change_and_then_sees_the_time_gone() -> None:
    """The schedule change takes the practitioner's lock (as scheduling's writes should); the booking waits."""
    from django.db import transaction

    from scheduling.models import TimeOff

    world = make_world()
    inside = threading.Event()
    release = threading.Event()
    outcome: dict[str, Any] = {}

    def schedule_change() -> None:
        try:
            with transaction.atomic():
                practitioner_lock(world.practitioner.pk)
                TimeOff.objects.create(practitioner=world.practitioner, start=SLOT, end=later(60))
                inside.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def booking() -> None:
        try:
            outcome["result"] = appointment_book(
                practitioner=world.practitioner, service=world.service, start=SLOT, patient=patient(), now=NOW
            )
        except Exception as exc:
            outcome["result"] = exc
        finally:
            connections.close_all()

    changer = threading.Thread(target=schedule_change)
    changer.start()
    assert inside.wait(timeout=30)
    booker = threading.Thread(target=booking)
    booker.start()
    booker.join(timeout=0.5)
    assert booker.is_alive(), "the booking must wait for the schedule change's transaction"
    release.set()
    changer.join(timeout=30)
    booker.join(timeout=30)
    assert isinstance(outcome["result"], SlotTaken)
    assert not Appointment.objects.exists()


def test_with_the_lock_and_the_check_off_postgresql_still_refuses_the_overlap(
    postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protection off (pretix style): every racer passes the check, and only the constraint stops them."""
    world = make_world()
    monkeypatch.setattr(services, "practitioner_lock", lambda *ids: None)
    monkeypatch.setattr(services, "_is_taken", lambda **kwargs: False)
    monkeypatch.setattr(services, "slot_open", lambda **kwargs: True)
    results = race(
        [
            lambda n=n: appointment_book(
                practitioner=world.practitioner, service=world.service, start=SLOT, patient=patient(n), now=NOW
            )
            for n in range(20)
        ]
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, Exception))
    assert overlapping_pairs() == 0


def test_with_the_check_off_the_race_really_happens_without_a_constraint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shows the tests above can fail: with no check (and, on SQLite, no constraint) times are given twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE booking_appointment DROP CONSTRAINT appointment_no_overlap")
    try:
        world = make_world()
        monkeypatch.setattr(services, "_is_taken", lambda **kwargs: False)
        monkeypatch.setattr(services, "slot_open", lambda **kwargs: True)
        for n in range(2):
            appointment_book(
                practitioner=world.practitioner, service=world.service, start=SLOT, patient=patient(n), now=NOW
            )
        assert overlapping_pairs() == 1
    finally:
        if connection.vendor == "postgresql":
            Appointment.objects.all().delete()
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER TABLE booking_appointment ADD CONSTRAINT appointment_no_overlap EXCLUDE USING gist "
                    "(practitioner_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) WHERE (status <> 'cancelled')"
                )
