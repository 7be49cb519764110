"""clinic_search: in-network clinics near a point, filtered, ordered and paged in the database."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from clinics.models import Clinic, Discipline, NetworkStatus
from clinics.testing import (
    make_city,
    make_clinic,
    make_insurer,
    make_language,
    make_practitioner,
    make_technique,
)
from directory.search import SearchParams
from directory.selectors import bounding_box, clinic_search
from scheduling.cache import next_open_times_refresh

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TORONTO = (43.6532, -79.3832)
# Great-circle distances from TORONTO, in km (haversine, R = 6371.0088).
MISSISSAUGA = (43.5890, -79.6441)  # ~22.2
HAMILTON = (43.2557, -79.8711)  # ~59.2
OTTAWA = (45.4215, -75.6972)  # ~352


def search(**params) -> list[str]:
    return [hit.clinic.name for hit in clinic_search(params=SearchParams(**params), now=NOW).items]


def clinic_at(point: tuple[float, float], name: str, **fields):
    return make_clinic(name=name, latitude=point[0], longitude=point[1], **fields)


@pytest.fixture
def ontario():
    city = make_city()
    return {
        name: make_clinic(city=city, name=name, latitude=lat, longitude=lng)
        for name, (lat, lng) in {
            "Hamilton": HAMILTON,
            "Ottawa": OTTAWA,
            "Mississauga": MISSISSAUGA,
            "Toronto": TORONTO,
        }.items()
    }


def test_it_finds_clinics_within_the_radius_nearest_first(ontario):
    assert search(lat=TORONTO[0], lng=TORONTO[1], radius_km=100) == ["Toronto", "Mississauga", "Hamilton"]


def test_it_reports_distances_in_kilometres(ontario):
    hits = clinic_search(params=SearchParams(lat=TORONTO[0], lng=TORONTO[1], radius_km=250), now=NOW).items
    distances = {hit.clinic.name: hit.distance_km for hit in hits}
    assert distances["Toronto"] == pytest.approx(0, abs=0.01)
    assert distances["Mississauga"] == pytest.approx(22.18, abs=0.01)
    assert distances["Hamilton"] == pytest.approx(59.20, abs=0.01)
    assert "Ottawa" not in distances  # ~352 km


def test_a_clinic_just_outside_the_radius_is_excluded(ontario):
    # Hamilton is 59.20 km away.
    assert "Hamilton" in search(lat=TORONTO[0], lng=TORONTO[1], radius_km=59.25)
    assert "Hamilton" not in search(lat=TORONTO[0], lng=TORONTO[1], radius_km=59.15)


def test_a_clinic_in_the_box_corner_but_outside_the_circle_is_excluded():
    lat, lng, radius = 50.0, -100.0, 10
    _south, _west, north, east = bounding_box(lat, lng, radius)
    make_clinic(name="Corner", latitude=north - 0.001, longitude=east - 0.001)
    make_clinic(name="Edge", latitude=lat, longitude=lng + (east - lng) * 0.95)
    assert search(lat=lat, lng=lng, radius_km=radius) == ["Edge"]


@pytest.mark.parametrize(
    ("place", "point", "east_km"),
    [("Iqaluit", (63.7467, -68.5170), 45), ("Yellowknife", (62.4540, -114.3718), 48), ("Alert", (82.5018, -62.35), 9)],
)
def test_it_works_at_high_latitudes_where_longitude_degrees_are_short(place, point, east_km):
    """Due east at ``east_km`` km is far more than east_km/111 degrees of longitude up north."""
    lat, lng = point
    dlng = math.degrees(east_km / (6371.0088 * math.cos(math.radians(lat))))
    make_clinic(name="East", latitude=lat, longitude=lng + dlng)
    make_clinic(name="Centre", latitude=lat, longitude=lng)
    make_clinic(name="Far", latitude=lat, longitude=lng + 2 * dlng)
    assert search(lat=lat, lng=lng, radius_km=east_km + 1) == ["Centre", "East"]
    assert search(lat=lat, lng=lng, radius_km=east_km - 1) == ["Centre"]


@pytest.mark.parametrize("point", [(63.7467, -68.5170), (82.5018, -62.35)])
def test_the_box_holds_the_circle_where_it_reaches_furthest_east(point):
    """On a sphere a circle is widest in longitude poleward of its centre, not at its latitude."""
    lat0, lng0 = point
    radius_km = 250
    angle = 0.999 * radius_km / 6371.0088
    lat = math.degrees(math.asin(math.sin(math.radians(lat0)) / math.cos(angle)))
    lng = lng0 + math.degrees(math.asin(math.sin(angle) / math.cos(math.radians(lat0))))
    make_clinic(name="Eastmost", latitude=lat, longitude=lng)
    assert search(lat=lat0, lng=lng0, radius_km=radius_km) == ["Eastmost"]


def test_the_bounding_box_covers_every_longitude_near_the_pole():
    assert bounding_box(89.95, 10.0, 50)[1::2] == (-180.0, 180.0)


def test_a_city_slug_searches_around_the_city_centre(ontario):
    make_city(slug="hamilton", latitude=HAMILTON[0], longitude=HAMILTON[1])
    assert search(city="hamilton", radius_km=45) == ["Hamilton", "Mississauga"]


def test_without_a_point_it_orders_by_score_then_name():
    make_clinic(name="B good", inspection_score=80)
    make_clinic(name="A good", inspection_score=80)
    make_clinic(name="Unscored", inspection_score=None)
    make_clinic(name="Best", inspection_score=98)
    page = clinic_search(params=SearchParams(), now=NOW)
    assert [hit.clinic.name for hit in page.items] == ["Best", "A good", "B good", "Unscored"]
    assert all(hit.distance_km is None for hit in page.items)
    assert page.center is None


def test_sort_by_score_puts_the_best_first_and_breaks_ties_by_distance(ontario):
    ontario["Hamilton"].inspection_score = 99
    ontario["Hamilton"].save()
    names = search(lat=TORONTO[0], lng=TORONTO[1], radius_km=100, sort="score")
    assert names == ["Hamilton", "Toronto", "Mississauga"]


def test_soonest_orders_like_distance_until_availability_exists(ontario):
    assert search(lat=TORONTO[0], lng=TORONTO[1], radius_km=100, sort="soonest") == [
        "Toronto",
        "Mississauga",
        "Hamilton",
    ]


def test_out_of_network_clinics_are_never_shown():
    make_clinic(name="Member")
    for status in (NetworkStatus.APPLICANT, NetworkStatus.SUSPENDED, NetworkStatus.REMOVED):
        make_clinic(name=str(status), network_status=status)
    assert search(lat=43.70011, lng=-79.4163) == ["Member"]
    assert search() == ["Member"]


def test_discipline_means_an_active_practitioner_of_it():
    physio = make_clinic(name="Physio")
    make_practitioner(clinic=physio, discipline=Discipline.PHYSIOTHERAPY)
    retired = make_clinic(name="Retired chiro")
    make_practitioner(clinic=retired, discipline=Discipline.CHIROPRACTIC, is_active=False)
    chiro = make_clinic(name="Chiro")
    make_practitioner(clinic=chiro, discipline=Discipline.CHIROPRACTIC)
    make_practitioner(clinic=chiro, discipline=Discipline.CHIROPRACTIC)  # two of them: still one result
    assert search(discipline="chiropractic") == ["Chiro"]
    assert search(discipline="physiotherapy") == ["Physio"]


def test_technique_means_an_active_practitioner_doing_it():
    needling = make_technique()
    clinic = make_clinic(name="Needles")
    make_practitioner(clinic=clinic).techniques.add(needling)
    make_clinic(name="None")
    retired = make_clinic(name="Retired needler")
    make_practitioner(clinic=retired, is_active=False).techniques.add(needling)
    assert search(technique="dry-needling") == ["Needles"]


def test_discipline_and_technique_must_belong_to_the_same_practitioner():
    needling = make_technique()
    mixed = make_clinic(name="Mixed")
    make_practitioner(clinic=mixed, discipline=Discipline.CHIROPRACTIC).techniques.add(needling)
    make_practitioner(clinic=mixed, discipline=Discipline.PHYSIOTHERAPY)
    physio = make_clinic(name="Needling physio")
    make_practitioner(clinic=physio, discipline=Discipline.PHYSIOTHERAPY).techniques.add(needling)
    assert search(discipline="physiotherapy", technique="dry-needling") == ["Needling physio"]


def test_technique_language_and_discipline_must_all_belong_to_one_practitioner():
    french, art = make_language("fr", "French", "Français"), make_technique("art", "Active Release", "Active Release")
    split = make_clinic(name="Split")  # one does Active Release, another speaks French
    make_practitioner(clinic=split).techniques.add(art)
    make_practitioner(clinic=split).languages.add(french)
    desk_only = make_clinic(name="French front desk")  # the clinic lists French, its practitioner does not
    desk_only.languages.add(french)
    make_practitioner(clinic=desk_only).techniques.add(art)
    one = make_clinic(name="One person")
    person = make_practitioner(clinic=one)
    person.techniques.add(art)
    person.languages.add(french)
    assert search(technique="art", language="fr") == ["One person"]
    assert search(technique="art", language="fr", discipline="physiotherapy") == ["One person"]
    assert search(technique="art", language="fr", discipline="chiropractic") == []
    assert search(language="fr") == ["One person", "Split"]


def test_language_insurer_and_accessibility_filters():
    french, sun_life = make_language("fr", "French", "Français"), make_insurer()
    both = make_clinic(name="Both", wheelchair_accessible=True)
    make_practitioner(clinic=both).languages.add(french)
    both.insurers.add(sun_life)
    only_french = make_clinic(name="French only")
    make_practitioner(clinic=only_french).languages.add(french)
    make_clinic(name="Plain")
    assert search(language="fr") == ["Both", "French only"]
    assert search(insurer="sun-life") == ["Both"]
    assert search(accessible=True) == ["Both"]
    assert search(language="fr", insurer="sun-life", accessible=True) == ["Both"]


def test_filters_combine_with_the_radius(ontario):
    french = make_language("fr", "French", "Français")
    make_practitioner(clinic=ontario["Ottawa"]).languages.add(french)
    make_practitioner(clinic=ontario["Hamilton"]).languages.add(french)
    assert search(lat=TORONTO[0], lng=TORONTO[1], radius_km=100, language="fr") == ["Hamilton"]
    assert search(lat=OTTAWA[0], lng=OTTAWA[1], radius_km=100, language="fr") == ["Ottawa"]


def test_pages_do_not_overlap_and_count_every_match():
    city = make_city()
    for n in range(7):
        make_clinic(city=city, name=f"Clinic {n}", latitude=45.0 + n * 0.01, longitude=-75.0)
    make_clinic(city=city, name="Far away", latitude=49.0, longitude=-75.0)
    pages = [
        clinic_search(params=SearchParams(lat=45.0, lng=-75.0, radius_km=50, page=p, page_size=3), now=NOW)
        for p in (1, 2, 3)
    ]
    assert [p.count for p in pages] == [7, 7, 7]
    assert pages[0].pages == 3
    names = [hit.clinic.name for p in pages for hit in p.items]
    assert names == [f"Clinic {n}" for n in range(7)]


def test_hits_list_disciplines_techniques_and_languages_of_active_practitioners():
    clinic = make_clinic()
    clinic.languages.add(make_language("fr", "French", "Français"), make_language("en"))
    graston = make_technique("graston", "Graston", "Graston")
    make_practitioner(clinic=clinic, discipline=Discipline.MASSAGE_THERAPY).techniques.add(graston)
    make_practitioner(clinic=clinic, discipline=Discipline.PHYSIOTHERAPY).techniques.add(make_technique())
    make_practitioner(clinic=clinic, discipline=Discipline.CHIROPRACTIC, is_active=False).techniques.add(
        make_technique("art", "Active Release", "Active Release")
    )
    (hit,) = clinic_search(params=SearchParams(), now=NOW).items
    assert hit.disciplines == ["massage_therapy", "physiotherapy"]
    assert hit.techniques == ["dry-needling", "graston"]
    assert hit.languages == ["en", "fr"]
    assert hit.next_available is None
    assert hit.next_times == []


@pytest.mark.parametrize("page_size", [2, 12])
def test_the_number_of_queries_does_not_grow_with_the_page(page_size, django_assert_max_num_queries):
    french, needling, sun_life = make_language("fr", "French", "Français"), make_technique(), make_insurer()
    city = make_city()
    for _ in range(page_size):
        clinic = make_clinic(city=city)
        clinic.languages.add(french)
        clinic.insurers.add(sun_life)
        make_practitioner(clinic=clinic).techniques.add(needling)
        make_practitioner(clinic=clinic, discipline=Discipline.CHIROPRACTIC)
    params = SearchParams(lat=city.latitude, lng=city.longitude, discipline="physiotherapy", page_size=page_size)
    next_open_times_refresh(clinic_ids=list(Clinic.objects.values_list("pk", flat=True)), now=NOW)
    # ids (up to three growing circles within 25 km), the count, freshness, the shown times (one query), the
    # clinics' rows, and in one query their practitioners (disciplines, techniques, names), languages and insurers
    with django_assert_max_num_queries(8):
        page = clinic_search(params=params, now=NOW)
        assert len(page.items) == page_size
        assert all(hit.techniques == ["dry-needling"] for hit in page.items)


def test_nearest_first_pages_are_right_whichever_circle_serves_them():
    # 100 km: circles of 12.5, 50 and 100 km. Page 1 (one clinic) is found in the smallest,
    # page 2 needs the middle one, page 3 the whole radius.
    city = make_city()
    for name, km in {"Near": 3, "Middle": 30, "Far": 90, "Beyond": 120}.items():
        make_clinic(city=city, name=name, latitude=TORONTO[0] + km / 111.2, longitude=TORONTO[1])
    pages = [
        clinic_search(params=SearchParams(lat=TORONTO[0], lng=TORONTO[1], radius_km=100, page=p, page_size=1), now=NOW)
        for p in (1, 2, 3)
    ]
    assert [hit.clinic.name for page in pages for hit in page.items] == ["Near", "Middle", "Far"]
    assert [page.count for page in pages] == [3, 3, 3]
    assert pages[1].items[0].distance_km == pytest.approx(30, abs=0.1)


def test_soonest_without_a_point_puts_clinics_without_times_in_score_order():
    make_clinic(name="Good", inspection_score=80)
    make_clinic(name="Best", inspection_score=95)
    assert search(sort="soonest") == ["Best", "Good"]
