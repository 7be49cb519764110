"""Reads of clinics for patients: the search and one clinic's public record.

The search runs in the database: an indexed latitude/longitude box first, then
the exact great-circle test and the ordering on what is left, then one page.
Its cost grows with the clinics near the point, not with the whole network.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.expressions import Value
from django.db.models.fields import FloatField
from django.db.models.functions import Cos, Power, Radians, Sin
from django.utils.translation import gettext as _

from clinics.models import Clinic, Discipline, Insurer, Language, OpeningHours, Practitioner, Service, Technique
from clinics.search import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    PAGE_SIZE,
    ClinicHit,
    SearchError,
    SearchPage,
    SearchParams,
    SortOrder,
)
from places.models import City

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
MIN_RADIUS_KM = 1
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
SORT_ORDERS: tuple[SortOrder, ...] = ("distance", "soonest", "score")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,180}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


# --- parsing ---------------------------------------------------------------------------------------------------


def clinic_params_parse(data: Mapping[str, str]) -> SearchParams:
    """Validate raw query parameters (strings) into ``SearchParams``; raise ``SearchError`` naming what to fix.

    Blank values count as absent, so an HTML form's empty fields are harmless. Technique, language
    and insurer slugs are checked against the database (one small query each, when given); the city
    by ``clinic_search``, which needs its centre, and so is the page number, which needs the count.
    """

    def raw(name: str) -> str | None:
        value = data.get(name)
        if value is None:
            return None
        value = str(value).strip()
        return value or None

    lat = _parse_float(raw("lat"), "lat", -90, 90)
    lng = _parse_float(raw("lng"), "lng", -180, 180)
    if (lat is None) != (lng is None):
        missing, given = ("lng", "lat") if lng is None else ("lat", "lng")
        raise SearchError(
            missing,
            _("%(given)s was given without %(missing)s: send both, or a city instead.")
            % {
                "given": given,
                "missing": missing,
            },
        )
    radius = _parse_float(raw("radius_km"), "radius_km", MIN_RADIUS_KM, MAX_RADIUS_KM)

    # Whether the city exists is checked by the search, which looks it up anyway for its centre.
    city = raw("city")

    discipline = raw("discipline")
    if discipline is not None and discipline not in Discipline.values:
        raise SearchError(
            "discipline",
            _("unknown discipline '%(value)s': use %(choices)s")
            % {"value": discipline, "choices": _or_list(Discipline.values)},
        )

    technique = _parse_slug(raw("technique"), "technique", Technique)
    language = _parse_slug(raw("language"), "language", Language)
    insurer = _parse_slug(raw("insurer"), "insurer", Insurer)
    accessible = _parse_bool(raw("accessible"), "accessible")

    sort = raw("sort") or "distance"
    if sort not in SORT_ORDERS:
        raise SearchError(
            "sort", _("unknown sort '%(value)s': use %(choices)s") % {"value": sort, "choices": _or_list(SORT_ORDERS)}
        )
    page = _parse_int(raw("page"), "page", 1, MAX_PAGE)
    page_size = _parse_int(raw("page_size"), "page_size", 1, MAX_PAGE_SIZE)

    return SearchParams(
        lat=lat,
        lng=lng,
        radius_km=radius if radius is not None else DEFAULT_RADIUS_KM,
        city=city,
        discipline=discipline,
        technique=technique,
        language=language,
        insurer=insurer,
        accessible=accessible,
        sort=sort,  # type: ignore[arg-type]  # checked against SORT_ORDERS above
        page=page if page is not None else 1,
        page_size=page_size if page_size is not None else PAGE_SIZE,
    )


def _parse_float(value: str | None, name: str, low: float, high: float) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise SearchError(name, _("%(name)s must be a number, not '%(value)s'") % {"name": name, "value": value[:40]})
    if not low <= number <= high:
        raise SearchError(
            name, _("%(name)s must be between %(low)s and %(high)s") % {"name": name, "low": low, "high": high}
        )
    return number


def _parse_int(value: str | None, name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise SearchError(
            name, _("%(name)s must be a whole number, not '%(value)s'") % {"name": name, "value": value[:40]}
        )
    number = int(value)
    if not low <= number <= high:
        raise SearchError(
            name, _("%(name)s must be between %(low)s and %(high)s") % {"name": name, "low": low, "high": high}
        )
    return number


def _parse_bool(value: str | None, name: str) -> bool:
    if value is None or value.lower() in _FALSE:
        return False
    if value.lower() in _TRUE:
        return True
    raise SearchError(name, _("%(name)s must be true or false, not '%(value)s'") % {"name": name, "value": value[:40]})


def _parse_slug(value: str | None, name: str, model: type[Technique | Language | Insurer]) -> str | None:
    if value is None:
        return None
    # The shape check keeps odd bytes (NUL, quotes) away from the database.
    if not (_SLUG.match(value) and model.objects.filter(slug=value).exists()):
        examples = list(model.objects.order_by("slug").values_list("slug", flat=True)[:8])
        raise SearchError(
            name,
            _("unknown %(name)s '%(value)s': use one of %(choices)s")
            % {"name": name, "value": value[:40], "choices": ", ".join(examples) + (", ..." if examples else "")},
        )
    return value


def _or_list(values: list[str] | tuple[str, ...]) -> str:
    values = list(values)
    return ", ".join(values[:-1]) + " " + _("or") + " " + values[-1] if len(values) > 1 else "".join(values)


# --- search ----------------------------------------------------------------------------------------------------


def clinic_search(*, params: SearchParams, now: datetime) -> SearchPage:
    """One page of in-network clinics matching ``params``, with the total count.

    ``now`` is for the availability sort to come (next available times); the geographic
    search itself does not depend on it. Raises ``SearchError`` for an unknown city or a
    page past the last one. Five queries whatever the page size (six with a city): the page's
    ids with the count, their rows, their languages, insurers, and practitioners' disciplines
    and techniques.
    """
    center = _center(params)
    clinics = _filtered(params, Clinic.objects.in_network())
    if center is not None:
        clinics = _near(clinics, center=center, radius_km=params.radius_km)
    ordered = _ordered(clinics, sort=params.sort, has_point=center is not None)
    offset = (params.page - 1) * params.page_size
    # First the page's ids, with the total counted in the same pass (a window over the matches):
    # the sort then carries ids and keys only, not whole rows. Then those rows, with what they show.
    hav = F("hav") if center is not None else Value(None, output_field=FloatField())
    keys = list(
        ordered.annotate(total=Window(Count("pk")), key_hav=hav).values_list("pk", "total", "key_hav")[
            offset : offset + params.page_size
        ]
    )
    # An empty page means nothing matches, or the page is past the end and the last page must be named.
    count = keys[0][1] if keys else clinics.count() if params.page > 1 else 0
    pages = max(1, -(-count // params.page_size))
    if params.page > pages:
        raise SearchError(
            "page", _("page %(page)s is past the last page (%(last)s)") % {"page": params.page, "last": pages}
        )
    ids = [pk for pk, _total, _hav in keys]
    rows = _with_clinic_related(Clinic.objects.filter(pk__in=ids)).in_bulk()
    disciplines, techniques = _practitioner_summary(ids)
    items = [
        ClinicHit(
            clinic=rows[pk],
            distance_km=_distance_from_haversine(key_hav) if key_hav is not None else None,
            disciplines=sorted(disciplines[pk]),
            techniques=sorted(techniques[pk]),
            languages=sorted(language.slug for language in rows[pk].languages.all()),
        )
        for pk, _total, key_hav in keys
    ]
    return SearchPage(params=params, count=count, items=items, center=center)


def _center(params: SearchParams) -> tuple[float, float] | None:
    """The point distances are measured from: lat/lng if given (then a city only labels the search), else the city's."""
    city_center = None
    if params.city:
        # The shape check keeps odd bytes (NUL, quotes) away from the database.
        found = (
            _SLUG.match(params.city)
            and City.objects.filter(slug=params.city).values_list("latitude", "longitude").first()
        )
        if not found:
            raise SearchError(
                "city", _("unknown city '%(value)s': use a city slug such as 'toronto'") % {"value": params.city[:40]}
            )
        city_center = found
    if params.lat is not None and params.lng is not None:
        return (params.lat, params.lng)
    return city_center


