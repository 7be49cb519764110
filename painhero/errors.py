"""The CSRF failure page: a friendly 403 that says to reload the page and try again.

Django's 404, 403 and 500 handlers render ``templates/404.html``, ``403.html`` and ``500.html`` by
themselves; only the CSRF failure view needs replacing (``CSRF_FAILURE_VIEW``) to reach the request,
the visitor's language and a link back to the page the form came from.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template import loader


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason ("CSRF cookie not set.") is for developers, and Django logs it; the page explains.
    reload_url = request.path if request.path.startswith("/") and not request.path.startswith("//") else "/"
    html = loader.render_to_string("403_csrf.html", {"reload_url": reload_url}, request=request)
    return HttpResponseForbidden(html)
