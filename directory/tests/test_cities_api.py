"""GET /api/v1/cities: the search box's autocomplete."""

from __future__ import annotations

import pytest

from clinics.models import NetworkStatus
from clinics.testing import make_city, make_clinic

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities():
    return {
        "montreal": make_city(
            name="Montreal", name_fr="Montréal", slug="montreal", province="QC", population=1_760_000
        ),
        "mont-royal": make_city(
            name="Mount Royal", name_fr="Mont-Royal", slug="mont-royal", province="QC", population=20_000
        ),
        "toronto": make_city(slug="toronto", population=2_730_000),
        "mont-tremblant": make_city(
            name="Mont-Tremblant", name_fr="Mont-Tremblant", slug="mont-tremblant", province="QC", population=10_000
        ),
        "moncton": make_city(name="Moncton", name_fr="Moncton", slug="moncton", province="NB", population=79_000),
    }


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [city["slug"] for city in response.json()]


def test_it_matches_the_start_of_a_name_biggest_first(client, cities):
    assert slugs(client.get("/api/v1/cities", {"q": "mont"})) == ["montreal", "mont-royal", "mont-tremblant"]


def test_accents_and_either_language_match(client, cities):
    assert slugs(client.get("/api/v1/cities", {"q": "MONTRÉ"})) == ["montreal"]
    assert slugs(client.get("/api/v1/cities", {"q": "mount"})) == ["mont-royal"]


def test_province_and_limit_narrow_it(client, cities):
    assert slugs(client.get("/api/v1/cities", {"q": "mo", "province": "nb"})) == ["moncton"]
    assert slugs(client.get("/api/v1/cities", {"q": "mo", "limit": "2"})) == ["montreal", "moncton"]


def test_without_q_it_lists_the_biggest_cities(client, cities):
    assert slugs(client.get("/api/v1/cities", {"limit": "3"})) == ["toronto", "montreal", "moncton"]


def test_an_unmatched_q_is_an_empty_list(client, cities):
    assert slugs(client.get("/api/v1/cities", {"q": "zzz"})) == []


def test_each_city_has_its_names_point_and_in_network_clinic_count(client, cities):
    for _ in range(2):
        make_clinic(city=cities["montreal"])
    make_clinic(city=cities["montreal"], network_status=NetworkStatus.SUSPENDED)
    response = client.get("/api/v1/cities", {"q": "montr"})
    assert response.json() == [
        {
            "name": "Montreal",
            "name_fr": "Montréal",
            "province": "QC",
            "lat": cities["montreal"].latitude,
            "lng": cities["montreal"].longitude,
            "slug": "montreal",
            "clinic_count": 2,
        }
    ]
    assert "max-age=300" in response["Cache-Control"]


def test_it_takes_two_queries_whatever_the_limit(client, cities, django_assert_max_num_queries):
    for city in cities.values():
        make_clinic(city=city)
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/cities", {"limit": "50"})
    assert [c["clinic_count"] for c in response.json()] == [1] * 5


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"limit": "0"}, "limit must be a whole number between 1 and 50"),
        ({"limit": "51"}, "limit must be a whole number between 1 and 50"),
        ({"limit": "ten"}, "limit must be a whole number between 1 and 50"),
        (
            {"province": "XX"},
            "unknown province 'XX': use one of AB, BC, MB, NB, NL, NS, NT, NU, ON, PE, QC, SK, YT",
        ),
    ],
)
def test_bad_parameters_answer_400(client, cities, query, detail):
    response = client.get("/api/v1/cities", query)
    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_odd_characters_in_q_are_harmless(client, cities):
    # A NUL is refused at the door (painhero.input_guard), for every field alike.
    assert client.get("/api/v1/cities?q=mon%00t").status_code == 400
    assert slugs(client.get("/api/v1/cities", {"q": "%_'\""})) == []
    assert slugs(client.get("/api/v1/cities", {"q": "x" * 5000})) == []
