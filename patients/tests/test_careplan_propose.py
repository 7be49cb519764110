"""Proposing concrete times for a care plan's visits, from the scheduling engine's open times."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from painhero.testing import World
from patients.careplan_propose import PhaseSpec, Preferences, ProposedVisit, visits_propose
from scheduling.models import BookingRules, ClinicClosure, TimeOff
from scheduling.selectors import open_times_list
from scheduling.testing import make_hours, toronto

ZONE = ZoneInfo("America/Toronto")
TAPER = ((3, 2), (2, 2), (1, 2))


def _propose(
    world: World,
    shape: tuple[tuple[int, int], ...],
    *,
    start: date,
    preferences: Preferences | None = None,
    now: datetime | None = None,
    clinic: Any = None,
    practitioner: Any = None,
    service: Any = None,
) -> list[ProposedVisit]:
    clinic = clinic or world.clinic
    practitioner = practitioner or world.chen
    service = service or world.service
    zone = ZoneInfo(clinic.time_zone)
    weeks = sum(w for _v, w in shape)
    begin = datetime.combine(start, time(0), tzinfo=zone)
    slots = open_times_list(
        clinic=clinic, start=begin, end=begin + timedelta(days=7 * weeks + 14), now=now or world_now(), service=service
    )
    specs = [PhaseSpec(v, w, service.pk, practitioner.pk) for v, w in shape]
    return visits_propose(
        phases=specs, preferences=preferences or Preferences(), start_date=start, zone=zone, open_times=slots
    )


@pytest.fixture
def world(world: World) -> World:
    """Plans reach months ahead: this clinic takes bookings half a year out."""
    BookingRules.objects.update_or_create(clinic=world.clinic, defaults={"horizon_days": 180})
    return world


def world_now() -> datetime:
    from painhero.testing import NOW

    return NOW


def _days(visits: list[ProposedVisit], zone: ZoneInfo = ZONE) -> list[date]:
    return [v.time.start.astimezone(zone).date() for v in visits if v.time is not None]


def test_a_tapering_plan_gets_a_time_for_every_visit_never_two_a_day_and_a_day_between(world: World) -> None:
    visits = _propose(world, TAPER, start=date(2027, 1, 11))
    assert len(visits) == 12
    assert all(v.time is not None for v in visits)
    days = _days(visits)
    assert len(set(days)) == 12, "no two visits on one day"
    assert all(b - a >= timedelta(days=2) for a, b in itertools.pairwise(days)), days
    assert all(d.weekday() < 5 for d in days), "only days the clinic is open"
    # Three a week for the first two weeks, then two, then one.
    weeks = [(d - date(2027, 1, 11)).days // 7 for d in days]
    assert [weeks.count(n) for n in range(6)] == [3, 3, 2, 2, 1, 1]
    # Monday, Wednesday, Friday; then Monday and Thursday; then Mondays (Family Day moves to the Tuesday).
    assert [d.weekday() for d in days] == [0, 2, 4, 0, 2, 4, 0, 3, 0, 3, 0, 1]
    assert all(v.time.practitioner_id == world.chen.pk for v in visits if v.time)


def test_preferred_days_and_an_after_five_window_are_honoured(world: World) -> None:
    make_hours(world.chen, blocks=(("17:00", "20:00"),))
    prefs = Preferences(weekdays=frozenset({1, 3}), after=time(17, 0))
    visits = _propose(world, ((2, 3),), start=date(2026, 12, 8), preferences=prefs)
    starts = [v.time.start.astimezone(ZONE) for v in visits if v.time]
    assert len(starts) == 6
    assert {s.weekday() for s in starts} == {1, 3}
    assert all(s.time() >= time(17, 0) for s in starts)


def test_a_closure_inside_a_phase_moves_that_visit_and_not_the_plan(world: World) -> None:
    before = _days(_propose(world, ((1, 4),), start=date(2026, 12, 8)))
    assert before == [date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 22), date(2026, 12, 29)]
    ClinicClosure.objects.create(clinic=world.clinic, start_date=date(2026, 12, 15), end_date=date(2026, 12, 15))
    after = _days(_propose(world, ((1, 4),), start=date(2026, 12, 8)))
    assert after == [date(2026, 12, 8), date(2026, 12, 16), date(2026, 12, 22), date(2026, 12, 29)]


def test_a_statutory_holiday_moves_that_visit_only(world: World) -> None:
    # Family Day, Monday 15 February 2027, in Ontario.
    days = _days(_propose(world, ((1, 3),), start=date(2027, 2, 8)))
    assert days == [date(2027, 2, 8), date(2027, 2, 16), date(2027, 2, 22)]


def test_the_practitioners_time_off_moves_the_visit_or_goes_to_a_colleague_when_allowed(world: World) -> None:
    TimeOff.objects.create(practitioner=world.chen, start=toronto(2026, 12, 15, 0), end=toronto(2026, 12, 16, 0))
    own = _propose(world, ((1, 2),), start=date(2026, 12, 8))
    assert _days(own) == [date(2026, 12, 8), date(2026, 12, 16)]
    anyone = _propose(world, ((1, 2),), start=date(2026, 12, 8), preferences=Preferences(same_practitioner=False))
    assert _days(anyone) == [date(2026, 12, 8), date(2026, 12, 15)]
    assert anyone[1].time is not None and anyone[1].time.practitioner_id == world.lee.pk


def test_across_the_spring_dst_change_every_visit_keeps_its_wall_clock_time(world: World) -> None:
    visits = _propose(world, ((1, 3),), start=date(2027, 3, 8), preferences=Preferences(after=time(16, 0)))
    starts = [v.time.start.astimezone(ZONE) for v in visits if v.time]
    assert [s.time() for s in starts] == [time(16, 0)] * 3
    assert [s.date() for s in starts] == [date(2027, 3, 8), date(2027, 3, 15), date(2027, 3, 22)]
    offsets = {s.utcoffset() for s in starts}
    assert offsets == {timedelta(hours=-5), timedelta(hours=-4)}, "the UTC offset changes, the wall clock does not"


def test_regina_and_st_johns_zones_propose_in_local_wall_clock(db: Any) -> None:
    from painhero.testing import NOW

    for zone_name in ("America/Regina", "America/St_Johns"):
        clinic = make_clinic(city=make_city(time_zone=zone_name, province="SK" if "Regina" in zone_name else "NL"))
        person = make_practitioner(clinic=clinic)
        make_hours(person, blocks=(("09:00", "12:00"),))
        service = make_service(clinic=clinic, practitioners=[person])
        zone = ZoneInfo(zone_name)
        begin = datetime(2026, 12, 8, tzinfo=zone)
        slots = open_times_list(clinic=clinic, start=begin, end=begin + timedelta(days=21), now=NOW, service=service)
        visits = visits_propose(
            phases=[PhaseSpec(1, 2, service.pk, person.pk)],
            preferences=Preferences(),
            start_date=date(2026, 12, 8),
            zone=zone,
            open_times=slots,
        )
        assert [v.time.start.astimezone(zone).time() for v in visits if v.time] == [time(9, 0)] * 2


def test_each_visit_offers_nearby_alternatives_on_days_no_other_visit_takes(world: World) -> None:
    visits = _propose(world, ((2, 2),), start=date(2026, 12, 8))
    days = set(_days(visits))
    for visit in visits:
        assert visit.time is not None
        assert 1 <= len(visit.alternatives) <= 3
        for other in visit.alternatives:
            other_day = other.start.astimezone(ZONE).date()
            assert other != visit.time
            assert other_day == visit.time.start.astimezone(ZONE).date() or other_day not in days


def test_a_visit_with_no_open_time_left_is_proposed_without_one(world: World) -> None:
    # Chen works only in the first week.
    from scheduling.models import WorkingHours

    WorkingHours.objects.filter(practitioner=world.chen).update(valid_until=date(2026, 12, 13))
    visits = _propose(world, ((1, 3),), start=date(2026, 12, 8))
    assert visits[0].time is not None
    assert visits[1].time is None and visits[2].time is None


@pytest.mark.parametrize("per_week", [4, 5])
def test_more_than_three_a_week_may_use_consecutive_days(world: World, per_week: int) -> None:
    days = _days(_propose(world, ((per_week, 1),), start=date(2026, 12, 7), now=toronto(2026, 12, 6, 8)))
    assert len(days) == per_week and len(set(days)) == per_week


def test_a_visit_pushed_by_a_closure_keeps_a_free_day_before_the_next_one(world: World) -> None:
    ClinicClosure.objects.create(clinic=world.clinic, start_date=date(2027, 1, 13), end_date=date(2027, 1, 13))
    days = _days(_propose(world, ((3, 1), (1, 1)), start=date(2027, 1, 11)))
    # Wednesday closed: Thursday, then not Friday (no free day between) but the next open day after it.
    assert days == [date(2027, 1, 11), date(2027, 1, 14), date(2027, 1, 18), date(2027, 1, 20)]
