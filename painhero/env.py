"""Strict helpers for reading settings from the environment.

Each helper returns a safe default when the variable is unset and raises
``ImproperlyConfigured`` with a message that names the variable and says what
a valid value looks like when it is set to something that cannot be parsed.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# A DNS name or an IPv4 address (letters, digits, dots, hyphens) or an IPv6 address (urlsplit drops its brackets).
_HOST = re.compile(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+")


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_site_url(name: str, default: str, *, required: bool = False) -> str:
    """A site's public address, ``scheme://host[:port]``: http or https, a host, nothing after it.

    Returned without a trailing slash, so ``value + "/path"`` is always one absolute URL.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        if required:
            raise ImproperlyConfigured(f"{name} must be set, e.g. {name}=https://painhero.ca (the address in emails).")
        return default
    value = raw.strip()
    example = f"use the form https://painhero.ca or http://127.0.0.1:8000, e.g. {name}=https://painhero.ca"
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a URL: {example}.") from None
    if parts.scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"{name}={raw!r} must start with http:// or https://: {example}.")
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        raise ImproperlyConfigured(f"{name}={raw!r} has no valid host name: {example}.")
    if parts.username is not None or parts.password is not None:
        raise ImproperlyConfigured(f"{name}={raw!r} must not hold a user name or password: {example}.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ImproperlyConfigured(f"{name}={raw!r} must not have a path, query or fragment: {example}.")
    if port == 0:
        raise ImproperlyConfigured(f"{name}={raw!r} has port 0: {example}.")
    return f"{parts.scheme}://{parts.netloc.lower()}"
