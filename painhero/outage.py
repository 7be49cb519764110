"""While the database is unreachable, answer 503 with Retry-After instead of "Server Error (500)".

``OutageMiddleware`` comes first in ``MIDDLEWARE``. Django turns every exception raised below it (in a
view or in another middleware, such as the session being saved) into a 500 response before it could see
the exception itself, so it listens to ``got_request_exception``, which Django sends while the exception
is being handled, marks the request when the exception is a database outage, and swaps the 500 for:

- under ``/api/``: a JSON problem, ``{"detail": "..."}``, as every other API error;
- elsewhere: ``templates/503.html``, in the visitor's language, rendered from nothing but the request
  (the page and the site's base template read nothing from the database).

Django still logs the error (through the redacting filter), so an outage is seen in the logs.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
_MARK = "_painhero_database_outage"


def database_outage(exc: BaseException | None) -> bool:
    """True for the errors a lost or refused database connection raises (not for a bad query)."""
    return isinstance(exc, OperationalError | InterfaceError)


def _mark_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and database_outage(sys.exc_info()[1]):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_outage, dispatch_uid="painhero.outage")


def outage_response(request: HttpRequest) -> HttpResponse:
    """503 for a visitor (branded page) or an API client (JSON problem), with Retry-After."""
    if request.path.startswith("/api/"):
        body = json.dumps({"detail": _("The service is briefly unavailable. Please try again in a minute.")})
        response = HttpResponse(body, status=503, content_type="application/json")
    else:
        try:
            html: str = loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}, request=request)
        except Exception:  # the page itself failed: still say 503, in as few words as can be sent
            logger.exception("503 page could not be rendered")
            html = str(_("PainHero is briefly unavailable. Please try again in a minute."))
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _MARK, False):
            return outage_response(request)
        return response
