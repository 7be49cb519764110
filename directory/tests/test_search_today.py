"""'Available today' late in the day, in the zones whose clocks differ most (St. John's, Halifax, Regina).

Fixed clocks. Each clinic's one practitioner works 9-12 and 22:00-23:45 on weekdays, a 30-minute service
every 15 minutes, no notice: the day's last start is 23:15 on the clinic's own clock.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinics.models import ServiceKind
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from directory import selectors
from directory.search import SearchParams
from directory.selectors import clinic_search
from scheduling.cache import next_open_times_refresh
from scheduling.models import BookingRules
from scheduling.testing import local, make_hours, toronto

pytestmark = pytest.mark.django_db

ZONES = {
    "America/St_Johns": ("NL", 47.56, -52.71),
    "America/Halifax": ("NS", 44.65, -63.58),
    "America/Regina": ("SK", 50.45, -104.61),
}


def evening_clinic(zone: str):
    province, lat, lng = ZONES[zone]
    city = make_city(name=zone.split("/")[1], name_fr=zone.split("/")[1], province=province, time_zone=zone)
    clinic = make_clinic(city=city, latitude=lat, longitude=lng)
    person = make_practitioner(clinic=clinic)
    make_hours(person, days=(0, 1, 2, 3, 4), blocks=(("09:00", "12:00"), ("22:00", "23:45")))
    BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
    make_service(clinic=clinic, practitioners=[person], kind=ServiceKind.TREATMENT)
    return clinic


def near(clinic, now, **params):
    return clinic_search(
        params=SearchParams(lat=clinic.latitude, lng=clinic.longitude, radius_km=25, **params), now=now
    )


@pytest.mark.parametrize("zone", list(ZONES))
def test_at_23_local_the_evenings_last_times_are_today(zone):
    clinic = evening_clinic(zone)
    others = [evening_clinic(other) for other in ZONES if other != zone]
    now = local(zone, 2026, 12, 7, 23, 0)  # Monday, 23:00 on the clinic's clock
    next_open_times_refresh(clinic_ids=[clinic.pk, *(c.pk for c in others)], now=now)
    for sort in ("soonest", "distance"):
        page = near(clinic, now, available="today", sort=sort)
        assert [hit.clinic for hit in page.items] == [clinic]
        assert page.count == 1
        assert page.items[0].next_available == local(zone, 2026, 12, 7, 23, 0)
        assert [t.start for t in page.items[0].next_times] == [local(zone, 2026, 12, 7, 23, m) for m in (0, 15)] + [
            local(zone, 2026, 12, 8, 9, 0)
        ]


@pytest.mark.parametrize("zone", list(ZONES))
def test_after_the_days_last_start_nothing_is_left_today_but_tomorrow_is_within_a_day(zone):
    clinic = evening_clinic(zone)
    now = local(zone, 2026, 12, 7, 23, 16)
    next_open_times_refresh(clinic_ids=[clinic.pk], now=now)
    for sort in ("soonest", "distance"):
        empty = near(clinic, now, available="today", sort=sort)
        assert (empty.items, empty.count) == ([], 0)
    tomorrow = near(clinic, now, within_days=1, sort="soonest")
    assert tomorrow.items[0].next_available == local(zone, 2026, 12, 8, 9, 0)


def _recorded_walk_bounds(monkeypatch) -> list:
    bounds = []
    walk = selectors.soonest_clinics  # type: ignore[attr-defined]  # the name the selector calls, patched below

    def recording_walk(**kwargs):
        bounds.append(kwargs["before"])
        return walk(**kwargs)

    monkeypatch.setattr(selectors, "soonest_clinics", recording_walk)
    return bounds


def test_the_walk_stops_at_the_end_of_today_in_the_searched_clinics_zone_not_a_day_later(monkeypatch):
    """At 21:00 in Toronto a search around Halifax reads times up to Halifax's midnight, not Regina's.

    A bound of 25 hours had the evening's walk read all of tomorrow's times, nationwide, to answer "none"; the
    country's latest midnight (just after midnight in St. John's, a day away) had it read the next day's."""
    clinics = [evening_clinic(zone) for zone in ZONES]
    now = toronto(2026, 12, 7, 21, 0)
    next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=now)
    bounds = _recorded_walk_bounds(monkeypatch)
    halifax = clinics[1]
    page = near(halifax, now, available="today", sort="soonest")  # 23:00 in Halifax: 23:00 and 23:15 are left
    assert [hit.clinic for hit in page.items] == [halifax]
    assert bounds == [local("America/Halifax", 2026, 12, 8, 0, 0)]


def test_without_a_place_the_walk_stops_at_the_latest_end_of_today_in_any_zone(monkeypatch):
    clinics = [evening_clinic(zone) for zone in ZONES]
    now = toronto(2026, 12, 7, 21, 0)
    next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=now)
    bounds = _recorded_walk_bounds(monkeypatch)
    page = clinic_search(params=SearchParams(available="today", sort="soonest"), now=now)
    assert clinics[1] in [hit.clinic for hit in page.items]
    assert bounds == [local("America/Regina", 2026, 12, 8, 0, 0)]


def test_an_empty_evening_answer_is_two_queries_and_counts_nothing():
    clinics = [evening_clinic(zone) for zone in ZONES]
    now = local("America/Regina", 2026, 12, 7, 23, 16)
    next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=now)
    regina = clinics[-1]
    with CaptureQueriesContext(connection) as queries:
        page = near(regina, now, available="today", sort="soonest")
    assert page.count == 0
    # the zones' cities, then the area's matches (none: no walk); no count, which would test every clinic again
    assert len(queries.captured_queries) == 2
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)


def test_a_short_soonest_page_of_today_counts_what_the_walk_found():
    city = make_city(time_zone="America/Toronto")
    clinics = []
    for hour in (9, 10, 11):
        clinic = make_clinic(city=city, latitude=city.latitude + hour / 1000)
        person = make_practitioner(clinic=clinic)
        make_hours(person, days=(0,), blocks=((f"{hour:02}:00", f"{hour:02}:30"),))
        BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
        make_service(clinic=clinic, practitioners=[person])
        clinics.append(clinic)
    now = toronto(2026, 12, 7, 8, 0)  # Monday
    next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=now)
    params: dict[str, Any] = {
        "lat": city.latitude,
        "lng": city.longitude,
        "radius_km": 25,
        "available": "today",
        "sort": "soonest",
    }
    pages = [clinic_search(params=SearchParams(**params, page=n, page_size=2), now=now) for n in (1, 2)]
    assert [[hit.clinic for hit in page.items] for page in pages] == [clinics[:2], clinics[2:]]
    assert [page.count for page in pages] == [3, 3]
    assert [page.pages for page in pages] == [2, 2]
