"""What search engines and link previews read: schema.org JSON-LD, the page's URL in each language, robots.txt.

JSON-LD is built as Python data and written with ``json_ld`` (json.dumps with ``<``, ``>`` and ``&`` escaped),
so no value a guide or a clinic holds can close the <script> element it sits in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clinics.models import WEEKDAYS, Clinic, OpeningHours
from content.models import Guide
from painhero.urls_abs import absolute_url

LANGUAGE_TAGS = {"en": "en-CA", "fr": "fr-CA"}
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
# What crawlers stay out of: booking steps and manage links (they carry private tokens), the clinic portal,
# the admin and the API. Everything else is public and listed in the sitemap.
# (Booking lives at /book/, manage links at /appointments/<token>/; both are also under /fr/.)
ROBOTS_DISALLOW = ("/book/", "/appointments/", "/portal/", "/admin/", "/api/", "/i18n/")
_UNTRANSLATED = ("/admin/", "/api/", "/i18n/")


def json_ld(data: dict[str, Any]) -> SafeString:
    """A <script type="application/ld+json"> element holding ``data``, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))


def page_languages(path: str) -> dict[str, str]:
    """This page's path in each language (``{"en": "/guides/x/", "fr": "/fr/guides/x/"}``)."""
    return {code: translate_url(path, code) for code in LANGUAGE_TAGS}


def breadcrumbs(items: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A schema.org BreadcrumbList of (name, path) pairs."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": number, "name": name, "item": absolute_url(path)}
            for number, (name, path) in enumerate(items, start=1)
        ],
    }


def guide_graph(*, guide: Guide, path: str, language: str, crumbs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A guide's MedicalWebPage (with lastReviewed and its reviewer), its breadcrumbs and, with a FAQ, a FAQPage."""
    page: dict[str, Any] = {
        "@type": "MedicalWebPage",
        "@id": absolute_url(path),
        "url": absolute_url(path),
        "name": guide.title,
        "headline": guide.title,
        "description": guide.summary,
        "inLanguage": LANGUAGE_TAGS[language],
        "lastReviewed": guide.reviewed.isoformat(),
        "reviewedBy": {"@type": "Organization", "name": guide.reviewer, "description": guide.reviewer_credentials},
        "publisher": {"@type": "Organization", "name": "PainHero", "url": absolute_url("/")},
        "citation": [
            {
                "@type": "ScholarlyArticle",
                "author": source["authors"],
                "name": source["title"],
                "isPartOf": source["journal"],
                "datePublished": str(source["year"]),
            }
            for source in guide.sources
        ],
    }
    graph: list[dict[str, Any]] = [page, breadcrumbs(crumbs)]
    if guide.faq:
        graph.append(
            {
                "@type": "FAQPage",
                "inLanguage": LANGUAGE_TAGS[language],
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": item["question"],
                        "acceptedAnswer": {"@type": "Answer", "text": item["answer"]},
                    }
                    for item in guide.faq
                ],
            }
        )
    return {"@context": "https://schema.org", "@graph": graph}


def clinic_graph(
    *, clinic: Clinic, hours: Sequence[OpeningHours], path: str, crumbs: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """A clinic profile's MedicalClinic (address, geo, opening hours) and breadcrumbs."""
    place: dict[str, Any] = {
        "@type": "MedicalClinic",
        "@id": absolute_url(path),
        "url": absolute_url(path),
        "name": clinic.name,
        "telephone": clinic.phone,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": clinic.address,
            "addressLocality": clinic.city.display_name,
            "addressRegion": clinic.province,
            "postalCode": clinic.postal_code,
            "addressCountry": "CA",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": clinic.latitude, "longitude": clinic.longitude},
        "openingHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{SCHEMA_DAYS[block.weekday]}",
                "opens": block.opens.strftime("%H:%M"),
                "closes": block.closes.strftime("%H:%M"),
            }
            for block in hours
            if 0 <= block.weekday < len(WEEKDAYS)
        ],
    }
    if clinic.website:
        place["sameAs"] = [clinic.website]
    return {"@context": "https://schema.org", "@graph": [place, breadcrumbs(crumbs)]}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *"]
    for prefix in ROBOTS_DISALLOW:
        lines.append(f"Disallow: {prefix}")
        if prefix not in _UNTRANSLATED:
            lines.append(f"Disallow: /fr{prefix}")
    lines.append("Disallow: /*/open-times/")  # the week fragment of a clinic page, not a page of its own
    lines.append(f"Sitemap: {absolute_url('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def default_description() -> str:
    return _("Compare inspected physiotherapy, chiropractic and massage therapy clinics across Canada and book online.")
