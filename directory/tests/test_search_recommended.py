"""The recommended order (directory/recommended.py): distance, soonest open time, a bounded boost from quality.

A fixed clock: Monday 2 March 2026, 8:00 in Toronto. Next openings are computed for that moment by the
availability engine; the search only reads them.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from clinics.models import Clinic
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from directory import recommended
from directory.search import SearchParams
from directory.selectors import clinic_params_parse, clinic_search
from quality.models import ClinicRating
from scheduling.cache import next_open_times_refresh
from scheduling.models import BookingRules
from scheduling.testing import make_hours, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 3, 2, 8, 0)  # a Monday
CENTRE = (43.6532, -79.3832)
_SERIAL = itertools.count()
KM_NORTH = 1 / 111.2  # degrees of latitude per km (close enough here: the tests keep margins)


@pytest.fixture
def city():
    return make_city(name="Toronto", slug="toronto", latitude=CENTRE[0], longitude=CENTRE[1])


def clinic(city, name, *, north_km, score=None, adjusted=None, days=(0, 1, 2, 3, 4)):
    """A clinic ``north_km`` north of CENTRE, open 9-12 and 13-17 on ``days`` (none: nothing open)."""
    made = make_clinic(
        city=city,
        name=name,
        slug=f"{name.lower().replace(' ', '-')}-{next(_SERIAL)}",
        latitude=CENTRE[0] + north_km * KM_NORTH,
        longitude=CENTRE[1],
        inspection_score=score,
    )
    person = make_practitioner(clinic=made)
    if days:
        make_hours(person, days=days)
    BookingRules.objects.create(clinic=made, min_notice_minutes=0)
    make_service(clinic=made, practitioners=[person])
    if adjusted is not None:
        ClinicRating.objects.create(
            clinic=made, count=40, mean=Decimal(adjusted), adjusted=Decimal(adjusted), updated_at=NOW
        )
    return made


def _refresh():
    next_open_times_refresh(clinic_ids=list(Clinic.objects.values_list("pk", flat=True)), now=NOW)


def recommended_names(**params):
    _refresh()
    page = clinic_search(
        params=SearchParams(lat=CENTRE[0], lng=CENTRE[1], radius_km=25, sort="recommended", **params), now=NOW
    )
    return [hit.clinic.name for hit in page.items]


def test_a_slightly_farther_clinic_with_a_high_score_comes_before_a_near_one_with_a_poor_score(city):
    clinic(city, "Near poor", north_km=1.0, score=40, adjusted="3.00")
    clinic(city, "Farther good", north_km=2.0, score=95, adjusted="4.80")
    assert recommended_names() == ["Farther good", "Near poor"]


def test_the_boost_is_bounded_so_a_far_clinic_never_beats_a_near_one_by_score_alone(city):
    # The best score and rating there are, BOOST_MAX_KM + 0.5 km farther, against no score and the lowest rating.
    clinic(city, "Near unscored", north_km=0.5, score=None, adjusted="1.00")
    clinic(city, "Far perfect", north_km=1.0 + recommended.BOOST_MAX_KM, score=100, adjusted="5.00")
    assert recommended_names() == ["Near unscored", "Far perfect"]


def test_the_sooner_open_time_comes_first_at_the_same_distance_and_quality(city):
    clinic(city, "Opens Friday", north_km=1.0, score=80, adjusted="4.50", days=(4,))
    clinic(city, "Opens today", north_km=1.0, score=80, adjusted="4.50")
    clinic(city, "Nothing open", north_km=1.0, score=80, adjusted="4.50", days=())
    assert recommended_names() == ["Opens today", "Opens Friday", "Nothing open"]


def test_a_week_of_waiting_outweighs_a_few_kilometres(city):
    clinic(city, "Near on Sunday", north_km=0.5, score=80, days=(6,))  # next open: Sunday 9:00, six days on
    clinic(city, "Farther today", north_km=4.0, score=80)  # today 9:00, an hour on
    assert recommended_names() == ["Farther today", "Near on Sunday"]


def test_ties_end_on_name_then_id_so_pages_never_overlap(city):
    for name in ["Bravo", "Alpha", "Charlie", "Alpha"]:
        clinic(city, name, north_km=1.0, score=70, adjusted="4.20", days=())
    names = recommended_names()
    assert names == ["Alpha", "Alpha", "Bravo", "Charlie"]
    _refresh()
    pages = [
        clinic_search(
            params=SearchParams(lat=CENTRE[0], lng=CENTRE[1], sort="recommended", page=page, page_size=1), now=NOW
        ).items[0]
        for page in (1, 2, 3, 4)
    ]
    assert len({hit.clinic.pk for hit in pages}) == 4
    assert [hit.clinic.pk for hit in pages[:2]] == sorted(hit.clinic.pk for hit in pages[:2])


def test_a_clinic_without_reviews_counts_as_the_network_mean(city):
    assert recommended.quality_of(score=50, adjusted=None) == recommended.quality_of(score=50, adjusted=Decimal("4.20"))
    clinic(city, "No reviews", north_km=1.0, score=70)
    clinic(city, "Rated below the mean", north_km=1.0, score=70, adjusted="3.50")
    assert recommended_names() == ["No reviews", "Rated below the mean"]


def test_the_page_is_the_same_whatever_circle_found_it(city):
    # Sparse clinics far apart: the first circle (6 km) holds too few, so the search looks wider.
    for n in range(8):
        clinic(city, f"Clinic {n}", north_km=1.0 + 3.1 * n, score=(n * 37) % 100, adjusted=f"{3 + (n % 3) * 0.7:.2f}")
    names = recommended_names(page_size=5)
    expected = sorted(
        (
            recommended.cost_km(
                distance_km=1.0 + 3.1 * n,
                wait_days=1 / 24,
                score=(n * 37) % 100,
                adjusted=Decimal(f"{3 + (n % 3) * 0.7:.2f}"),
            ),
            f"Clinic {n}",
        )
        for n in range(8)
    )
    assert names == [name for _cost, name in expected[:5]]


def test_it_is_the_default_when_the_patient_has_not_chosen_a_sort(client, city):
    assert clinic_params_parse({"lat": "43.6", "lng": "-79.3"}).sort == "recommended"
    clinic(city, "Near poor", north_km=1.0, score=40, adjusted="3.00")
    clinic(city, "Farther good", north_km=2.0, score=95, adjusted="4.80")
    _refresh()
    body = client.get("/api/v1/clinics", {"lat": CENTRE[0], "lng": CENTRE[1]}).json()
    assert [item["name"] for item in body["items"]] == ["Farther good", "Near poor"]
    nearest = client.get("/api/v1/clinics", {"lat": CENTRE[0], "lng": CENTRE[1], "sort": "distance"}).json()
    assert [item["name"] for item in nearest["items"]] == ["Near poor", "Farther good"]


def test_the_search_page_offers_it_selected_by_default(client, city):
    response = client.get("/search/", {"city": "toronto"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="recommended" selected>' in html


def test_the_openapi_document_lists_it_in_the_sort_enum(client):
    document = client.get("/api/v1/openapi.json").json()
    (sort,) = [p for p in document["paths"]["/api/v1/clinics"]["get"]["parameters"] if p["name"] == "sort"]
    assert sort["schema"]["enum"][0] == "recommended"


def test_the_page_costs_no_query_per_clinic(city, django_assert_max_num_queries):
    for n in range(30):
        clinic(city, f"Clinic {n}", north_km=0.1 * n, score=n * 3, adjusted="4.00")
    _refresh()
    # The search's nine, one for the order's floors, two for its second circle: 30 clinics, never 30 queries.
    with django_assert_max_num_queries(12):
        page = clinic_search(params=SearchParams(lat=CENTRE[0], lng=CENTRE[1], sort="recommended"), now=NOW)
    assert len(page.items) == 20


def test_a_well_scored_clinic_just_outside_the_first_circle_still_comes_first(city):
    # The first circle holds a full page (one clinic, 5 km), but a clinic at 6.5 km costs 3 km less once boosted:
    # the page is final only when its last cost is below the circle's radius less the largest boost.
    clinic(city, "Inside poor", north_km=5.0, score=0, adjusted="1.00")
    clinic(city, "Outside perfect", north_km=6.5, score=100, adjusted="5.00")
    assert recommended_names(page_size=1) == ["Outside perfect"]


@pytest.mark.parametrize("page_size", [2, 5])
def test_clinics_whose_floor_is_lowest_still_give_way_to_cheaper_ones(city, page_size):
    # The circle is read by floor first (distance less the boost, no wait): the five lowest are near, perfect and
    # have nothing open, so they cost 11 km more than their floor. The page must still be the farther clinics open
    # today, exactly as costing every clinic orders them.
    for n in range(6):
        clinic(city, f"Near closed {n}", north_km=0.5 + 0.1 * n, score=100, adjusted="5.00", days=())
    for n in range(6):
        clinic(city, f"Farther today {n}", north_km=2.0 + 0.3 * n, score=50, adjusted="4.00")
    # A page of 2 costs only the six lowest floors first (all "Near closed"): the rest must still be looked at.
    names = recommended_names(page_size=page_size)
    expected = sorted(
        [
            (recommended.cost_km(distance_km=0.5 + 0.1 * n, wait_days=None, score=100, adjusted=Decimal("5.00")), name)
            for n, name in enumerate(f"Near closed {n}" for n in range(6))
        ]
        + [
            (recommended.cost_km(distance_km=2.0 + 0.3 * n, wait_days=1 / 24, score=50, adjusted=Decimal("4.00")), name)
            for n, name in enumerate(f"Farther today {n}" for n in range(6))
        ]
    )
    assert names == [name for _cost, name in expected[:page_size]]
    assert all(name.startswith("Farther today") for name in names)


def test_a_circle_that_is_the_whole_radius_still_costs_every_clinic_that_may_come_first(city):
    # Within 2 km (the first circle is the whole radius, so it is final at once), a page of 2 costs the six lowest
    # floors first: all "Near closed", nothing open. Clinics read past them may cost less, and do.
    for n in range(6):
        clinic(city, f"Near closed {n}", north_km=0.3 + 0.1 * n, score=100, adjusted="5.00", days=())
    for n in range(3):
        clinic(city, f"Farther today {n}", north_km=1.2 + 0.2 * n, score=50, adjusted="4.00")
    _refresh()
    page = clinic_search(
        params=SearchParams(lat=CENTRE[0], lng=CENTRE[1], radius_km=2, sort="recommended", page_size=2), now=NOW
    )
    assert [hit.clinic.name for hit in page.items] == ["Farther today 0", "Farther today 1"]
