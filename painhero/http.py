"""Small facts about a request that every app asks the same way."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(raw: str) -> str | None:
    """``raw`` as a normalized IP address, or None; tolerates the ``1.2.3.4:5678`` and ``[::1]:80``
    forms some proxies write. Anything else is refused, so no garbage reaches an ``inet`` column."""
    value = raw.strip()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person, not of our own proxy: the one helper every caller uses.

    ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_HEADER`` names the header our reverse proxy appends to (for
    example ``X-Forwarded-For``). Then the entry ``TRUSTED_PROXY_COUNT`` from the right: the address our
    outermost proxy saw. A client may send the header too, but what it writes stays to the left of what
    our proxies append, so it is never read. With the setting off the header is ignored entirely.
    A missing or malformed header falls back to ``REMOTE_ADDR`` (the proxy: a shared, safe answer).
    """
    if request is None:
        return None
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        entries = [part for part in request.headers.get(header, "").split(",") if part.strip()]
        if entries:
            # Fewer entries than proxies means a hop was skipped; the left-most was still written by one of ours.
            found = _address(entries[max(len(entries) - settings.TRUSTED_PROXY_COUNT, 0)])
            if found is not None:
                return found
    return _address(request.META.get("REMOTE_ADDR", ""))


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx asks for a fragment; a history restore (htmx sends the header then too) wants the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def secret_token(request: HttpRequest, header: str) -> str:
    """A secret sent as ``Authorization: Bearer <token>`` or in ``header`` (the API's manage, hold, intake tokens)."""
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get(header, "").strip()
