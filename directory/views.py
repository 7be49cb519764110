"""The patient-facing pages: home, search, cities and clinic profiles.

Views parse the request, fetch, call the search selector and render. Whether
to answer with a whole page or the results fragment (htmx) is decided here.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from booking.waitlist import RADIUS_KM_MAX as WAITLIST_RADIUS_KM_MAX
from clinics.models import (
    LISTED_STATUSES,
    WEEKDAYS,
    Clinic,
    Discipline,
    OpeningHours,
    Practitioner,
)
from content import selectors as guides
from content import seo
from directory import page_cache, selectors
from directory.search import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, MAX_WITHIN_DAYS, ClinicHit, SearchError, SearchPage
from painhero.http import is_htmx
from places.models import City, Province, fold
from quality.selectors import reviews_published
from scheduling.views import week_context

RADIUS_CHOICES_KM = [5, 10, 25, 50, 100, 250]
WITHIN_DAYS_CHOICES = [2, 3, 7, 14, 30]
HOME_CITY_COUNT = 8


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/home.html",
        {"cities": _cities_with_clinics().order_by("-population", "name")[:HOME_CITY_COUNT], "disciplines": Discipline},
    )


def search(request: HttpRequest) -> HttpResponse:
    query: QueryDict = request.GET
    where = query.get("where", "").strip()
    if where and not query.get("city") and not query.get("lat"):
        # The city box was typed in but nothing was picked from the list (or
        # JavaScript is off): take the biggest city whose name starts so.
        city = City.objects.matching(where).order_by("-population", "name").first()
        if city is None:
            message = _(
                "We could not find a Canadian city called “%(name)s”. Check the spelling or pick one from the list."
            )
            return _results_page(
                request,
                query=query,
                template="directory/search.html",
                action=reverse("directory:search"),
                error=SearchError("where", message % {"name": where}),
            )
        query = query.copy()
        query.pop("where")
        query["city"] = city.slug
        if not is_htmx(request):
            return redirect(_url(reverse("directory:search"), _public_query(query, path_keys=())))
    if not (query.get("city") or query.get("lat") or query.get("lng") or query.get("where")):
        # Nothing to search around yet (e.g. a discipline link from the home page): ask where.
        return render(
            request,
            "directory/search.html",
            {"prompt": True, "query": query, "disciplines": Discipline, "where": ""},
        )
    return _results_page(request, query=query, template="directory/search.html", action=reverse("directory:search"))


def city_index(request: HttpRequest) -> HttpResponse:
    cities = _cities_with_clinics().order_by("name")
    by_province: dict[str, list[City]] = {}
    for city in cities:
        by_province.setdefault(city.province, []).append(city)
    provinces = [
        {"code": code, "label": label, "cities": sorted(by_province[code], key=lambda c: fold(c.display_name))}
        for code, label in Province.choices
        if code in by_province
    ]
    return render(request, "directory/city_index.html", {"provinces": provinces})


def city(request: HttpRequest, city_slug: str, discipline: str | None = None) -> HttpResponse:
    place = get_object_or_404(City, slug=city_slug)
    query = request.GET.copy()
    query["city"] = place.slug
    # The city's own clinics unless a radius is asked: the count the city index and the home page show.
    query["in_city"] = "" if query.get("radius_km", "").strip() else "1"
    if discipline:
        query["discipline"] = discipline
        action = reverse("directory:city_discipline", kwargs={"city_slug": place.slug, "discipline": discipline})
        path_keys: tuple[str, ...] = ("city", "discipline", "in_city")
    else:
        query.pop("discipline", None)
        action = reverse("directory:city", kwargs={"city_slug": place.slug})
        path_keys = ("city", "in_city")
    extra: dict[str, Any] = {"city": place, "discipline": discipline, "discipline_label": _discipline_label(discipline)}
    if not is_htmx(request):  # the landing part of the page; an htmx request swaps only the results
        extra.update(_city_facts(place, discipline=discipline))
    return _results_page(
        request,
        query=query,
        template="directory/city.html",
        action=action,
        path_keys=path_keys,
        extra=extra,
    )


def detail(request: HttpRequest, city_slug: str, clinic_slug: str) -> HttpResponse:
    lookup = None if clinic_slug.isdigit() else page_cache.stored_page_key(request, city_slug, clinic_slug)
    stored, current = lookup if lookup else (None, None)
    if stored and (response := page_cache.stored_page_read(request, stored)):
        return response
    found = (
        None
        if clinic_slug.isdigit()
        else page_cache.clinic_page_get(city_slug=city_slug, clinic_slug=clinic_slug, current=current)
    )
    if found is None:
        raise Http404(_("No clinic in the PainHero network has this address."))
    hit, version = found
    clinic = hit.clinic
    hours: list[list[OpeningHours]] = [[] for _day in WEEKDAYS]
    for block in clinic.opening_hours.all():
        hours[block.weekday].append(block)
    # The open times section: its own context, and 400 when its query (week, service, practitioner) is bad.
    # Computed on every render: only the page's other parts are cached (under ``version``), unless the whole page
    # is stored for visitors without a session (``stored``: see page_cache.stored_page_key).
    now = timezone.now()
    availability, status = week_context(query=request.GET, clinic=clinic, now=now)
    path = reverse("directory:detail", kwargs={"city_slug": clinic.city.slug, "clinic_slug": clinic.slug})
    crumbs = [
        (_("Cities"), reverse("directory:city_index")),
        (clinic.city.display_name, reverse("directory:city", kwargs={"city_slug": clinic.city.slug})),
        (clinic.name, path),
    ]
    response = render(
        request,
        "directory/detail.html",
        {
            **availability,
            # Outside the cached fragments: the guides of the clinic's techniques and its schema.org record.
            "guides": guides.guides_for_techniques(techniques=hit.techniques),
            "structured_data": seo.json_ld(
                seo.clinic_graph(clinic=clinic, hours=list(clinic.opening_hours.all()), path=path, crumbs=crumbs)
            ),
            "hit": hit,
            "clinic": clinic,
            "version": version,
            "hours": [(str(day), blocks) for day, blocks in zip(WEEKDAYS, hours, strict=True)],
            "today": timezone.localtime(timezone=_zone_or_default(clinic.time_zone)).weekday(),
            **page_cache.reference_labels(),
            **({"csrf_token": page_cache.CSRF_PLACEHOLDER} if stored else {}),
        },
        status=status,
    )
    if not stored:
        return response
    week = availability.get("week")
    seconds = page_cache.stored_page_seconds(
        clinic_id=clinic.pk,
        zone=_zone_or_default(clinic.time_zone) or zoneinfo.ZoneInfo(settings.TIME_ZONE),
        first_time_leaves_at=week.first_time_leaves_at if week else None,
        now=now,
    )
    return page_cache.stored_page_write(request, response, key=stored, seconds=seconds)


@require_GET
def reviews(request: HttpRequest, city_slug: str, clinic_slug: str) -> HttpResponse:
    """The next page of a clinic's verified reviews: the list's items for htmx's "More reviews", or a page."""
    clinic = Clinic.objects.in_network().filter(slug=clinic_slug, city__slug=city_slug).select_related("city").first()
    if clinic is None:
        raise Http404(_("No clinic in the PainHero network has this address."))
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) <= 5 else 0
    page = reviews_published(clinic_id=clinic.pk, page=max(number, 1))
    if number < 1 or number > page.pages:
        return HttpResponseBadRequest(_("page: give a page number from 1 to %(last)d.") % {"last": page.pages})
    context = {
        "clinic": clinic,
        "page": page,
        "reviews_url": reverse("directory:reviews", kwargs={"city_slug": city_slug, "clinic_slug": clinic_slug}),
    }
    template = "quality/_review_items.html" if is_htmx(request) else "quality/reviews_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- helpers ---------------------------------------------------------------------------------------------------


