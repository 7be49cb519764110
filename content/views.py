"""The guide pages: the index by kind, one guide (a template per kind), the "what hurts?" search."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clinics.models import LISTED_STATUSES
from content import selectors, seo
from content.models import Guide
from places.models import City

CTA_CITIES = 6


def _language() -> str:
    return "fr" if (get_language() or "en").startswith("fr") else "en"


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    crumbs = [(_("Home"), reverse("directory:home")), (_("Health guides"), reverse("content:index"))]
    return render(
        request,
        "content/index.html",
        {
            "groups": selectors.guide_index(),
            "structured_data": seo.json_ld({"@context": "https://schema.org", **seo.breadcrumbs(crumbs)}),
        },
    )


def _search_filter(guide: Guide) -> dict[str, str]:
    """What "find clinics offering this" filters the search by: the guide's first technique, else its discipline."""
    if guide.techniques:
        return {"technique": guide.techniques[0]}
    if len(guide.disciplines) == 1:
        return {"discipline": guide.disciplines[0]}
    return {}


def _cta_cities() -> list[City]:
    in_network = Count("clinics", filter=Q(clinics__network_status__in=LISTED_STATUSES))
    return list(City.objects.annotate(n=in_network).filter(n__gt=0).order_by("-population", "name")[:CTA_CITIES])


@require_safe
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.guide_get(slug=slug)
    if found is None:
        raise Http404(_("There is no guide at this address."))
    path = reverse("content:guide", kwargs={"slug": found.slug})
    crumbs = [
        (_("Home"), reverse("directory:home")),
        (_("Health guides"), reverse("content:index")),
        (found.title, path),
    ]
    search_filter = _search_filter(found)
    # The intake's "tell us what hurts" and the free consultation take one discipline: the guide's first.
    discipline = found.disciplines[0] if found.disciplines else ""
    context: dict[str, Any] = {
        "guide": found,
        "related": selectors.guides_related(guide=found),
        "search_filter": search_filter,
        "search_query": urlencode(search_filter),
        "discipline": discipline,
        "cities": _cta_cities(),
        "page_title": found.title,
        "page_description": found.summary,
        "og_type": "article",
        "structured_data": seo.json_ld(seo.guide_graph(guide=found, path=path, language=_language(), crumbs=crumbs)),
    }
    return render(request, f"content/guide_{found.kind}.html", context)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results: list[Guide] | None = None
    error = ""
    status = 200
    if query.strip():
        try:
            results = selectors.guide_search(query=query)
        except selectors.GuideSearchError as exc:
            status = 400
            if str(exc) == "short":
                error = _("Type at least %(n)d letters, for example “back” or “shoulder”.") % {
                    "n": selectors.SEARCH_MIN
                }
            else:
                error = _("That is too long to search: use at most %(n)d characters, a few words are enough.") % {
                    "n": selectors.SEARCH_MAX
                }
    return render(
        request,
        "content/search.html",
        {"query": query[: selectors.SEARCH_MAX * 2], "results": results, "error": error},
        status=status,
    )
