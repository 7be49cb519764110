"""Reading a feed's files from where its manifest says: file:// (a local export) or http(s), with a timeout."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 15
MAX_BYTES = 200 * 1024 * 1024


class FeedUnavailable(Exception):
    """The feed (or one of its files) could not be read: nothing is changed."""


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    return fetch_with_max_age(url, timeout=timeout)[0]


def max_age(cache_control: str) -> int | None:
    """The ``max-age`` of a Cache-Control header, in seconds (None when absent or malformed)."""
    for part in cache_control.split(","):
        name, _sep, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().isascii() and value.strip().isdigit():
            return int(value.strip())
    return None


def fetch_with_max_age(url: str, *, timeout: float = TIMEOUT_SECONDS) -> tuple[bytes, int | None]:
    """The body and the response's Cache-Control max-age (None for file:// and when it sends none)."""
    scheme = urlsplit(url).scheme
    if scheme not in ("file", "http", "https"):
        raise FeedUnavailable(_("%(url)s: only file://, http:// and https:// addresses can be read.") % {"url": url})
    request = urllib.request.Request(url, headers={"Accept": "application/fhir+ndjson, application/json"})  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            body = response.read(MAX_BYTES + 1)
            age = max_age(response.headers.get("Cache-Control", "") if scheme != "file" else "")
    except (OSError, ValueError) as exc:  # URLError and timeouts are OSErrors
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise FeedUnavailable(_("%(url)s could not be read (%(reason)s).") % {"url": url, "reason": reason}) from None
    if len(body) > MAX_BYTES:
        raise FeedUnavailable(_("%(url)s is larger than %(mb)s MB.") % {"url": url, "mb": MAX_BYTES // 2**20})
    return bytes(body), age
