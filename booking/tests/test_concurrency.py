"""Real races: threads with their own database connections fire at one time at once.

On PostgreSQL the practitioner row lock serializes the check and the insert, and the exclusion
constraint is the final word; on SQLite BEGIN IMMEDIATE serializes every write transaction.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from datetime import time
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction

from booking import services
from booking.availability import slot_open as real_slot_open
from booking.errors import SlotTaken
from booking.models import Appointment, AppointmentStatus, Hold
from booking.services import appointment_book, appointment_reschedule, hold_create
from painhero.testing import NOW, SLOT, World, later, make_world, patient
from scheduling.models import TimeOff, WorkingHours
from scheduling.services import time_off_add, working_hours_set

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


def bookings(world: World, count: int) -> list[Callable[[], Any]]:
    """``count`` bookings of SLOT by different patients, as jobs for ``race``."""
    return [
        functools.partial(
            appointment_book,
            practitioner=world.chen,
            service=world.service,
            start=SLOT,
            patient=patient(n),
            now=NOW,
        )
        for n in range(count)
    ]


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
        row = cursor.fetchone()
        return int(row[0]) if row else 0


@pytest.fixture
def no_overlap_constraint() -> Iterator[None]:
    """On PostgreSQL, the exclusion constraint dropped for the test (and put back); SQLite has none anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE booking_appointment DROP CONSTRAINT appointment_no_overlap")
    try:
        yield
    finally:
        Appointment.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE booking_appointment ADD CONSTRAINT appointment_no_overlap EXCLUDE USING gist "
                "(practitioner_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) WHERE (status <> 'cancelled')"
            )


def waiting_on_a_lock(pids: set[int]) -> bool:
    """Whether one of these PostgreSQL backends is waiting for a lock right now (pg_stat_activity)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        return any(pid in pids for (pid,) in cursor.fetchall())


def test_of_50_simultaneous_bookings_of_one_time_exactly_one_succeeds() -> None:
    world = make_world()

    results = race(bookings(world, RACERS))
    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, SlotTaken)]
    assert len(won) == 1
    assert len(lost) == RACERS - 1, {type(r).__name__ for r in results}
    assert all(e.alternatives for e in lost), "every loser is offered other times"
    assert all((a.start, a.practitioner_id) != (SLOT, world.chen.pk) for e in lost for a in e.alternatives)
    assert Appointment.objects.count() == 1
    assert overlapping_pairs() == 0
    # Adjacent times still book.
    for start in (later(-30), later(30)):
        book_next = appointment_book(
            practitioner=world.chen, service=world.service, start=start, patient=patient(), now=NOW
        )
        assert book_next.appointment.start == start


def test_a_booking_racing_a_hold_for_the_same_time_leaves_one_owner() -> None:
    world = make_world()
    holds: list[Callable[[], Any]] = [
        functools.partial(
            hold_create, practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key=f"s{n}"
        )
        for n in range(10)
    ]
    jobs = [job for pair in zip(bookings(world, 10), holds, strict=True) for job in pair]
    results = race(jobs)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, Exception))
    assert Appointment.objects.count() + Hold.objects.count() == 1


def test_a_booking_racing_a_reschedule_into_the_same_time_leaves_one_appointment_there() -> None:
    world = make_world()
    moving = appointment_book(
        practitioner=world.chen, service=world.service, start=later(120), patient=patient(), now=NOW
    ).appointment
    jobs: list[Callable[[], Any]] = [
        functools.partial(appointment_reschedule, appointment=moving, start=SLOT, now=NOW, source="web"),
        *bookings(world, 9),
    ]
    results = race(jobs)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    at_slot = Appointment.objects.filter(start=SLOT, status=AppointmentStatus.BOOKED)
    assert at_slot.count() == 1
    assert overlapping_pairs() == 0
    moving.refresh_from_db()
    # Never both or neither: the moved appointment is at its old time or at the new one.
    assert moving.start in (SLOT, later(120)) and moving.status == AppointmentStatus.BOOKED


# The schedule changes that remove the time at SLOT, called through the real scheduling services.
SCHEDULE_CHANGES: dict[str, Callable[[World], object]] = {
    "time_off_add": lambda world: time_off_add(practitioner=world.chen, start=SLOT, end=later(60), now=NOW),
    "working_hours_set": lambda world: working_hours_set(
        practitioner=world.chen,
        blocks=[(day, time(12), time(18)) for day in range(7)],  # afternoons only: 10:00 is gone
        valid_from=NOW.date(),
        now=NOW,
    ),
}


@pytest.mark.parametrize("change", sorted(SCHEDULE_CHANGES))
def test_a_booking_waits_for_a_schedule_change_and_then_sees_the_time_gone(
    change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real service takes the practitioner's lock; a booking meanwhile waits, then sees the time gone.

    The protocol, with no timing in it: the change runs in a transaction held open after the service
    returns (a hook: the outer ``atomic`` the test wraps around it); the booking starts; on PostgreSQL the
    test waits until the booking's connection is seen waiting for a lock (a service that forgot the lock
    lets the booking run through instead, and the test fails); then the change commits. The booking must
    not finish before that commit, and must then refuse the time.
    """
    world = make_world()
    changed, commit, arrived, finished = (threading.Event() for _ in range(4))
    outcome: dict[str, Any] = {}
    booker_pid: set[int] = set()
    real_check = services.booking_check

    def booking_check(**kwargs: Any) -> None:
        real_check(**kwargs)
        if connection.vendor == "postgresql":
            booker_pid.add(connection.connection.info.backend_pid)
        arrived.set()  # the next step is the booking's transaction and its lock

    monkeypatch.setattr(services, "booking_check", booking_check)

    def schedule_change() -> None:
        try:
            with transaction.atomic():
                outcome["change"] = SCHEDULE_CHANGES[change](world)
                changed.set()
                commit.wait(timeout=60)
        except Exception as exc:
            outcome["change"] = exc
            changed.set()
        finally:
            connections.close_all()

    def booking() -> None:
        try:
            outcome["result"] = appointment_book(
                practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW
            )
        except Exception as exc:
            outcome["result"] = exc
        finally:
            # Whether the change had been let go to commit: the booking may only finish after that. (Not whether
            # the changer has returned from its commit: its on-commit refresh runs before it would say so.)
            outcome["finished_after_the_commit"] = commit.is_set()
            finished.set()
            connections.close_all()

    changer = threading.Thread(target=schedule_change)
    changer.start()
    assert changed.wait(timeout=60)
    assert not isinstance(outcome["change"], Exception), outcome["change"]
    booker = threading.Thread(target=booking)
    booker.start()
    assert arrived.wait(timeout=60)
    if connection.vendor == "postgresql":
        # Until the booking is blocked on a lock, or has (wrongly) run through: a condition, not a duration.
        while not finished.is_set() and not waiting_on_a_lock(booker_pid):
            finished.wait(timeout=0.005)
    commit.set()
    changer.join(timeout=60)
    booker.join(timeout=60)
    assert outcome["finished_after_the_commit"], "the booking went through while the schedule change was open"
    assert isinstance(outcome["result"], SlotTaken), outcome["result"]
    assert not Appointment.objects.exists()
    if change == "time_off_add":
        assert TimeOff.objects.filter(practitioner=world.chen, start=SLOT).exists()
    else:
        assert WorkingHours.objects.filter(practitioner=world.chen, start_time=time(12)).count() == 7


