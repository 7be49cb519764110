"""Reading guides for the pages. The table is small (a few dozen rows, shipped with the code), so the JSON lists
(techniques, related) are matched in Python over the published guides, read in one query and kept in the cache
under a token that any save or delete of a guide replaces (``guides_changed``), on either database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from content.catalog import KIND_HEADINGS, Kind
from content.models import Guide
from places.models import fold

SEARCH_MIN, SEARCH_MAX = 2, 100
RELATED_MAX = 8
CLINIC_GUIDES_MAX = 6


class GuideSearchError(ValueError):
    pass


@dataclass
class KindGroup:
    kind: str
    heading: str
    guides: list[Guide]


VERSION_KEY = "guides-version"


def guides_changed(**kwargs: Any) -> None:
    """A guide was saved or deleted: the cached list is no longer read (now, and again once the transaction
    commits, so a request that read the old rows in between cannot leave them cached under the new token)."""

    def replace() -> None:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)

    replace()
    transaction.on_commit(replace)


def _published() -> list[Guide]:
    token = cache.get(VERSION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, token, timeout=None):
            token = cache.get(VERSION_KEY) or token
    key = f"guides-published:{token}"
    guides: list[Guide] | None = cache.get(key)
    if guides is None:
        rows = Guide.objects.published().defer("body_markdown_en", "body_markdown_fr", "search_en", "search_fr")
        guides = list(rows.defer("body_html_en", "body_html_fr"))
        cache.set(key, guides)
    return guides


def guide_index() -> list[KindGroup]:
    """The published guides grouped by kind (treatments first), each group in title order."""
    guides = _published()
    groups = []
    for kind in Kind.values:
        of_kind = sorted((g for g in guides if g.kind == kind), key=lambda g: fold(g.title))
        if of_kind:
            groups.append(KindGroup(kind=kind, heading=str(KIND_HEADINGS[Kind(kind)]), guides=of_kind))
    return groups


def guide_get(*, slug: str) -> Guide | None:
    """The published guide ``slug``, or None."""
    return Guide.objects.published().filter(slug=slug).first()


def guides_related(*, guide: Guide) -> list[Guide]:
    """The guides ``guide`` names as related (in its order), then those that name it (so a treatment a condition
    names links back to the condition); published ones only."""
    others = {g.slug: g for g in _published() if g.slug != guide.slug}
    slugs = [s for s in guide.related if s in others]
    naming_it = (s for s, g in others.items() if guide.slug in g.related and s not in slugs)
    slugs += sorted(naming_it, key=lambda s: fold(others[s].title))
    return [others[s] for s in slugs[:RELATED_MAX]]


def guides_for_techniques(*, techniques: list[str]) -> list[Guide]:
    """Published treatment guides about any of ``techniques`` (a clinic's), in title order."""
    wanted = set(techniques)
    found = [g for g in _published() if g.kind == Kind.TREATMENT and wanted & set(g.techniques)]
    return sorted(found, key=lambda g: fold(g.title))[:CLINIC_GUIDES_MAX]


def guides_featured(*, techniques: list[str], limit: int = 4) -> list[Guide]:
    """Guides to feature where ``techniques`` are offered (a city's clinics): those about the most of them first.

    The site keeps no reading counts (a GET changes nothing), so "popular here" is "about what is offered here".
    """
    offered = set(techniques)
    scored = [(len(offered & set(g.techniques)), g) for g in _published()]
    scored = [(score, g) for score, g in scored if score]
    scored.sort(key=lambda pair: (-pair[0], fold(pair[1].title)))
    return [g for _score, g in scored[:limit]]


def guide_search(*, query: str) -> list[Guide]:
    """Published guides whose title, summary or body (in the visitor's language) holds every word of ``query``,
    accents and case ignored; title matches first. ``GuideSearchError`` for a query too short or too long."""
    text = " ".join(query.split())
    if len(text) < SEARCH_MIN:
        raise GuideSearchError("short")
    if len(text) > SEARCH_MAX:
        raise GuideSearchError("long")
    words = [w for w in fold(text).split() if len(w) >= 2] or [fold(text)]
    column = "search_fr" if (get_language() or "en").startswith("fr") else "search_en"
    guides = Guide.objects.published()
    for word in words:
        guides = guides.filter(**{f"{column}__contains": word})
    found = list(guides.defer("body_markdown_en", "body_markdown_fr"))
    return sorted(found, key=lambda g: (not all(w in fold(g.title) for w in words), fold(g.title)))
