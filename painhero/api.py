"""The public JSON API, version 1: one NinjaAPI that each app adds its router to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

api = NinjaAPI(
    title="PainHero API",
    version="1",
    description="Find physiotherapy, chiropractic and massage therapy clinics across Canada, "
    "compare their open times and book.",
    urls_namespace="api-v1",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with one readable sentence per problem, plus the machine-readable details."""
    messages = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path"))
        messages.append(f"{where}: {error.get('msg', 'invalid value')}" if where else error.get("msg", ""))
    return api.create_response(request, {"detail": "; ".join(messages), "errors": exc.errors}, status=422)


def _add_routers() -> None:
    from clinics.api import router as clinics_router
    from places.api import router as places_router

    api.add_router("/clinics", clinics_router)
    api.add_router("/cities", places_router)


_add_routers()