def _city_facts(place: City, *, discipline: str | None) -> dict[str, Any]:
    """What a city's landing page says above its results: how many clinics, the disciplines they offer, the
    soonest open time today (one bounded "today, soonest" search for one clinic) and guides to feature there."""
    practitioners = Practitioner.objects.filter(
        clinic__city=place, clinic__network_status__in=LISTED_STATUSES, is_active=True
    )
    offered = sorted(set(practitioners.values_list("discipline", flat=True).distinct()))
    techniques = sorted(set(practitioners.values_list("techniques__slug", flat=True).distinct()) - {None})
    soonest = None
    today = {"city": place.slug, "in_city": "1", "available": "today", "sort": "soonest", "page_size": "1"}
    if discipline:
        today["discipline"] = discipline
    try:
        first = selectors.clinic_search(params=selectors.clinic_params_parse(today), now=timezone.now()).items
    except SearchError:
        first = []
    if first and first[0].next_available is not None:
        soonest = {"at": first[0].next_available, "clinic": first[0].clinic}
    return {
        "city_clinic_count": Clinic.objects.in_network().filter(city=place).count(),
        "city_disciplines": [_discipline_label(d) for d in offered],
        "city_soonest": soonest,
        # "The guides most read here" would need a count written on every read (a GET changing state): the
        # guides featured are those about the techniques the city's clinics offer.
        "city_guides": guides.guides_featured(techniques=techniques),
    }


