"""Absolute links to this site, for whatever leaves a request behind: emails, .ics files, feeds, API answers.

They are built from ``settings.SITE_URL`` (the public address, checked at start-up by
``painhero.env.env_site_url``), never from a request's Host header: an email rendered by the worker has no
request, and a Host header is whatever the client sent.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def site_url() -> str:
    """``scheme://host[:port]`` of the public site, without a trailing slash."""
    return str(settings.SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """The public URL of a path on this site, e.g. ``absolute_url(reverse("booking:manage", ...))``."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"absolute_url takes a path starting with one slash, not {path!r}")
    return site_url() + path


def absolute_reverse(viewname: str, *, language: str | None = None, **kwargs: object) -> str:
    """``reverse`` made absolute; with ``language``, the page in that language (``/fr/...`` for French)."""
    if language is None:
        return absolute_url(reverse(viewname, **kwargs))  # type: ignore[arg-type]
    with translation.override(language):
        return absolute_url(reverse(viewname, **kwargs))  # type: ignore[arg-type]
