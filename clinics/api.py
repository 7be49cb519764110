"""Clinic endpoints of the public API: search, and one clinic's full record.

Thin: parse with ``clinic_params_parse``, read with the selectors, shape the answer.
A ``SearchError`` becomes a 400 in ``painhero.api``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from clinics.schemas import ClinicDetailOut, ClinicPageOut, ClinicSearchQuery, ErrorOut
from clinics.search import ClinicHit
from clinics.selectors import clinic_get, clinic_params_parse, clinic_search

router = Router(tags=["clinics"])


@router.get("", response={200: ClinicPageOut, 400: ErrorOut}, summary="Search clinics")
def clinic_list(request: HttpRequest, query: Query[ClinicSearchQuery]) -> dict[str, Any]:
    """In-network clinics near a point (lat, lng) or a city, nearest first; or, with neither, best scored first.

    Filters combine. A bad parameter, or a page past the last, answers 400 with a `detail` that says what to fix.
    """
    params = clinic_params_parse(query.dict(exclude_none=True))
    result = clinic_search(params=params, now=timezone.now())
    return {
        "count": result.count,
        "count_is_capped": result.count_is_capped,
        "page": params.page,
        "pages": result.pages,
        "items": [clinic_summary(hit) for hit in result.items],
    }


@router.get("/{id_or_slug}", response={200: ClinicDetailOut, 404: ErrorOut}, summary="One clinic")
def clinic_detail(request: HttpRequest, id_or_slug: str) -> dict[str, Any]:
    """A clinic by numeric id or slug: its practitioners, services, opening hours and next open times."""
    hit = clinic_get(id_or_slug=id_or_slug, now=timezone.now())
    if hit is None:
        raise HttpError(404, _("No clinic with id or slug '%(key)s'.") % {"key": id_or_slug[:100]})
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
        "phone": clinic.phone,
        "url": f"/clinics/{clinic.city.slug}/{clinic.slug}/",
        # Shown on the clinic's wall clock: the offset tells a client which zone that is.
        "next_available": hit.next_available.astimezone(zone) if hit.next_available else None,
        "next_times": [
            {"start": t.start.astimezone(zone), "practitioner_id": t.practitioner_id, "service_id": t.service_id}
            for t in hit.next_times
        ],
    }
