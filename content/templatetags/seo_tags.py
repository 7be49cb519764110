"""``{% seo_head %}``: the canonical URL, hreflang pairs (en, fr, x-default) and Open Graph tags of a page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from content import seo
from painhero.urls_abs import absolute_url

register = template.Library()


@register.inclusion_tag("content/_seo_head.html", takes_context=True)
def seo_head(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    language = "fr" if (get_language() or "en").startswith("fr") else "en"
    found: dict[str, Any] = {
        "title": context.get("page_title") or _("Find a physiotherapist, chiropractor or massage therapist"),
        "description": context.get("page_description") or seo.default_description(),
        "og_type": context.get("og_type") or "website",
        "locale": seo.LANGUAGE_TAGS[language].replace("-", "_"),
        "other_locale": seo.LANGUAGE_TAGS["en" if language == "fr" else "fr"].replace("-", "_"),
        "canonical": "",
        "alternates": [],
        "robots": "",
    }
    # Only a page that was routed (not an error page) has an address to name; the query string is left out. A
    # private page (``private_page``: an intake's steps and answer) is named nowhere and kept out of indexes.
    if context.get("private_page"):
        found["robots"] = "noindex, nofollow"
        return found
    if request is None or getattr(request, "resolver_match", None) is None:
        return found
    paths = seo.page_languages(request.path)
    found["canonical"] = absolute_url(paths[language])
    if paths["en"] != paths["fr"]:
        found["alternates"] = [
            *({"tag": code, "url": absolute_url(paths[code])} for code in seo.LANGUAGE_TAGS),
            {"tag": "x-default", "url": absolute_url(paths["en"])},
        ]
    return found
