"""Clinic endpoints of the public API: search, and one clinic's full record.

Thin: parse with ``clinic_params_parse``, read with the selectors, shape the answer.
A ``SearchError`` becomes a 400 in ``painhero.api``.
"""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import Field

from clinics.schemas import ALWAYS, NO_NUL, errors
from directory import search_cache
from directory.schemas import ClinicDetailOut, ClinicPageOut, ClinicSearchQuery
from directory.search import ClinicHit, SearchError
from directory.selectors import clinic_get, clinic_params_parse, clinic_search
from painhero.json import CONTENT_TYPE, json_response

router = Router(tags=["clinics"])


# OpenAPI links: a search result feeds the first clinic's record, its open times and a hold on its next time.
@router.get(
    "",
    response={200: ClinicPageOut, **errors(*ALWAYS)},
    summary="Search clinics",
    operation_id="clinic_list",
    openapi_extra={
        "responses": {
            200: {
                "links": {
                    "FirstClinic": {
                        "operationId": "clinic_get",
                        "parameters": {"path.id_or_slug": "$response.body#/items/0/id"},
                    },
                    "FirstClinicOpenTimes": {
                        "operationId": "availability_list",
                        "parameters": {"path.clinic_ref": "$response.body#/items/0/id"},
                    },
                    "HoldTheFirstClinicsNextTime": {
                        "operationId": "hold_create",
                        "requestBody": {
                            "practitioner_id": "$response.body#/items/0/next_times/0/practitioner_id",
                            "service_id": "$response.body#/items/0/next_times/0/service_id",
                            "start": "$response.body#/items/0/next_times/0/start",
                        },
                    },
                }
            }
        }
    },
)
def clinic_list(request: HttpRequest, query: Query[ClinicSearchQuery]) -> HttpResponse:
    """In-network clinics near a point (lat, lng) or a city, recommended first; or, with neither, best scored first.

    Filters combine. A bad parameter, or a page past the last, answers 400 with a `detail` that says what to fix.
    """
    given = query.dict(exclude_none=True)
    # The HTML search treats a blank field as absent (a form sends them all); an API client that sends a
    # parameter means it, so a blank one is a mistake to point out, as the document says (minLength 1).
    for name, value in given.items():
        if not value.strip():
            raise SearchError(name, _("%(name)s is empty: give it a value or leave it out.") % {"name": name})
    params = clinic_params_parse(given)
    # Around a point, an answer nothing has changed since is read from the shared cache (directory/search_cache.py).
    key = search_cache.answer_key(params)
    if key is not None and (content := search_cache.answer_read(key)) is not None:
        return HttpResponse(content, content_type=CONTENT_TYPE)
    now = timezone.now()
    result = clinic_search(params=params, now=now)
    # Plain values in ClinicPageOut's shape, written as they are (see painhero/json.py; tests compare the two).
    response = json_response(
        {
            "count": result.count,
            "count_is_capped": result.count_is_capped,
            "page": params.page,
            "pages": result.pages,
            "items": [clinic_summary(hit) for hit in result.items],
        }
    )
    if key is not None:
        shown = [hit.clinic.pk for hit in result.items]
        search_cache.answer_write(key, response.content, seconds=search_cache.answer_seconds(clinic_ids=shown, now=now))
    return response


@router.get(
    "/{id_or_slug}",
    response={200: ClinicDetailOut, **errors(*ALWAYS, 404)},
    summary="One clinic",
    operation_id="clinic_get",
    openapi_extra={
        "responses": {
            200: {
                "links": {
                    "OpenTimes": {
                        "operationId": "availability_list",
                        "parameters": {"path.clinic_ref": "$response.body#/id"},
                    },
                    "HoldTheNextTime": {
                        "operationId": "hold_create",
                        "requestBody": {
                            "practitioner_id": "$response.body#/next_times/0/practitioner_id",
                            "service_id": "$response.body#/next_times/0/service_id",
                            "start": "$response.body#/next_times/0/start",
                        },
                    },
                }
            }
        }
    },
)
def clinic_detail(request: HttpRequest, id_or_slug: Annotated[str, Field(pattern=NO_NUL)]) -> HttpResponse:
    """A clinic by numeric id or slug: its practitioners, services, opening hours and next open times."""
    hit = clinic_get(id_or_slug=id_or_slug, now=timezone.now())
    if hit is None:
        raise HttpError(404, _("No clinic with id or slug '%(key)s'.") % {"key": id_or_slug[:100]})
    return json_response(clinic_record(hit))


def clinic_record(hit: ClinicHit) -> dict[str, Any]:
    """A clinic's whole public record (``ClinicDetailOut``), for a hit loaded by ``clinic_get``."""
    clinic = hit.clinic
    return {
        **clinic_summary(hit),
        "description": clinic.description,
        "email": clinic.email,
        "website": clinic.website,
        "time_zone": clinic.time_zone,
        "opening_hours": [
            {"weekday": block.weekday, "opens": block.opens, "closes": block.closes}
            for block in clinic.opening_hours.all()
        ],
        "practitioners": [
            {
                "id": p.id,
                "name": p.full_name,
                "discipline": p.discipline,
                "credentials": p.credentials,
                "college": p.college,
                "registration_number": p.registration_number,
                "techniques": sorted(t.slug for t in p.techniques.all()),
                "languages": sorted(language.slug for language in p.languages.all()),
            }
            for p in clinic.active_practitioners  # type: ignore[attr-defined]  # prefetched by clinic_get
        ],
        "services": [
            {
                "id": s.id,
                "name": s.name,
                "name_fr": s.name_fr,
                "discipline": s.discipline,
                "kind": s.kind,
                "delivery": s.delivery,
                "duration_minutes": s.duration_minutes,
                "price_cents": s.price_cents,
                "practitioner_ids": sorted(p.id for p in s.practitioners.all()),
            }
            for s in clinic.active_services  # type: ignore[attr-defined]  # prefetched by clinic_get
        ],
    }


def clinic_summary(hit: ClinicHit) -> dict[str, Any]:
    """The fields a search result and a clinic's record share."""
    clinic = hit.clinic
    zone = ZoneInfo(clinic.time_zone)
    return {
        "id": clinic.id,
        "slug": clinic.slug,
        "name": clinic.name,
        "address": clinic.address,
        "city": clinic.city.name,
        "city_slug": clinic.city.slug,
        "province": clinic.province,
        "postal_code": clinic.postal_code,
        "lat": clinic.latitude,
        "lng": clinic.longitude,
        "distance_km": round(hit.distance_km, 1) if hit.distance_km is not None else None,
        "disciplines": hit.disciplines,
        "techniques": hit.techniques,
        "languages": hit.languages,
        "insurers": hit.insurers,
        "wheelchair_accessible": clinic.wheelchair_accessible,
        "inspection_score": clinic.inspection_score,
        "rating": _rating(hit),
        "phone": clinic.phone,
        "url": f"/clinics/{clinic.city.slug}/{clinic.slug}/",
        # Shown on the clinic's wall clock: the offset tells a client which zone that is.
        "next_available": hit.next_available.astimezone(zone) if hit.next_available else None,
        "next_times": [
            {"start": t.start.astimezone(zone), "practitioner_id": t.practitioner_id, "service_id": t.service_id}
            for t in hit.next_times
        ],
    }


def _rating(hit: ClinicHit) -> dict[str, Any] | None:
    figures = hit.rating
    if figures is None:
        return None
    return {
        "mean": float(figures.mean) if figures.mean is not None else None,
        "adjusted": float(figures.adjusted) if figures.adjusted is not None else None,
        "count": figures.count,
    }
