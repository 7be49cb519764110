"""Refuse input that no page can use before it reaches a view: a NUL character.

PostgreSQL cannot store or even compare a string with NUL (0x00) in it, so a ``%00`` in a search box, a
token or a form field became a 500 deep in a query. No legitimate text has one, so the answer is a 400
at the door, for the path, the query string and the form fields (uploaded files may hold any bytes and
are not looked at); JSON bodies of the API too, where it is written ``\\u0000``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

_JSON_NUL = re.compile(rb"(?<!\\)\\u0000", re.IGNORECASE)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info or "\x00" in request.path:
        return True
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type in _FORM_TYPES:
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    if content_type == "application/json" or content_type.endswith("+json"):
        return b"\x00" in request.body or _JSON_NUL.search(request.body) is not None
    return False


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = _("The request contains a NUL character (0x00), which no field accepts: remove it.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
