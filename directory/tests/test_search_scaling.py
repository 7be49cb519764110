"""Search paths whose cost must follow the page, not the clinics of a dense area (issue 11: 50,000 vs 10,000).

Each path is checked against a brute-force reference on a small network (same page, same count), and where
the database allows it, for the work it does: SQLite's virtual-machine steps, which grow with the rows read.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinics.geo import distance_km
from clinics.models import Clinic, NetworkStatus
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from directory import selectors
from directory.search import SearchParams
from directory.selectors import clinic_search
from scheduling import search as scheduling_search
from scheduling.cache import next_open_times_refresh
from scheduling.models import BookingRules, NextOpenTime
from scheduling.testing import make_hours, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 3, 2, 8, 0)  # a Monday
CENTRE = (43.6532, -79.3832)


def around(rng: random.Random, km: float) -> tuple[float, float]:
    return CENTRE[0] + rng.uniform(-km, km) / 111.2, CENTRE[1] + rng.uniform(-km, km) / 80.5


# --- by score -----------------------------------------------------------------------------------------------


@pytest.fixture
def scored():
    """40 clinics within ~35 km: scores from a few values and none, some at the very same spot, some out of
    the network or too far."""
    rng = random.Random(11)
    city = make_city()
    twins = around(rng, 10)
    clinics = []
    for n in range(40):
        lat, lng = twins if n % 7 == 0 else around(rng, 35)
        clinics.append(
            make_clinic(
                city=city,
                name=f"Clinic {rng.choice('ABC')}{n:02}",
                latitude=lat,
                longitude=lng,
                inspection_score=rng.choice([None, 70, 85, 85, 92, 92, 99]),
                network_status=NetworkStatus.SUSPENDED if n % 9 == 4 else NetworkStatus.IN_NETWORK,
            )
        )
    return clinics


def by_score_reference(clinics: list[Clinic], radius_km: float) -> list[int]:
    listed = [c for c in clinics if c.network_status == NetworkStatus.IN_NETWORK]
    near = [(c, distance_km(CENTRE, (c.latitude, c.longitude))) for c in listed]
    near = [(c, km) for c, km in near if km <= radius_km]
    ordered = sorted(
        near,
        key=lambda pair: (
            pair[0].inspection_score is None,
            -(pair[0].inspection_score or 0),
            pair[1],
            pair[0].name,
            pair[0].pk,
        ),
    )
    return [c.pk for c, _km in ordered]


def test_by_score_pages_are_the_brute_force_order(scored):
    expected = by_score_reference(scored, 25)
    assert 10 < len(expected) < 40  # some are too far or out of the network
    pages = []
    for page in range(1, -(-len(expected) // 7) + 1):
        params = SearchParams(lat=CENTRE[0], lng=CENTRE[1], radius_km=25, sort="score", page=page, page_size=7)
        found = clinic_search(params=params, now=NOW)
        assert found.count == len(expected)
        pages += [hit.clinic.pk for hit in found.items]
    assert pages == expected


def _vm_steps(run) -> int:
    """SQLite virtual-machine steps (in hundreds) while ``run()`` runs: they grow with the rows a query reads."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    connection.ensure_connection()
    connection.connection.set_progress_handler(count, 100)
    try:
        run()
    finally:
        connection.connection.set_progress_handler(None, 100)
    return steps[0]


