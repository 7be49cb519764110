"""cities_load: Canadian cities from the offline GeoNames extract, bilingual, searchable, idempotent."""

from __future__ import annotations

from io import StringIO
from zoneinfo import available_timezones

import pytest
from django.core.management import CommandError, call_command

from places.models import City, Province
from places.services import cities_load, city_slugs, latin_alternate_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> int:
    return cities_load()


def test_every_province_and_territory_has_cities(loaded):
    provinces = set(City.objects.values_list("province", flat=True).distinct())
    assert provinces == set(Province.values)
    assert loaded == City.objects.count() > 1800


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("Lawrence Park South", "ON"),  # a Toronto neighbourhood
        ("Altadore", "AB"),  # a Calgary community
        ("Etobicoke", "ON"),  # a former city, part of Toronto since 1998
        ("Ct 0024", "QC"),  # a census tract of Montreal
        ("Le Plateau-Mont-Royal", "QC"),  # a borough of Montreal
    ],
)
def test_sections_of_a_city_are_not_cities(loaded, name, province):
    assert not City.objects.filter(name=name, province=province).exists()


@pytest.mark.parametrize(
    ("name", "province"),
    [("Toronto", "ON"), ("Mississauga", "ON"), ("Burnaby", "BC"), ("Westmount", "QC"), ("Orangeville", "ON")],
)
def test_municipalities_beside_a_big_city_stay_cities(loaded, name, province):
    assert City.objects.filter(name=name, province=province).exists()


def test_a_section_loaded_before_is_merged_into_its_municipality_with_its_clinics():
    from clinics.testing import make_clinic  # the clinics app sits above places: only this test needs it

    section = City.objects.create(
        geonameid=12156850,  # Lawrence Park South, Toronto
        name="Lawrence Park South",
        name_fr="Lawrence Park South",
        slug="lawrence-park-south",
        province="ON",
        latitude=43.7156,
        longitude=-79.4067,
        population=15179,
        time_zone="America/Toronto",
    )
    clinic = make_clinic(city=section)

    cities_load(min_population=100_000)

    clinic.refresh_from_db()
    assert clinic.city.slug == "toronto"
    assert not City.objects.filter(geonameid=12156850).exists()


def test_montreal_is_found_by_its_english_and_french_spellings(loaded):
    montreal = City.objects.get(slug="montreal")
    assert (montreal.name, montreal.name_fr, montreal.province) == ("Montreal", "Montréal", "QC")
    for query in ("montr", "Montreal", "montréal", "MONTREAL", "Montréal"):
        assert montreal in City.objects.matching(query), query


def test_quebec_city_has_its_english_name_and_its_french_one(loaded):
    quebec = City.objects.get(geonameid=6325494)
    assert (quebec.name, quebec.name_fr, quebec.slug) == ("Quebec City", "Québec", "quebec-city")
    assert quebec in City.objects.matching("quebec")
    assert quebec in City.objects.matching("Québec")


def test_names_that_are_the_same_in_both_languages_stay_as_written_locally(loaded):
    levis = City.objects.get(slug="levis")
    assert (levis.name, levis.name_fr) == ("Lévis", "Lévis")
    assert City.objects.get(slug="toronto").name_fr == "Toronto"


def test_time_zones_come_from_the_data(loaded):
    assert City.objects.get(slug="regina").time_zone == "America/Regina"
    assert City.objects.get(slug="st-johns").time_zone == "America/St_Johns"
    assert City.objects.get(slug="vancouver").time_zone == "America/Vancouver"
    zones = set(City.objects.values_list("time_zone", flat=True).distinct())
    assert zones <= available_timezones()


def test_a_name_used_in_several_provinces_gets_the_province_in_its_slug(loaded):
    richmonds = dict(City.objects.filter(name="Richmond").values_list("province", "slug"))
    assert richmonds["BC"] == "richmond-bc"
    assert richmonds["ON"] == "richmond-on"
    assert not City.objects.filter(slug="richmond").exists()
    assert City.objects.get(name="Richmond Hill").slug == "richmond-hill"


def test_loading_again_updates_in_place_and_adds_nothing(loaded):
    montreal = City.objects.get(slug="montreal")
    City.objects.filter(pk=montreal.pk).update(name="Ville-Marie", population=1, search_names="")
    count = City.objects.count()

    assert cities_load() == loaded

    assert City.objects.count() == count
    montreal.refresh_from_db()
    assert montreal.name == "Montreal"
    assert montreal.population > 1_000_000
    assert montreal in City.objects.matching("montreal")


def test_a_smaller_load_keeps_the_slugs_of_a_bigger_one():
    cities_load(min_population=20_000)
    small = dict(City.objects.values_list("geonameid", "slug"))
    assert small and all(p >= 20_000 for p in City.objects.values_list("population", flat=True))

    cities_load()

    assert {g: s for g, s in City.objects.values_list("geonameid", "slug") if g in small} == small


def test_it_refuses_a_population_below_the_smallest_extract():
    with pytest.raises(ValueError, match="at least 500"):
        cities_load(min_population=100)


def test_same_named_places_in_one_province_are_numbered_biggest_first():
    places = [
        {"geonameid": 1, "name": "Springfield", "admin1code": "08", "population": 9000},
        {"geonameid": 2, "name": "Springfield", "admin1code": "08", "population": 800},
        {"geonameid": 3, "name": "Springfield", "admin1code": "03", "population": 700},
        {"geonameid": 4, "name": "Rosemont\u2013La Petite-Patrie", "admin1code": "10", "population": 600},
    ]
    assert city_slugs(places) == {
        1: "springfield-on",
        2: "springfield-on-2",
        3: "springfield-mb",
        4: "rosemont-la-petite-patrie",
    }


def test_only_alternate_names_in_latin_script_are_kept():
    names = ["Montreal", "Montréal", "YUL", "mwntryal", "Монреаль", "モントリオール", "Mons Regius", "Mo"]
    assert latin_alternate_names(names) == ["Montreal", "Montréal", "Mons Regius"]


def test_the_command_says_how_many_cities_it_loaded():
    out = StringIO()
    call_command("load_cities", "--min-population", "100000", stdout=out)
    assert out.getvalue().strip() == f"Loaded {City.objects.count()} cities."


def test_the_command_explains_a_bad_population():
    with pytest.raises(CommandError, match="at least 500"):
        call_command("load_cities", "--min-population", "10")
