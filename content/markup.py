"""Guide Markdown to safe HTML: ``markdown`` renders, ``nh3`` (the Ammonia sanitizer) keeps only what is listed.

Guides are plain Markdown: no raw HTML, no images, links only within the site or to https:// addresses.
Whatever the Markdown holds, what reaches a page is the allow-list below.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

from places.models import fold

TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre", "hr", "br",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href"}, "th": {"align"}, "td": {"align"}}
_TAG = re.compile(r"<[^>]+>")


def render(text: str) -> str:
    """The sanitized HTML of a guide's Markdown body."""
    rendered = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        rendered,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"https"},
        link_rel="noopener",
        strip_comments=True,
    )


def plain_text(rendered_html: str) -> str:
    """The words of rendered HTML, without tags or entities."""
    return " ".join(html.unescape(_TAG.sub(" ", rendered_html)).split())


def search_text(*parts: str) -> str:
    """What the site search matches on: lower-case and accent-free ("Épaule" matches "epaule")."""
    return fold(" ".join(" ".join(part.split()) for part in parts))