@pytest.mark.sqlite
@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's virtual-machine steps")
def test_by_score_reads_the_page_not_every_clinic_of_a_dense_circle():
    city = make_city()
    rng = random.Random(5)
    for n in range(30):
        lat, lng = around(rng, 15)
        make_clinic(city=city, name=f"Best {n:02}", latitude=lat, longitude=lng, inspection_score=95 + n % 5)
    params = SearchParams(lat=CENTRE[0], lng=CENTRE[1], radius_km=25, sort="score")

    def page() -> None:
        clinic_search(params=params, now=NOW)

    def crowd(n: int) -> None:
        lat_lngs = [around(rng, 15) for _ in range(n)]
        Clinic.objects.bulk_create(
            Clinic(
                city=city,
                name=f"Other {n}-{i:04}",
                slug=f"other-{n}-{i}",
                address="1 King Street West",
                postal_code="M5H 1A1",
                province=city.province,
                latitude=lat,
                longitude=lng,
                time_zone=city.time_zone,
                phone="+14165550100",
                network_status=NetworkStatus.IN_NETWORK,
                inspection_score=50,
            )
            for i, (lat, lng) in enumerate(lat_lngs)
        )

    # Past the count's cap (it reads up to 1,001 of the circle's clinics, whatever their number), then three
    # times as many: only an order that sorts the whole circle costs more.
    crowd(1_100)
    page()  # warm
    dense = _vm_steps(page)
    crowd(2_200)
    page()
    denser = _vm_steps(page)
    # Sorting the whole circle (the box index, a table lookup per clinic) made this 2.3x.
    assert denser < 1.2 * dense, (dense, denser)


# --- soonest first, with an availability filter -------------------------------------------------------------


@pytest.fixture
def openings():
    """Twelve clinics near the centre, each open on one weekday at its own hour: Monday (today) to Wednesday."""
    rng = random.Random(3)
    zone_city = make_city(time_zone="America/Toronto")
    clinics = []
    for n in range(12):
        lat, lng = around(rng, 10)
        clinic = make_clinic(city=zone_city, name=f"Open {n:02}", latitude=lat, longitude=lng)
        person = make_practitioner(clinic=clinic)
        hour = 9 + n % 8
        make_hours(person, days=(n % 3,), blocks=((f"{hour:02}:{n:02}", f"{hour + 1:02}:{n:02}"),))
        BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
        make_service(clinic=clinic, practitioners=[person])
        clinics.append(clinic)
    next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=NOW)
    return clinics


def soonest_reference(*, before) -> list[int]:
    """Clinics with a bookable time before ``before``, by their first one: straight from the stored rows."""
    first: dict[int, object] = {}
    for row in NextOpenTime.objects.filter(bookable_until__gte=NOW, start__lt=before).order_by("start", "clinic_id"):
        first.setdefault(row.clinic_id, row.start)
    return list(first)


@pytest.mark.parametrize("cap", [3, 1000])
@pytest.mark.parametrize(("filters", "before"), [({"within_days": 3}, 3), ({"available": "today"}, 0)])
def test_soonest_with_a_filter_pages_and_counts_as_the_brute_force(openings, monkeypatch, cap, filters, before):
    # A small area (at most SMALL_AREA) and a capped count, both read from the one read of the matches.
    monkeypatch.setattr(selectors, "COUNT_CAP", cap)
    monkeypatch.setattr(scheduling_search, "SMALL_AREA", 2)
    end = NOW.replace(hour=0, minute=0) + timedelta(days=1 + before) if before == 0 else NOW + timedelta(days=before)
    expected = soonest_reference(before=end)
    assert len(expected) > 2
    pages = []
    for page in range(1, -(-len(expected) // 2) + 1):
        params = SearchParams(
            lat=CENTRE[0], lng=CENTRE[1], radius_km=25, sort="soonest", page=page, page_size=2, **filters
        )
        found = clinic_search(params=params, now=NOW)
        assert (found.count, found.count_is_capped) == (min(len(expected), cap), len(expected) > cap)
        pages += [hit.clinic.pk for hit in found.items]
    assert pages == expected


def test_a_full_soonest_page_with_a_filter_reads_the_matches_once_and_counts_nothing_apart(openings):
    params = SearchParams(lat=CENTRE[0], lng=CENTRE[1], radius_km=25, sort="soonest", within_days=3, page_size=2)
    with CaptureQueriesContext(connection) as queries:
        page = clinic_search(params=params, now=NOW)
    assert len(page.items) == 2
    assert page.count == 12
    # A count apart (COUNT over up to 1,001) and the walk's own look at the area (up to 501) each tested every
    # clinic's filters again: a cost that grows with the clinics of a dense area.
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)
    assert not any("LIMIT 501" in q["sql"] for q in queries.captured_queries)
