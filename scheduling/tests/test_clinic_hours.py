"""The clinic's posted hours bound its practitioners' hours: on every path a patient sees open times.

A clinic that posts Mon-Fri 8 a.m.-8 p.m. never offers 7:00 AM, though a practitioner's weekly hours say
7:00-12:00: not in the engine, the cached next openings search reads, the clinic page's week, the API or
booking. Extra openings the clinic posts still win (like they win over closures and holidays).
"""

from __future__ import annotations

from datetime import time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clinics.models import OpeningHours
from scheduling import engine
from scheduling.cache import next_open_times_refresh
from scheduling.engine import Rules, WeeklyBlock
from scheduling.models import PostedOpening
from scheduling.search import next_open_times_for_clinics
from scheduling.selectors import open_times_list, slot_is_open
from scheduling.testing import local, make_open_clinic, toronto

TORONTO = ZoneInfo("America/Toronto")
NOW = toronto(2026, 12, 6, 12, 0)  # a Sunday; Monday 2026-12-07 is the first working day
WEEKDAYS_8_TO_8 = [(day, time(8), time(20)) for day in range(5)]


def post_hours(clinic, hours=WEEKDAYS_8_TO_8):
    OpeningHours.objects.bulk_create(OpeningHours(clinic=clinic, weekday=d, opens=a, closes=b) for d, a, b in hours)


def early_clinic(**kwargs):
    """Posted Mon-Fri 08:00-20:00; its practitioner's hours say 07:00-12:00, Monday to Saturday."""
    clinic, (person,), service = make_open_clinic(
        blocks=(("07:00", "12:00"),), days=(0, 1, 2, 3, 4, 5), duration_minutes=30, **kwargs
    )
    post_hours(clinic)
    return clinic, person, service


def hhmm(moments, zone=TORONTO):
    return [f"{m.astimezone(zone):%a %H:%M}" for m in moments]


# --- The engine -------------------------------------------------------------------------------------


def test_a_block_is_cut_to_the_posted_hours_and_a_closed_weekday_loses_its_blocks():
    weekly = [WeeklyBlock(0, time(7), time(12)), WeeklyBlock(5, time(9), time(13)), WeeklyBlock(1, time(19), time(21))]
    assert engine.within_posted_hours(weekly, WEEKDAYS_8_TO_8) == [
        WeeklyBlock(0, time(8), time(12)),
        WeeklyBlock(1, time(19), time(20)),
    ]


def test_a_clinic_that_posts_no_hours_does_not_bound_its_practitioners():
    weekly = [WeeklyBlock(6, time(7), time(12))]
    assert engine.within_posted_hours(weekly, []) == weekly


def test_a_lunch_closing_splits_a_block_in_two():
    hours = [(0, time(7, 30), time(12)), (0, time(13), time(19))]
    cut = engine.within_posted_hours([WeeklyBlock(0, time(7), time(17))], hours)
    assert [(b.start, b.end) for b in cut] == [(time(7, 30), time(12)), (time(13), time(17))]


def test_the_parts_outside_the_posted_hours_are_named_for_a_warning():
    blocks = [(0, time(7), time(12)), (5, time(9), time(13)), (2, time(9), time(17))]
    assert engine.outside_posted_hours(blocks, WEEKDAYS_8_TO_8) == [
        (0, time(7), time(8)),
        (5, time(9), time(13)),
    ]
    hours = [(0, time(8), time(12)), (0, time(13), time(19))]
    assert engine.outside_posted_hours([(0, time(7), time(20))], hours) == [
        (0, time(7), time(8)),
        (0, time(12), time(13)),
        (0, time(19), time(20)),
    ]
    assert engine.outside_posted_hours(blocks, []) == []


def test_the_engine_fed_cut_hours_offers_eight_not_seven():
    weekly = engine.within_posted_hours([WeeklyBlock(0, time(7), time(12))], WEEKDAYS_8_TO_8)
    found = engine.open_times(
        weekly=weekly,
        rules=Rules(duration_minutes=30),
        now=NOW,
        zone=TORONTO,
        start=toronto(2026, 12, 7),
        end=toronto(2026, 12, 8),
    )
    assert f"{found[0][0]:%H:%M}" == "08:00"


# --- Every path a patient takes -------------------------------------------------------------------


@pytest.mark.django_db
def test_open_times_start_at_eight_and_the_closed_saturday_offers_none():
    clinic, _person, _service = early_clinic()
    slots = open_times_list(clinic=clinic, start=toronto(2026, 12, 7), end=toronto(2026, 12, 13), now=NOW)
    starts = hhmm(s.start for s in slots)
    assert starts[0] == "Mon 08:00"
    assert not [s for s in starts if s.endswith("07:00") or s.endswith("07:30") or s.startswith("Sat")]


@pytest.mark.django_db
def test_booking_refuses_seven_and_takes_eight():
    _clinic, person, service = early_clinic()
    assert not slot_is_open(practitioner=person, service=service, start=toronto(2026, 12, 7, 7, 0), now=NOW)
    assert slot_is_open(practitioner=person, service=service, start=toronto(2026, 12, 7, 8, 0), now=NOW)


