"""The week of open times on a clinic's profile: the htmx fragment, and the context the profile page renders.

Both paths parse with ``week_params_parse`` and compute with ``week_build``, so the page without JavaScript
and the fragment show the same week. Bad input gets a 400 with the message in the section, never a 500.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinics.models import Clinic, Practitioner, Service
from painhero.http import is_htmx
from scheduling.week import WeekError, service_groups, week_build, week_params_parse

FRAGMENT = "scheduling/_week.html"


def week_context(*, query: QueryDict, clinic: Clinic, now: datetime) -> tuple[dict[str, Any], int]:
    """The availability section's context and HTTP status, for ``clinic`` loaded with ``active_services``
    (each with its active ``practitioners``) and ``active_practitioners``."""
    services: list[Service] = clinic.active_services  # type: ignore[attr-defined]
    practitioners: list[Practitioner] = clinic.active_practitioners  # type: ignore[attr-defined]
    page_url = reverse("directory:detail", kwargs={"city_slug": clinic.city.slug, "clinic_slug": clinic.slug})
    fragment_url = reverse("scheduling:week", kwargs={"city_slug": clinic.city.slug, "clinic_slug": clinic.slug})
    context: dict[str, Any] = {
        "clinic": clinic,
        "page_url": page_url,
        "fragment_url": fragment_url,
        "service_groups": service_groups(services),
        "week": None,
        "week_error": "",
    }
    if not context["service_groups"] and not query.get("service"):
        return context, 200  # nothing bookable online: the section says so and points to the phone
    today = now.astimezone(ZoneInfo(clinic.time_zone)).date()
    try:
        params = week_params_parse(data=query, services=services, practitioners=practitioners, today=today)
    except WeekError as error:
        context["week_error"] = error.message
        context["retry_url"] = page_url
        return context, 400
    offering = {p.pk for p in params.service.practitioners.all()}
    context["week"] = week_build(clinic=clinic, params=params, practitioners=practitioners, now=now)
    context["service_practitioners"] = [p for p in practitioners if p.pk in offering]
    context["state"] = _state(params.service.pk, params.practitioner.pk if params.practitioner else None)
    return context, 200


def _state(service_id: int, practitioner_id: int | None) -> str:
    """The query every week link keeps (service and practitioner), without the week."""
    keep = QueryDict(mutable=True)
    keep["service"] = str(service_id)
    if practitioner_id is not None:
        keep["practitioner"] = str(practitioner_id)
    return keep.urlencode()


def _clinic_load(*, city_slug: str, clinic_slug: str) -> Clinic | None:
    active = Practitioner.objects.filter(is_active=True)
    services = Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("practitioners", queryset=active.only("id"))
    )
    return (
        Clinic.objects.in_network()
        .filter(slug=clinic_slug, city__slug=city_slug)
        .select_related("city")
        .prefetch_related(
            Prefetch("practitioners", queryset=active, to_attr="active_practitioners"),
            Prefetch("services", queryset=services, to_attr="active_services"),
        )
        .first()
    )


@require_GET
def week(request: HttpRequest, city_slug: str, clinic_slug: str) -> HttpResponse:
    """The availability section alone, for htmx; a plain visit goes to the profile page showing that week."""
    clinic = _clinic_load(city_slug=city_slug, clinic_slug=clinic_slug)
    if clinic is None:
        raise Http404(_("No clinic in the PainHero network has this address."))
    public = QueryDict(mutable=True)
    for key in ("week", "service", "practitioner"):
        value = request.GET.get(key, "").strip()
        if value:
            public[key] = value
    page_url = reverse("directory:detail", kwargs={"city_slug": city_slug, "clinic_slug": clinic_slug})
    url = f"{page_url}?{public.urlencode()}" if public else page_url
    if not is_htmx(request):
        return redirect(f"{url}#availability")
    context, status = week_context(query=request.GET, clinic=clinic, now=timezone.now())
    response = render(request, FRAGMENT, context, status=status)
    if status == 200:
        # The address bar names the week shown, so a reload or a shared link shows it again.
        week_shown = context["week"]
        response["HX-Push-Url"] = f"{page_url}?week={week_shown.params.week.isoformat()}&{context['state']}"
    patch_vary_headers(response, ["HX-Request"])
    return response