def _filtered(params: SearchParams, clinics: QuerySet[Clinic]) -> QuerySet[Clinic]:
    # Discipline and technique go in one EXISTS: "a physiotherapist who does dry needling"
    # must be one person, not a physiotherapist and someone else who needles.
    if params.discipline or params.technique:
        practitioners = Practitioner.objects.filter(clinic=OuterRef("pk"), is_active=True)
        if params.discipline:
            practitioners = practitioners.filter(discipline=params.discipline)
        if params.technique:
            practitioners = practitioners.filter(techniques__slug=params.technique)
        clinics = clinics.filter(Exists(practitioners))
    if params.language:
        through = Clinic.languages.through.objects.filter(clinic=OuterRef("pk"), language__slug=params.language)
        clinics = clinics.filter(Exists(through))
    if params.insurer:
        through = Clinic.insurers.through.objects.filter(clinic=OuterRef("pk"), insurer__slug=params.insurer)
        clinics = clinics.filter(Exists(through))
    if params.accessible:
        clinics = clinics.filter(wheelchair_accessible=True)
    return clinics


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box holding every point within ``radius_km`` of (lat, lng).

    A degree of longitude shrinks with the cosine of the latitude, so the box widens towards
    the poles; it is widened by the cosine at the box's poleward edge, not at the centre, since
    the circle reaches furthest east and west there. Near a pole the box spans every longitude.
    (Crossing the antimeridian is clamped, not wrapped: no Canadian search comes near it.)
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    edge = max(abs(south), abs(north))
    if edge >= 89.9:
        return south, -180.0, north, 180.0
    dlng = math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(edge))))
    return south, max(-180.0, lng - dlng), north, min(180.0, lng + dlng)


