"""Keep secrets and patients' details out of logs (DESIGN.md invariants 5 and 12).

One idea, one place: ``url_redact`` is what every log line that names a URL goes through, whether
gunicorn writes it (``painhero.gunicorn_conf.RedactingLogger``) or Django does (``RedactSecretsFilter``
on the log handlers, for the ``Not Found: /path`` warnings and error reports).

- A token in a path (manage links, calendar feeds, invitations, password resets) becomes ``[redacted]``.
  Any other long mixed-case segment is treated as a token too, so a route added later is safe by default.
- A query string keeps its parameter names only: ``?city=&discipline=``. Values are what people typed
  (a phone number, what hurts) or secrets; names are enough to tell what was asked.
- A full URL (the Referer) keeps its scheme and host and is redacted the same way.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlsplit

REDACTED = "[redacted]"

# (prefix that names a secret route, the secret after it). Language prefixes (/fr/) come before them.
_SECRET_SEGMENTS = (
    # A number there is the API's appointment id (/api/v1/appointments/42), not a secret.
    re.compile(r"(/appointments/)(?!\d+(?:[/?#\s\"]|$))([^/?#\s\"]+)"),
    re.compile(r"(/portal/feeds/)([^/?#\s\"]+?)(?=\.ics|[/?#\s\"]|$)"),
    re.compile(r"(/portal/invitations/)([^/?#\s\"]+)"),
    re.compile(r"(/portal/password/reset/[^/?#\s\"]+/)([^/?#\s\"]+)"),
    re.compile(r"(/reset/[^/?#\s\"]+/)([^/?#\s\"]+)"),
    # A care plan's page (/care-plan/<token>/) and its API (/api/v1/care-plans/<token>/book).
    re.compile(r"(/care-plans?/)([^/?#\s\"]+)"),
    re.compile(r"(/check-in/)(?!thanks(?:[/?#\s\"]|$))([^/?#\s\"]+)"),  # outcome check-in links
)
# secrets.token_urlsafe(16+) almost always mixes upper case, lower case and digits; slugs never do.
_TOKEN_LIKE = re.compile(
    r"(?<=/)(?=[A-Za-z0-9_-]{20,}(?:[/?#\s\".]|$))(?=[^/]*[A-Z])(?=[^/]*[a-z])(?=[^/]*[0-9])[A-Za-z0-9_-]+"
)
# Path-like runs inside free text (a log message), each redacted with its query string.
_PATH_IN_TEXT = re.compile(r"(?:https?://[^\s\"'<>/]+)?/[^\s\"'<>]*")


def path_redact(path: str) -> str:
    """A path with its secret segments replaced; no query string handling."""
    for pattern in _SECRET_SEGMENTS:
        path = pattern.sub(lambda m: m.group(1) + (REDACTED if m.group(2) != "set-password" else m.group(2)), path)
    return _TOKEN_LIKE.sub(REDACTED, path)


def query_redact(query: str) -> str:
    """Parameter names only, in order, without values: ``city=&discipline=``."""
    if not query:
        return ""
    names = [name for name, _value in parse_qsl(query, keep_blank_values=True)]
    if not names:
        return REDACTED
    return "&".join(f"{path_redact('/' + name)[1:]}=" for name in names)


def url_redact(url: str | None) -> str:
    """A path, path with query, or absolute URL, fit for a log line."""
    if not url or url == "-":
        return url or ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    query = query_redact(parts.query)
    # A fragment never reaches the server in a request line, but a Referer is whatever the client sent.
    return origin + path_redact(parts.path) + (f"?{query}" if query else "")


def text_redact(text: str) -> str:
    """Every URL or path found in free text, redacted (for log messages and tracebacks)."""
    return _PATH_IN_TEXT.sub(lambda m: url_redact(m.group(0)), text)


class RedactSecretsFilter(logging.Filter):
    """A handler filter: rewrites each record's message (and its traceback) with ``text_redact``.

    On the handler, not a logger, so that records propagating from ``django.request`` and friends are
    caught too. The request object Django attaches to the record is dropped: its POST body and headers
    must never be formatted by a handler further down.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, never the arguments
            message = str(record.msg)
        record.msg = text_redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = text_redact(record.exc_text)
            # The formatter would otherwise format exc_info again, unredacted, when exc_text is empty.
            record.exc_info = None
        if hasattr(record, "request"):
            record.request = None
        return True