@pytest.mark.django_db
def test_searchs_next_times_agree_with_the_engine_and_start_at_eight():
    clinic, _person, _service = early_clinic()
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    cached = next_open_times_for_clinics(clinic_ids=[clinic.pk], now=NOW, count=5)[clinic.pk]
    live = open_times_list(clinic=clinic, start=NOW, end=NOW + timedelta(days=7), now=NOW)
    assert hhmm(cached) == ["Mon 08:00", "Mon 08:15", "Mon 08:30", "Mon 08:45", "Mon 09:00"]
    assert cached == sorted({s.start for s in live})[:5]


@pytest.mark.django_db
def test_the_clinic_pages_week_has_no_seven_oclock_button(client):
    clinic, _person, _service = early_clinic()

    def link(start):
        return f"start={quote(start.isoformat(), safe='')}"

    with time_machine.travel(NOW, tick=False):
        html = client.get(f"/clinics/{clinic.city.slug}/{clinic.slug}/", {"week": "2026-12-07"}).content.decode()
    assert link(toronto(2026, 12, 7, 8, 0)) in html
    assert link(toronto(2026, 12, 7, 7, 0)) not in html
    assert link(toronto(2026, 12, 12, 9, 0)) not in html  # Saturday: the clinic says it is closed


@pytest.mark.django_db
def test_the_api_answers_no_time_before_the_clinic_opens(client):
    clinic, _person, _service = early_clinic()
    with time_machine.travel(NOW, tick=False):
        body = client.get(f"/api/v1/clinics/{clinic.pk}/availability", {"start": "2026-12-07", "end": "2026-12-12"})
    assert body.status_code == 200
    starts = [item["start"] for item in body.json()["items"]]
    assert starts[0] == "2026-12-07T08:00:00-05:00"
    assert not [s for s in starts if "T07:" in s or s.startswith("2026-12-12")]


@pytest.mark.django_db
def test_an_extra_opening_the_clinic_posts_on_a_closed_day_is_still_offered():
    clinic, person, _service = early_clinic()
    PostedOpening.objects.create(practitioner=person, start=toronto(2026, 12, 12, 10), end=toronto(2026, 12, 12, 11))
    slots = open_times_list(clinic=clinic, start=toronto(2026, 12, 12), end=toronto(2026, 12, 13), now=NOW)
    assert hhmm(s.start for s in slots) == ["Sat 10:00", "Sat 10:15", "Sat 10:30"]


# --- DST days -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "offset"),
    [((2027, 3, 14), "-04:00"), ((2026, 11, 1), "-05:00")],
    ids=["spring-forward", "fall-back"],
)
def test_a_dst_sunday_opens_at_the_posted_wall_clock_time(day, offset):
    clinic, _people, _service = make_open_clinic(blocks=(("07:00", "12:00"),), days=(6,))
    post_hours(clinic, [(6, time(9), time(12))])
    now = toronto(*day) - timedelta(days=1)
    slots = open_times_list(clinic=clinic, start=toronto(*day), end=toronto(*day) + timedelta(days=1), now=now)
    assert slots[0].start.isoformat() == f"{day[0]}-{day[1]:02d}-{day[2]:02d}T09:00:00{offset}"
    assert slots[-1].start.isoformat() == f"{day[0]}-{day[1]:02d}-{day[2]:02d}T11:30:00{offset}"


@pytest.mark.django_db
def test_night_hours_across_spring_forward_skip_the_missing_hour_and_stop_at_closing():
    clinic, _people, _service = make_open_clinic(blocks=(("00:00", "06:00"),), days=(6,))
    post_hours(clinic, [(6, time(1), time(4))])
    day = local("America/Toronto", 2027, 3, 14)
    slots = open_times_list(clinic=clinic, start=day, end=day + timedelta(hours=23), now=day - timedelta(days=1))
    # 01:45 EST + 30 minutes is 03:15 EDT: half an hour of real time, inside the posted night.
    assert [f"{s.start:%H:%M}" for s in slots] == ["01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30"]


# --- The demo -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_practitioners_work_within_their_clinics_posted_hours_and_the_cache_agrees():
    from clinics.testing import make_clinic, make_practitioner, make_service
    from demo.schedules import schedules_generate
    from scheduling.models import NextOpenTime, WorkingHours

    ids = []
    for _ in range(6):
        clinic = make_clinic()
        post_hours(clinic, [(d, time(9), time(18)) for d in range(5)])
        people = [make_practitioner(clinic=clinic) for _ in range(3)]
        make_service(clinic=clinic, practitioners=people, duration_minutes=30)
        ids.append(clinic.pk)

    def cached():
        return sorted(NextOpenTime.objects.values_list("practitioner_id", "service_id", "start", "rank"))

    moment = toronto(2026, 12, 2, 9, 7)
    with time_machine.travel(moment, tick=False):
        schedules_generate(clinic_ids=ids, seed=5)
        generated = cached()
        next_open_times_refresh(clinic_ids=ids, now=moment)
    hours = list(WorkingHours.objects.all())
    assert hours and all(h.weekday < 5 and time(9) <= h.start_time < h.end_time <= time(18) for h in hours)
    for opening in PostedOpening.objects.select_related("practitioner__clinic"):
        zone = ZoneInfo(opening.practitioner.clinic.time_zone)
        start, end = opening.start.astimezone(zone), opening.end.astimezone(zone)
        assert start.weekday() < 5 and time(9) <= start.time() and end.time() <= time(18)
    assert generated and cached() == generated