def test_with_the_lock_and_the_check_off_postgresql_still_refuses_the_overlap(
    postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protection off (pretix style): every racer passes the check, and only the constraint stops them."""
    world = make_world()
    monkeypatch.setattr(services, "practitioner_lock", lambda *ids: None)
    monkeypatch.setattr(services, "slot_open", lambda **kwargs: True)
    results = race(bookings(world, 20))
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, Exception))
    assert overlapping_pairs() == 0


def test_without_the_lock_two_bookings_both_pass_the_real_check_and_the_constraint_stops_one(
    postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the lock is there: without it, two bookings interleave (each checked before either wrote).

    A barrier after the engine's real check makes the interleaving certain: both have found the time free;
    then one writes, and the other writes after it (the same instant would be a deadlock between the two
    constraint checks). The constraint refuses the second insert, which reaches the patient as a lost race.
    """
    world = make_world()
    both_checked = threading.Barrier(2, timeout=60)
    first_wrote = threading.Event()
    real_record, real_violation = services._record, services._is_overlap_violation
    violations: list[IntegrityError] = []

    def slot_open(**kwargs: Any) -> bool:
        is_open = real_slot_open(**kwargs)
        if both_checked.wait() != 0:
            assert first_wrote.wait(timeout=60)
        return is_open

    def record(**kwargs: Any) -> None:
        real_record(**kwargs)
        first_wrote.set()

    def is_overlap_violation(exc: IntegrityError) -> bool:
        violations.append(exc)
        return real_violation(exc)

    monkeypatch.setattr(services, "practitioner_lock", lambda *ids: None)
    monkeypatch.setattr(services, "slot_open", slot_open)
    monkeypatch.setattr(services, "_record", record)
    monkeypatch.setattr(services, "_is_overlap_violation", is_overlap_violation)
    results = race(bookings(world, 2))
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert [type(r) for r in results if isinstance(r, Exception)] == [SlotTaken], [str(r) for r in results]
    assert len(violations) == 1, "the second booking passed the check and met the constraint"
    assert overlapping_pairs() == 0


def test_with_the_protection_off_simultaneous_bookings_really_double_book(
    no_overlap_constraint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shows the tests above can fail: with no lock, no check and no constraint, a real race gives a time twice."""
    world = make_world()
    monkeypatch.setattr(services, "practitioner_lock", lambda *ids: None)
    monkeypatch.setattr(services, "slot_open", lambda **kwargs: True)
    results = race(bookings(world, 10))
    won = [r for r in results if not isinstance(r, Exception)]
    assert len(won) == 10, {type(r).__name__ for r in results}
    assert overlapping_pairs() == 10 * 9 // 2
