"""City look-up for the search box's autocomplete."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from clinics.models import Clinic
from clinics.schemas import ALWAYS, documented_as, errors
from places.models import City, Province

router = Router(tags=["cities"])

MAX_LIMIT = 50
MAX_QUERY_LENGTH = 100


class CityQuery(Schema):
    q: str | None = documented_as(
        "string",
        "Start of a word of the English or French name, accents ignored; empty for the biggest cities.",
        minLength=0,
    )
    province: str | None = documented_as(
        "string",
        "Two-letter province or territory code, e.g. QC (any case); empty for every province.",
        enum=["", *Province.values, *(code.lower() for code in Province.values)],
        minLength=0,
    )
    # Received as text so that a bad value gets this API's 400 and message, not a validation 422.
    limit: str | None = documented_as(
        "integer", f"How many cities, 1 to {MAX_LIMIT} (default 10).", minimum=1, maximum=MAX_LIMIT
    )


class CityOut(Schema):
    name: str
    name_fr: str
    province: str
    lat: float
    lng: float
    slug: str
    clinic_count: int = Field(description="In-network clinics in the city itself (not the area around it).")


@router.get("", response={200: list[CityOut], **errors(*ALWAYS)}, summary="Find cities", operation_id="city_list")
def city_list(request: HttpRequest, response: HttpResponse, query: Query[CityQuery]) -> list[dict[str, Any]]:
    """Cities matching `q`, biggest first: what the home page's search box suggests as one types.

    Without `q`, the biggest cities. Each comes with its number of in-network clinics.
    """
    # An empty limit is a mistake to point out, not the default (the document says 1 to MAX_LIMIT).
    q, province, limit = query.q or "", query.province or "", "10" if query.limit is None else query.limit
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_LIMIT:
        raise HttpError(400, _("limit must be a whole number between 1 and %(max)s") % {"max": MAX_LIMIT})
    province = province.strip().upper()
    if province and province not in Province.values:
        raise HttpError(
            400,
            _("unknown province '%(value)s': use one of %(choices)s")
            % {"value": province[:10], "choices": ", ".join(Province.values)},
        )
    # NUL cannot be sent to PostgreSQL and never appears in a city name.
    q = q.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    cities = City.objects.matching(q) if q else City.objects.all()
    if province:
        cities = cities.filter(province=province)
    found = list(cities.order_by("-population", "name")[: int(limit)])
    # Counted for the few cities returned only, in a second query, rather than joined into the
    # search, which would count clinics for every matching city before the limit applies.
    counts: dict[int, int] = {}
    if found:
        counts = dict(
            Clinic.objects.in_network()
            .filter(city__in=[city.pk for city in found])
            .order_by()
            .values("city")
            .annotate(n=Count("pk"))
            .values_list("city", "n")
        )
    # Reference data that changes a few times a day: let browsers and proxies keep it briefly.
    patch_cache_control(response, public=True, max_age=300)
    return [
        {
            "name": city.name,
            "name_fr": city.name_fr,
            "province": city.province,
            "lat": city.latitude,
            "lng": city.longitude,
            "slug": city.slug,
            "clinic_count": counts.get(city.pk, 0),
        }
        for city in found
    ]
