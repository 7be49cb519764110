"""The times offered after a refusal: nearest first, the same practitioner first, and cheap at any clinic size."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import availability, services
from booking.availability import ALTERNATIVES, alternatives_list
from booking.errors import SlotTaken
from booking.services import appointment_book, appointment_reschedule, hold_create
from clinics.testing import make_practitioner, make_service
from painhero.testing import NOW, SLOT, World, later, patient
from scheduling import engine
from scheduling.cache import next_open_times_refresh
from scheduling.models import NextOpenTime, TimeOff
from scheduling.testing import make_hours

pytestmark = pytest.mark.django_db


def offered(world: World, start: Any = SLOT) -> list[Any]:
    return alternatives_list(clinic=world.clinic, service=world.service, practitioner=world.chen, start=start, now=NOW)


def computations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """The windows the exact engine is asked for, in order."""
    windows: list[tuple[Any, Any]] = []
    real = availability.selectors.open_times_list

    def counted(**kwargs: Any) -> Any:
        windows.append((kwargs["start"], kwargs["end"]))
        return real(**kwargs)

    monkeypatch.setattr(availability.selectors, "open_times_list", counted)
    return windows


def test_the_requested_practitioners_nearest_times_come_first_from_one_narrow_look(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW)
    windows = computations(monkeypatch)
    times = offered(world)
    assert len(times) == ALTERNATIVES
    assert {t.practitioner_id for t in times} == {world.chen.pk}
    distances = [abs(t.start - SLOT) for t in times]
    assert distances == sorted(distances) and distances[0] <= timedelta(minutes=30)
    assert SLOT not in [t.start for t in times]
    assert windows == [(SLOT - availability.NEAR, SLOT + availability.NEAR)], "enough in the day: no wider look"


def test_it_looks_wider_only_when_the_practitioners_day_has_too_few(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    TimeOff.objects.create(practitioner=world.chen, start=NOW, end=SLOT + timedelta(days=3))
    windows = computations(monkeypatch)
    times = offered(world)
    assert len(windows) == 2 and windows[1] == (NOW, SLOT + availability.WIDE_AFTER)
    assert len(times) == ALTERNATIVES and {t.practitioner_id for t in times} == {world.chen.pk}
    assert all(t.start >= SLOT + timedelta(days=3) for t in times)
    assert [t.start for t in times] == sorted(t.start for t in times)


def test_a_fully_booked_practitioner_is_followed_by_the_others_nearest_times_from_the_cache(world: World) -> None:
    TimeOff.objects.create(practitioner=world.chen, start=NOW, end=NOW + timedelta(days=30))
    next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
    cached = set(
        NextOpenTime.objects.filter(practitioner=world.lee, service=world.service).values_list("start", flat=True)
    )
    for start in (SLOT, SLOT + timedelta(days=10)):
        times = offered(world, start=start)
        assert times and {t.practitioner_id for t in times} == {world.lee.pk}
        assert {t.start for t in times} <= cached
        distances = [abs(t.start - start) for t in times]
        assert distances == sorted(distances)
        assert all(str(t.start.tzinfo) == world.clinic.time_zone for t in times)


def test_without_a_practitioner_the_nearest_cached_times_of_anyone_come(world: World) -> None:
    next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
    times = alternatives_list(clinic=world.clinic, service=world.service, practitioner=None, start=SLOT, now=NOW)
    assert len(times) == ALTERNATIVES
    assert {t.practitioner_id for t in times} == {world.chen.pk, world.lee.pk}


def _cost(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(queries, practitioner-services the engine computed) for the alternatives of a fully booked practitioner."""
    TimeOff.objects.create(practitioner=world.chen, start=NOW, end=NOW + timedelta(days=30))
    next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
    computed: list[int] = []
    real = engine.open_times_ts

    def counted(**kwargs: Any) -> Any:
        computed.append(1)
        return real(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(engine, "open_times_ts", counted)
        with CaptureQueriesContext(connection) as queries:
            assert offered(world)
    return len(queries.captured_queries), len(computed)


def test_the_cost_of_the_alternatives_does_not_grow_with_the_clinic(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _cost(world, monkeypatch)
    assert small[1] == 2, "the requested practitioner only: the day, then the fortnight"
    TimeOff.objects.all().delete()
    many = [make_practitioner(clinic=world.clinic) for _ in range(30)]
    for person in many:
        make_hours(person)
    world.service.practitioners.add(*many)
    make_service(clinic=world.clinic, name="Massage", practitioners=many)
    assert _cost(world, monkeypatch) == small


@pytest.mark.parametrize("refusal", ["book", "hold", "reschedule"])
def test_the_alternatives_are_computed_after_the_refusing_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch, refusal: str
) -> None:
    """Outside the transaction (and so the lock) that refused: the next request for the time need not wait."""
    appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW)
    moving = appointment_book(
        practitioner=world.chen, service=world.service, start=later(120), patient=patient(2), now=NOW
    ).appointment
    depth = len(connection.atomic_blocks)  # the test's own transaction
    seen: list[int] = []
    real = availability.alternatives_list

    def recorded(**kwargs: Any) -> Any:
        seen.append(len(connection.atomic_blocks))
        return real(**kwargs)

    monkeypatch.setattr(services, "alternatives_list", recorded)
    with pytest.raises(SlotTaken) as caught:
        if refusal == "book":
            appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(3), now=NOW)
        elif refusal == "hold":
            hold_create(practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key="k")
        else:
            appointment_reschedule(appointment=moving, start=SLOT, now=NOW, source="web")
    assert seen == [depth]
    assert caught.value.alternatives
