"""The public JSON API, version 1: one NinjaAPI that each app adds its router to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from directory.search import SearchError
from painhero.json import JSONRenderer

api = NinjaAPI(
    title="PainHero API",
    version="1",
    description="Find physiotherapy, chiropractic and massage therapy clinics across Canada, "
    "compare their open times and book.\n\n"
    "Errors are JSON objects (`ErrorOut`) with a `detail` sentence that says what to fix: "
    "**400** for a query parameter this API cannot use (with `field` naming it), a page past the last one, "
    "a body that is not JSON or a NUL character anywhere in the request; "
    "**404** for something that does not exist, is not public, or whose token does not match; "
    "**409** for a time just taken (with `alternatives`) or an appointment that can no longer change; "
    "**422** for a parameter or body of the wrong type or out of range (with `errors`, from validation) "
    "or something that cannot be booked; **429** for too many holds at once; **503** busy, try again.\n\n"
    "Booking: `POST /holds` holds a time for 5 minutes and answers its `token`; `POST /appointments` needs an "
    "`Idempotency-Key` header and takes the hold's `hold_id` and `hold_token` (or `X-Hold-Token`); its answer "
    "carries the `manage_token` to send as `X-Manage-Token` (or `Authorization: Bearer`) to read, cancel or "
    "move the appointment. The document's links show which answer feeds which call.",
    urls_namespace="api-v1",
    # orjson: the same JSON as ninja's json.dumps encoder, in a fraction of the time (painhero/json.py).
    renderer=JSONRenderer(),
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with one readable sentence per problem, plus the machine-readable details."""
    messages = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path"))
        messages.append(f"{where}: {error.get('msg', 'invalid value')}" if where else error.get("msg", ""))
    return api.create_response(request, {"detail": "; ".join(messages), "errors": exc.errors}, status=422)


@api.exception_handler(SearchError)
def search_error(request: HttpRequest, exc: SearchError) -> HttpResponse:
    """400: the search parameters parse but cannot be used; ``field`` names the one to change."""
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=400)


def _add_routers() -> None:
    from booking.api import router as booking_router
    from booking.series_api import router as series_router
    from booking.waitlist_api import router as waitlist_router
    from directory.api import router as directory_router
    from directory.cities_api import router as cities_router
    from patients.api import router as patients_router
    from patients.careplan_api import router as careplan_router
    from quality.api import reviews_router
    from quality.api import router as quality_router
    from scheduling.api import router as scheduling_router

    api.add_router("/clinics", directory_router)
    api.add_router("/clinics", scheduling_router)
    api.add_router("/clinics", quality_router)
    api.add_router("/cities", cities_router)
    api.add_router("/", booking_router)
    api.add_router("/", series_router)
    api.add_router("/", patients_router)
    api.add_router("/", careplan_router)
    api.add_router("/", waitlist_router)
    api.add_router("/", reviews_router)


_add_routers()
