"""clinic_params_parse: raw query strings into SearchParams, or a SearchError saying what to fix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clinics.testing import make_city, make_clinic, make_insurer, make_language, make_technique
from directory.search import SearchError, SearchParams
from directory.selectors import clinic_params_parse, clinic_search

pytestmark = pytest.mark.django_db


def error_of(**data: str) -> tuple[str, str]:
    with pytest.raises(SearchError) as caught:
        clinic_params_parse(data)
    return caught.value.field, caught.value.message


def test_nothing_given_means_the_defaults():
    assert clinic_params_parse({}) == SearchParams()


def test_blank_values_count_as_absent():
    assert clinic_params_parse({"lat": "", "lng": " ", "discipline": "", "sort": "", "page": ""}) == SearchParams()


def test_every_parameter_is_read():
    make_city(slug="montreal")
    make_technique()
    make_language("fr", "French", "Français")
    make_insurer()
    params = clinic_params_parse(
        {
            "lat": "45.5",
            "lng": "-73.57",
            "radius_km": "12.5",
            "city": "montreal",
            "discipline": "chiropractic",
            "technique": "dry-needling",
            "language": "fr",
            "insurer": "sun-life",
            "accessible": "true",
            "sort": "score",
            "page": "2",
            "page_size": "50",
        }
    )
    assert params == SearchParams(
        lat=45.5,
        lng=-73.57,
        radius_km=12.5,
        city="montreal",
        discipline="chiropractic",
        technique="dry-needling",
        language="fr",
        insurer="sun-life",
        accessible=True,
        sort="score",
        page=2,
        page_size=50,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"lat": "91", "lng": "0"}, "lat", "lat must be between -90 and 90"),
        ({"lat": "-90.5", "lng": "0"}, "lat", "lat must be between -90 and 90"),
        ({"lat": "45", "lng": "181"}, "lng", "lng must be between -180 and 180"),
        ({"lat": "north", "lng": "0"}, "lat", "lat must be a number, not 'north'"),
        ({"lat": "nan", "lng": "0"}, "lat", "lat must be a number, not 'nan'"),
        ({"lat": "45", "lng": "inf"}, "lng", "lng must be a number, not 'inf'"),
        ({"lat": "45"}, "lng", "lat was given without lng: send both, or a city instead."),
        ({"lng": "-75"}, "lat", "lng was given without lat: send both, or a city instead."),
        ({"radius_km": "0.5"}, "radius_km", "radius_km must be between 1 and 250"),
        ({"radius_km": "251"}, "radius_km", "radius_km must be between 1 and 250"),
        ({"radius_km": "far"}, "radius_km", "radius_km must be a number, not 'far'"),
        (
            {"discipline": "foo"},
            "discipline",
            "unknown discipline 'foo': use physiotherapy, chiropractic or massage_therapy",
        ),
        ({"sort": "price"}, "sort", "unknown sort 'price': use recommended, distance, soonest or score"),
        ({"page": "0"}, "page", "page must be between 1 and 10000"),
        ({"page": "-1"}, "page", "page must be a whole number, not '-1'"),
        ({"page": "2.5"}, "page", "page must be a whole number, not '2.5'"),
        ({"page_size": "101"}, "page_size", "page_size must be between 1 and 100"),
        ({"accessible": "maybe"}, "accessible", "accessible must be true or false, not 'maybe'"),
    ],
)
def test_bad_values_are_refused_with_a_message_that_says_what_to_fix(data, field, message):
    assert error_of(**data) == (field, message)


@pytest.mark.parametrize("name", ["technique", "language", "insurer"])
def test_unknown_reference_slugs_are_refused_with_examples(name):
    make_technique()
    make_language("fr", "French", "Français")
    make_insurer()
    field, message = error_of(**{name: "klingon"})
    assert field == name
    assert message.startswith(f"unknown {name} 'klingon': use one of ")
    assert {"technique": "dry-needling", "language": "fr", "insurer": "sun-life"}[name] in message


@pytest.mark.parametrize("slug", ["atlantis", "to\x00ronto", "x" * 300])
def test_an_unknown_city_is_refused_by_the_search(slug):
    make_city(slug="toronto")
    params = clinic_params_parse({"city": slug})
    with pytest.raises(SearchError) as caught:
        clinic_search(params=params, now=datetime(2026, 1, 5, tzinfo=UTC))
    assert caught.value.field == "city"
    assert caught.value.message == f"unknown city '{slug[:40]}': use a city slug such as 'toronto'"


def test_a_page_past_the_last_one_names_the_last_page():
    for _ in range(5):
        make_clinic()
    params = clinic_params_parse({"page": "9", "page_size": "2"})
    with pytest.raises(SearchError) as caught:
        clinic_search(params=params, now=datetime(2026, 1, 5, tzinfo=UTC))
    assert (caught.value.field, caught.value.message) == ("page", "page 9 is past the last page (3)")


def test_page_one_of_nothing_is_an_empty_page_not_an_error():
    page = clinic_search(params=SearchParams(), now=datetime(2026, 1, 5, tzinfo=UTC))
    assert (page.count, page.pages, page.items) == (0, 1, [])
