"""gunicorn settings for PainHero: ``gunicorn painhero.wsgi -c painhero/gunicorn_conf.py``.

The access log goes through ``RedactingLogger``: tokens in paths and in the Referer become ``[redacted]``,
query strings keep their parameter names only, and cookies, credentials and the environ never reach a
log line, whatever ``access_log_format`` asks for. Anything here can still be overridden on the command
line (``--bind``, ``--workers``, ``--access-logfile``).
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger

from painhero.redact import url_redact

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WORKERS", "2"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The combined format, with the request time in milliseconds; %(r)s, %(U)s, %(q)s and %(f)s are redacted.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
# A gunicorn worker stuck longer than this on one request is replaced.
timeout = 30
graceful_timeout = 20

# The only headers a custom access_log_format may print (Referer and Location are redacted); others are dropped.
_SAFE_REQUEST_HEADERS = {"user-agent", "accept", "accept-language", "content-type", "content-length", "host"}
_SAFE_RESPONSE_HEADERS = {"content-type", "content-length", "retry-after", "cache-control"}


class RedactingLogger(Logger):
    """gunicorn's logger, with every atom that can carry a secret or a patient's details redacted."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        target = url_redact(f"{path}?{query}" if query else path)
        safe: dict[str, Any] = {
            key: value
            for key, value in atoms.items()
            if not key.startswith("{")
            or (key.endswith("}i") and key[1:-2] in _SAFE_REQUEST_HEADERS)
            or (key.endswith("}o") and key[1:-2] in _SAFE_RESPONSE_HEADERS)
        }
        safe["r"] = f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL', '-')}"
        safe["U"] = url_redact(path)
        safe["q"] = url_redact(f"/?{query}")[2:] if query else ""
        referer = environ.get("HTTP_REFERER")
        safe["f"] = url_redact(referer) if referer else "-"
        safe["{referer}i"] = safe["f"]
        location = {k.lower(): v for k, v in getattr(resp, "headers", []) or []}.get("location")
        if location:
            safe["{location}o"] = url_redact(location)
        # Basic-auth user names are personal details; nobody signs in that way here.
        safe["u"] = "-"
        return safe


logger_class = RedactingLogger
# No control socket: one per user by default, so two servers (or test runs) on a machine would share it.
control_socket_disable = True
