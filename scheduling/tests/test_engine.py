"""The pure engine: open times from rules, busy times and a clock (no database)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling import engine
from scheduling.engine import Rules, WeeklyBlock
from scheduling.testing import local, toronto

TORONTO = ZoneInfo("America/Toronto")
MONDAY = date(2026, 12, 7)


def weekly(*blocks: tuple[str, str], days=(0, 1, 2, 3, 4, 5, 6), **validity) -> list[WeeklyBlock]:
    return [
        WeeklyBlock(day, time.fromisoformat(a), time.fromisoformat(b), **validity) for day in days for a, b in blocks
    ]


def times(zone=TORONTO, *, day=MONDAY, now=None, rules=None, hours=(("09:00", "12:00"),), days=1, **kwargs):
    start = datetime.combine(day, time.min, tzinfo=zone)
    found = engine.open_times(
        weekly=kwargs.pop("weekly", None) or weekly(*hours),
        rules=rules or Rules(duration_minutes=30, notice_minutes=0),
        now=now or start - timedelta(days=1),
        zone=zone,
        start=start,
        end=start + timedelta(days=days),
        **kwargs,
    )
    return [f"{a:%H:%M}" for a, _ in found]


def test_a_block_is_cut_into_starts_on_the_step_that_fit_its_end():
    assert times(hours=(("09:00", "10:30"),)) == ["09:00", "09:15", "09:30", "09:45", "10:00"]


def test_the_step_sets_the_start_grid():
    rules = Rules(duration_minutes=30, step_minutes=30, notice_minutes=0)
    assert times(rules=rules, hours=(("09:00", "11:00"),)) == ["09:00", "09:30", "10:00", "10:30"]


def test_nothing_is_offered_over_a_lunch_break():
    found = times(hours=(("09:00", "12:00"), ("13:00", "14:00")))
    assert "11:30" in found
    assert "11:45" not in found  # it would run into the break
    assert not [t for t in found if "12:00" <= t < "13:00"]
    assert found[-1] == "13:30"


def test_open_times_never_overlap_a_busy_time_and_keep_the_buffer_around_it():
    busy = [(toronto(2026, 12, 7, 10, 0), toronto(2026, 12, 7, 10, 30))]
    found = times(busy=busy)
    assert not [t for t in found if "09:31" <= t < "10:30"]
    assert {"09:30", "10:30"} <= set(found)
    rules = Rules(duration_minutes=30, notice_minutes=0, buffer_minutes=15)
    found = times(rules=rules, busy=busy)
    assert "10:30" not in found
    assert "10:45" in found  # the buffer after the appointment
    assert "09:30" not in found and "09:15" in found  # and room for it after the new one


def test_unavailable_time_and_closed_days_remove_open_times():
    off = [(toronto(2026, 12, 7, 9, 0), toronto(2026, 12, 7, 11, 0))]
    assert times(unavailable=off) == ["11:00", "11:15", "11:30"]
    assert times(closed_days=[MONDAY]) == []
    assert times(closed_days=[MONDAY + timedelta(days=1)]) != []


def test_a_posted_opening_adds_time_outside_the_weekly_hours_and_even_on_a_closed_day():
    opening = [(toronto(2026, 12, 7, 15, 30), toronto(2026, 12, 7, 16, 0))]
    assert times(openings=opening)[-1] == "15:30"
    assert times(openings=opening, closed_days=[MONDAY]) == ["15:30"]
    booked = [(toronto(2026, 12, 7, 15, 30), toronto(2026, 12, 7, 16, 0))]
    assert "15:30" not in times(openings=opening, busy=booked)


def test_minimum_notice_hides_times_too_close_to_now():
    rules = Rules(duration_minutes=30, notice_minutes=120)
    assert times(rules=rules, now=toronto(2026, 12, 7, 8, 0))[0] == "10:00"
    assert times(rules=rules, now=toronto(2026, 12, 7, 8, 1))[0] == "10:15"


def test_the_horizon_limits_how_far_ahead_times_are_offered():
    rules = Rules(duration_minutes=30, notice_minutes=0, horizon_days=2)
    found = engine.open_times(
        weekly=weekly(("09:00", "10:00")),
        rules=rules,
        now=toronto(2026, 12, 7, 9, 30),
        zone=TORONTO,
        start=toronto(2026, 12, 7),
        end=toronto(2026, 12, 20),
    )
    assert {a.date() for a, _ in found} == {date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)}
    assert max(a for a, _ in found) < toronto(2026, 12, 9, 9, 30)


def test_same_day_booking_can_be_turned_off():
    rules = Rules(duration_minutes=30, notice_minutes=0, same_day_allowed=False)
    found = engine.open_times(
        weekly=weekly(("09:00", "10:00")),
        rules=rules,
        now=toronto(2026, 12, 7, 7, 0),
        zone=TORONTO,
        start=toronto(2026, 12, 7),
        end=toronto(2026, 12, 9),
    )
    assert {a.date() for a, _ in found} == {date(2026, 12, 8)}


def test_working_hours_apply_only_between_their_validity_dates():
    blocks = weekly(("09:00", "10:00"), valid_from=date(2026, 12, 8), valid_until=date(2026, 12, 9))
    found = engine.open_times(
        weekly=blocks,
        rules=Rules(duration_minutes=60, notice_minutes=0),
        now=toronto(2026, 12, 1),
        zone=TORONTO,
        start=toronto(2026, 12, 6),
        end=toronto(2026, 12, 12),
    )
    assert [a.date() for a, _ in found] == [date(2026, 12, 8), date(2026, 12, 9)]


def test_on_the_spring_forward_day_no_time_between_two_and_three_exists():
    spring = date(2027, 3, 14)
    found = times(day=spring, hours=(("01:00", "04:00"),))
    assert found[:5] == ["01:00", "01:15", "01:30", "01:45", "03:00"]
    assert found[-1] == "03:30"
    assert not [t for t in found if t.startswith("02")]


def test_a_slot_across_the_spring_gap_lasts_its_real_duration():
    start = datetime.combine(date(2027, 3, 14), time.min, tzinfo=TORONTO)
    found = engine.open_times(
        weekly=weekly(("01:00", "04:00")),
        rules=Rules(duration_minutes=30, notice_minutes=0),
        now=start - timedelta(days=1),
        zone=TORONTO,
        start=start,
        end=start + timedelta(days=1),
    )
    a, b = next((a, b) for a, b in found if f"{a:%H:%M}" == "01:45")
    assert b.timestamp() - a.timestamp() == 30 * 60  # (same-zone subtraction in Python is wall-clock)
    assert f"{b:%H:%M%z}" == "03:15-0400"


def test_in_autumn_no_time_is_offered_twice():
    start = datetime.combine(date(2026, 11, 1), time.min, tzinfo=TORONTO)
    found = engine.open_times(
        weekly=weekly(("01:00", "04:00")),
        rules=Rules(duration_minutes=30, notice_minutes=0),
        now=start - timedelta(days=1),
        zone=TORONTO,
        start=start,
        end=start + timedelta(days=1),
    )
    walls = [f"{a:%H:%M}" for a, _ in found]
    instants = [a.timestamp() for a, _ in found]
    assert len(walls) == len(set(walls)) and len(instants) == len(set(instants))
    assert walls[:5] == ["01:00", "01:15", "01:30", "01:45", "02:00"]
    assert walls[-1] == "03:30"
    assert all(a.fold == 0 for a, _ in found)


def test_a_regular_day_in_st_johns_carries_its_half_hour_offset():
    zone = ZoneInfo("America/St_Johns")
    start = local("America/St_Johns", 2026, 12, 3)
    found = engine.open_times(
        weekly=weekly(("09:00", "10:00")),
        rules=Rules(duration_minutes=30, notice_minutes=0),
        now=start - timedelta(days=1),
        zone=zone,
        start=start,
        end=start + timedelta(days=1),
    )
    assert found[0][0].isoformat() == "2026-12-03T09:00:00-03:30"
    assert found[0][0].astimezone(ZoneInfo("UTC")).strftime("%H:%M") == "12:30"


def test_regina_keeps_the_same_offset_all_year():
    zone = ZoneInfo("America/Regina")
    for day in (date(2027, 1, 12), date(2027, 3, 14), date(2027, 7, 13)):
        start = datetime.combine(day, time.min, tzinfo=zone)
        found = engine.open_times(
            weekly=weekly(("09:00", "10:00")),
            rules=Rules(duration_minutes=60, notice_minutes=0),
            now=start - timedelta(days=1),
            zone=zone,
            start=start,
            end=start + timedelta(days=1),
        )
        assert [a.isoformat() for a, _ in found] == [f"{day.isoformat()}T09:00:00-06:00"]


def test_statutory_holidays_come_from_the_province():
    ontario = engine.statutory_holidays(province="ON", first=date(2027, 1, 1), last=date(2027, 12, 31))
    quebec = engine.statutory_holidays(province="QC", first=date(2027, 1, 1), last=date(2027, 12, 31))
    assert date(2027, 7, 1) in ontario and date(2027, 7, 1) in quebec  # Canada Day
    assert date(2027, 2, 15) in ontario and date(2027, 2, 15) not in quebec  # Family Day
    assert date(2027, 6, 24) in quebec and date(2027, 6, 24) not in ontario  # Fête nationale


def test_interval_subtraction_keeps_the_pieces_outside_the_cuts():
    assert engine.subtract([(0, 10), (20, 30)], [(5, 25), (28, 40)]) == [(0, 5), (25, 28)]
    assert engine.subtract([(0, 10)], []) == [(0, 10)]
    assert engine.merge([(5, 7), (0, 5), (9, 10)]) == [(0, 7), (9, 10)]


def test_bookable_until_is_the_notice_or_the_day_before_when_same_day_is_off():
    slot = toronto(2026, 12, 7, 10, 0)
    rules = Rules(duration_minutes=30, notice_minutes=60)
    assert engine.bookable_until(rules=rules, slot_start=engine.ts(slot), zone=TORONTO) == engine.ts(slot) - 3600
    rules = Rules(duration_minutes=30, notice_minutes=60, same_day_allowed=False)
    assert (
        engine.bookable_until(rules=rules, slot_start=engine.ts(slot), zone=TORONTO)
        == engine.ts(toronto(2026, 12, 7)) - 1
    )
