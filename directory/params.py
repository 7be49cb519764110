"""Parsing a search's query parameters (strings, from a URL) into ``SearchParams``, with errors that say what to fix.

The HTML pages and the JSON API share it; ``directory.selectors`` re-exports ``clinic_params_parse``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

from clinics.models import Discipline, Insurer, Language, Technique
from directory.search import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    MAX_WITHIN_DAYS,
    PAGE_SIZE,
    Availability,
    SearchError,
    SearchParams,
    SortOrder,
)

MIN_RADIUS_KM = 1
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
SORT_ORDERS: tuple[SortOrder, ...] = ("recommended", "distance", "soonest", "score")
AVAILABILITIES: tuple[Availability, ...] = ("today",)
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,180}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


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
    in_city = _parse_bool(raw("in_city"), "in_city")
    if in_city and city is None:
        raise SearchError("in_city", _("in_city needs a city: send city too, e.g. city=toronto"))
    available = raw("available")
    if available is not None and available not in AVAILABILITIES:
        raise SearchError(
            "available",
            _("unknown availability '%(value)s': use %(choices)s")
            % {"value": available[:40], "choices": _or_list(AVAILABILITIES)},
        )
    within_days = _parse_int(raw("within_days"), "within_days", 1, MAX_WITHIN_DAYS)

    sort = raw("sort") or "recommended"
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
        in_city=in_city,
        available=available,  # checked against AVAILABILITIES above
        within_days=within_days,
        sort=sort,  # checked against SORT_ORDERS above
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
    if not (SLUG.match(value) and model.objects.filter(slug=value).exists()):
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