def _near(clinics: QuerySet[Clinic], *, center: tuple[float, float], radius_km: float) -> QuerySet[Clinic]:
    """Clinics within ``radius_km`` of ``center``, annotated with ``hav``, the haversine of the angle.

    The haversine ``hav = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)`` grows with the distance, so the
    database filters and orders by it directly; the arcsine and square root that turn it into
    kilometres are left to Python, for the one page shown.
    """
    lat, lng = center
    south, west, north, east = bounding_box(lat, lng, radius_km)
    clinics = clinics.within_box(south=south, west=west, north=north, east=east)
    hav = Power(Sin((Radians(F("latitude")) - math.radians(lat)) / 2), 2) + Value(
        math.cos(math.radians(lat)), output_field=FloatField()
    ) * Cos(Radians(F("latitude"))) * Power(Sin((Radians(F("longitude")) - math.radians(lng)) / 2), 2)
    limit = math.sin(radius_km / EARTH_RADIUS_KM / 2) ** 2
    return clinics.annotate(hav=hav).filter(hav__lte=limit)


def _distance_from_haversine(hav: float) -> float:
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, hav))))


def _ordered(clinics: QuerySet[Clinic], *, sort: SortOrder, has_point: bool) -> QuerySet[Clinic]:
    """The one place a search's order is chosen. Ties end on name then id, so pages never overlap."""
    by_score = [F("inspection_score").desc(nulls_last=True)]
    if sort == "score":
        keys = [*by_score, "hav"] if has_point else by_score
    elif has_point:
        # "soonest" orders like "distance" until next-available times exist (availability issue).
        keys = ["hav"]
    else:
        keys = by_score
    return clinics.order_by(*keys, "name", "pk")


def _with_clinic_related(clinics: QuerySet[Clinic]) -> QuerySet[Clinic]:
    return clinics.select_related("city").prefetch_related("languages", "insurers")


def _practitioner_summary(clinic_ids: list[int]) -> tuple[defaultdict[int, set[str]], defaultdict[int, set[str]]]:
    """Disciplines and technique slugs of each clinic's active practitioners, as plain values.

    One flat query rather than prefetched practitioners and their techniques: a page of clinics
    has a hundred-odd practitioners, and building each as a model cost more than the search.
    """
    disciplines: defaultdict[int, set[str]] = defaultdict(set)
    techniques: defaultdict[int, set[str]] = defaultdict(set)
    if not clinic_ids:
        return disciplines, techniques
    rows = (
        Practitioner.objects.filter(clinic__in=clinic_ids, is_active=True)
        .order_by()
        .values_list("clinic_id", "discipline", "techniques__slug")  # a LEFT JOIN: None without techniques
        .distinct()
    )
    for clinic_id, discipline, technique in rows:
        disciplines[clinic_id].add(discipline)
        if technique is not None:
            techniques[clinic_id].add(technique)
    return disciplines, techniques


# --- one clinic ------------------------------------------------------------------------------------------------


def clinic_get(*, id_or_slug: str) -> ClinicHit | None:
    """An in-network clinic by id (all digits) or slug, with everything its public page shows; None if not found.

    Loaded with it: ``city``, ``languages``, ``insurers``, ``opening_hours``, ``active_practitioners``
    (each with ``techniques`` and ``languages``) and ``active_services`` (each with ``practitioners``,
    active ones only).
    """
    key = id_or_slug.strip()
    if key.isdigit():
        if len(key) > 18:  # past a 64-bit id: PostgreSQL would refuse the query, no clinic has it
            return None
        lookup = Q(pk=int(key))
    elif _SLUG.match(key):
        lookup = Q(slug=key)
    else:
        return None
    active_ids = Practitioner.objects.filter(is_active=True).only("id")
    services = Service.objects.filter(is_active=True).prefetch_related(Prefetch("practitioners", queryset=active_ids))
    active = Practitioner.objects.filter(is_active=True).prefetch_related("techniques", "languages")
    clinic = (
        _with_clinic_related(Clinic.objects.in_network().filter(lookup))
        .prefetch_related(
            Prefetch("practitioners", queryset=active, to_attr="active_practitioners"),
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch("services", queryset=services, to_attr="active_services"),
        )
        .first()
    )
    if clinic is None:
        return None
    practitioners = clinic.active_practitioners  # type: ignore[attr-defined]  # the Prefetch above
    return ClinicHit(
        clinic=clinic,
        distance_km=None,
        disciplines=sorted({p.discipline for p in practitioners}),
        techniques=sorted({t.slug for p in practitioners for t in p.techniques.all()}),
        languages=sorted(language.slug for language in clinic.languages.all()),
    )