def _cities_with_clinics() -> QuerySet[City]:
    """Cities with their ``clinic_count``: the in-network clinics whose city it is, as its page lists them."""
    return City.objects.annotate(
        clinic_count=Count("clinics", filter=Q(clinics__network_status__in=LISTED_STATUSES))
    ).filter(clinic_count__gt=0)


def _zone_or_default(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _discipline_label(value: str | None) -> str:
    return str(Discipline(value).label) if value in Discipline.values else ""


def _results_page(
    request: HttpRequest,
    *,
    query: QueryDict,
    template: str,
    action: str,
    path_keys: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
    error: SearchError | None = None,
) -> HttpResponse:
    results: SearchPage | None = None
    now = timezone.now()
    if error is None:
        try:
            params = selectors.clinic_params_parse(query)
            results = selectors.clinic_search(params=params, now=now)
        except SearchError as exc:
            error = exc
    context: dict[str, Any] = {
        "query": query,
        "action": action,
        "results": results,
        "error": error,
        "disciplines": Discipline,
        "where": _city_name(query.get("city")) or query.get("where", ""),
        "error_field": error.field if error else "",
        "radius_choices": RADIUS_CHOICES_KM,
        "selected_radius": query.get("radius_km") or ("" if query.get("in_city") else f"{DEFAULT_RADIUS_KM:g}"),
        "sort_choices": [
            ("recommended", _("Recommended")),
            ("distance", _("Distance")),
            ("soonest", _("Soonest available")),
            ("score", _("Score")),
        ],
        "within_choices": [(days, _within_label(days)) for days in WITHIN_DAYS_CHOICES],
        "now": now,  # the availability tags phrase times ("Today 3:30 PM", "in 3 hours") against it
        **page_cache.reference_labels(),
        **(extra or {}),
    }
    if results is not None:
        context.update(_results_context(query=query, action=action, path_keys=path_keys, results=results))
    status = 400 if error else 200
    if is_htmx(request):
        response = render(request, "directory/_results.html", context, status=status)
        # The pushed URL is the canonical one even if the view rewrote the query (a typed city name).
        response["HX-Push-Url"] = _url(action, _public_query(query, path_keys=path_keys))
    else:
        response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _public_query(query: QueryDict, *, path_keys: tuple[str, ...]) -> QueryDict:
    """The query as it belongs in a URL: without empty values or what the path already says."""
    public = QueryDict(mutable=True)
    for key, values in query.lists():
        kept = [v for v in values if v != ""]
        if kept and key not in path_keys:
            public.setlist(key, kept)
    return public


def _url(path: str, query: QueryDict) -> str:
    return f"{path}?{query.urlencode()}" if query else path


def _results_context(
    *, query: QueryDict, action: str, path_keys: tuple[str, ...], results: SearchPage
) -> dict[str, Any]:
    params = results.params
    place = _city_name(params.city) or _("your location")

    def url_with(**changes: Any) -> str:
        changed = _public_query(query, path_keys=path_keys)
        for key, value in changes.items():
            changed[key] = str(value)
        return _url(action, changed)

    widen_url = None
    if results.count == 0 and params.radius_km < MAX_RADIUS_KM:
        wider = min(MAX_RADIUS_KM, params.radius_km * 2)
        widen_url = url_with(radius_km=f"{wider:g}", page=1)
    markers = [
        {
            "name": hit.clinic.name,
            "url": reverse(
                "directory:detail", kwargs={"city_slug": hit.clinic.city.slug, "clinic_slug": hit.clinic.slug}
            ),
            "lat": hit.clinic.latitude,
            "lng": hit.clinic.longitude,
        }
        for hit in results.items
    ]
    return {
        "params": params,
        "place": place,
        "booking_links": {hit.clinic.pk: _booking_links(hit) for hit in results.items},
        "horizon_days": MAX_WITHIN_DAYS,
        "radius": floatformat(params.radius_km, -1),
        "selected_radius": "" if params.in_city else f"{params.radius_km:g}",
        # A radius typed into the URL stays selectable, so the form shows what the results are for.
        "radius_choices": sorted({*RADIUS_CHOICES_KM, params.radius_km}),
        "within_choices": [
            (days, _within_label(days)) for days in sorted({*WITHIN_DAYS_CHOICES, *filter(None, [params.within_days])})
        ],
        "empty_message": _empty_message(params.discipline, radius=params.radius_km, place=place),
        "widen_url": widen_url,
        "widen_radius": min(MAX_RADIUS_KM, params.radius_km * 2),
        "prev_url": url_with(page=params.page - 1) if params.page > 1 else None,
        "next_url": url_with(page=params.page + 1) if params.page < results.pages else None,
        "map_data": {"center": results.center, "markers": markers},
        "waitlist_url": _waitlist_url(results, place=place),
    }


def _waitlist_url(results: SearchPage, *, place: str) -> str | None:
    """The "tell me if something earlier opens" link of a search: its point, place, discipline and radius."""
    if results.center is None:
        return None
    params = results.params
    fields = {
        "lat": f"{results.center[0]:.5f}",
        "lng": f"{results.center[1]:.5f}",
        "place": place,
        "discipline": params.discipline or "",
        "radius_km": str(min(int(params.radius_km), WAITLIST_RADIUS_KM_MAX)),
    }
    return f"{reverse('booking:waitlist_join_area')}?{urlencode(fields)}"


def _booking_links(hit: ClinicHit) -> list[dict[str, Any]]:
    """A result's open times as booking links, grouped by what they book (service and practitioner).

    Each group names its service, length and practitioner, so no time button books something the patient
    did not see; within a group the times keep their order, and groups come in the order of their first time.
    """
    zone = zoneinfo.ZoneInfo(hit.clinic.time_zone)
    start_url = reverse("booking:start")
    groups: dict[tuple[int, int], dict[str, Any]] = {}
    for slot in hit.next_times:
        service = hit.services.get(slot.service_id)
        group = groups.setdefault(
            (slot.service_id, slot.practitioner_id),
            {
                "service": service.label if service is not None else "",
                "minutes": service.duration_minutes if service is not None else None,
                "practitioner": hit.practitioner_names.get(slot.practitioner_id, ""),
                "times": [],
            },
        )
        fields: dict[str, str | int] = {
            "practitioner": slot.practitioner_id,
            "service": slot.service_id,
            "start": slot.start.astimezone(zone).isoformat(),  # with the clinic's offset
        }
        query = urlencode(fields)
        group["times"].append({"start": slot.start, "url": f"{start_url}?{query}"})
    return list(groups.values())


def _within_label(days: int) -> str:
    if days == 7:
        return _("Within a week")
    return ngettext("Within %(n)d day", "Within %(n)d days", days) % {"n": days}


def _city_name(slug: str | None) -> str:
    """The city's name in the visitor's language, or "" for no or an unknown slug."""
    if not slug:
        return ""
    city = City.objects.filter(slug=slug).first()
    return city.display_name if city is not None else ""


def _empty_message(discipline: str | None, *, radius: float, place: str) -> str:
    values = {"radius": floatformat(radius, -1), "place": place}
    if discipline == Discipline.PHYSIOTHERAPY:
        return _("No physiotherapy clinics within %(radius)s km of %(place)s.") % values
    if discipline == Discipline.CHIROPRACTIC:
        return _("No chiropractic clinics within %(radius)s km of %(place)s.") % values
    if discipline == Discipline.MASSAGE_THERAPY:
        return _("No massage therapy clinics within %(radius)s km of %(place)s.") % values
    return _("No clinics within %(radius)s km of %(place)s match these filters.") % values
