"""GET /api/v1/clinics/{id}/availability: a clinic's open times, in the clinic's own offset, a page at a time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from clinics.models import Clinic, Discipline, Practitioner, Service
from clinics.schemas import ALWAYS, MAX_ID, NO_NUL, errors, plain
from painhero.bounds import date_in_window, window_message
from scheduling import search, selectors
from scheduling.engine import from_ts, ts

router = Router(tags=["availability"])

DEFAULT_RANGE = timedelta(days=7)
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# Open times are computed from where the page starts a few hours at a time, the step doubling while the page
# is not full: a page of 100 at a 1,000-practitioner clinic is found in its first hours, not in the week.
FIRST_STEP = timedelta(hours=6)
# A cursor is the last open time of the page before: its start (UTC epoch seconds), practitioner and service.
CURSOR = r"^[0-9]{1,11}\.[0-9]{1,19}\.[0-9]{1,19}$"


class SlotOut(Schema):
    start: datetime
    end: datetime
    practitioner_id: int
    service_id: int


class AvailabilityOut(Schema):
    clinic_id: int
    time_zone: str
    next_available: datetime | None
    items: list[SlotOut]
    next: str | None = Field(
        description="The path and query of the next page (the same filters and window, continuing after the "
        "last item), or null when this page holds the last open times of the window."
    )


# Query parameters are absent or have a value, never JSON null: each is documented as its plain type.
QueryId = Annotated[
    int | None, Field(ge=1, le=MAX_ID, json_schema_extra=plain({"type": "integer", "minimum": 1, "maximum": MAX_ID}))
]
QueryDeprecatedId = Annotated[
    int | None,
    Field(
        ge=1,
        le=MAX_ID,
        json_schema_extra=plain(
            {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "deprecated": True,
                "description": "Use practitioner_id (an unknown practitioner here is a 400, not a 422).",
            }
        ),
    ),
]
QueryPractitionerId = Annotated[
    int | None,
    Field(
        ge=1,
        le=MAX_ID,
        json_schema_extra=plain(
            {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "Only this practitioner's open times (a 422 if no such practitioner works here).",
            }
        ),
    ),
]
QueryLimit = Annotated[
    int | None,
    Field(
        ge=1,
        le=MAX_LIMIT,
        json_schema_extra=plain(
            {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT,
                "description": "At most this many open times in the answer; `next` links to the rest.",
            }
        ),
    ),
]
QueryCursor = Annotated[
    str | None,
    Field(
        pattern=CURSOR,
        json_schema_extra=plain(
            {
                "type": "string",
                "pattern": CURSOR,
                "description": "Where to continue, as the `next` link gives it: the page holds the open times "
                "after this one (its start in epoch seconds, its practitioner and its service).",
                "examples": ["1796738400.12.3"],
            }
        ),
    ),
]
QueryDiscipline = Annotated[
    str | None, Field(json_schema_extra=plain({"type": "string", "enum": list(Discipline.values)}))
]
QueryMoment = Annotated[
    str | None,
    Field(
        json_schema_extra=plain(
            {
                "type": "string",
                "pattern": NO_NUL,
                "description": "A date (2026-12-03) or a date and time (2026-12-03T09:00, the clinic's wall "
                "clock, or with an offset).",
                "examples": ["2026-12-03", "2026-12-03T09:00"],
            }
        )
    ),
]


def clinic_get(reference: str) -> Clinic:
    """A clinic in the network by id or slug, or 404."""
    clinics = Clinic.objects.in_network()
    # isascii: str.isdigit() alone takes "²", which int() refuses; 18 digits: past that, no 64-bit id.
    by_id = reference.isascii() and reference.isdigit() and len(reference) <= 18
    clinic = (clinics.filter(pk=int(reference)) if by_id else clinics.filter(slug=reference[:200])).first()
    if clinic is None:
        raise HttpError(404, _("No clinic %(ref)s in the network.") % {"ref": reference[:100]})
    return clinic


def moment_parse(value: str, *, zone: ZoneInfo, name: str, now: datetime, end_of_day: bool = False) -> datetime:
    """A date (midnight in the clinic's zone; the next midnight for an end) or a datetime (naive: clinic's zone).

    Only inside the sane window (painhero.bounds): 9999-12-31 would overflow the day added for an end.
    """
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
        else:
            moment = datetime.fromisoformat(value.replace(" ", "+").replace("Z", "+00:00"))
            day = moment.date()
    except ValueError:
        raise HttpError(
            400, _("%(name)s must be a date (2026-12-03) or a date and time (2026-12-03T09:00).") % {"name": name}
        ) from None
    today = now.astimezone(zone).date()
    if not date_in_window(day, today=today):
        raise HttpError(400, f"{name}: {window_message(today=today)}")
    if len(value) == 10:
        return datetime.combine(day + timedelta(days=1 if end_of_day else 0), time.min, tzinfo=zone)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _cursor_parse(value: str) -> tuple[int, int, int]:
    moment, practitioner_id, service_id = (int(part) for part in value.split("."))
    return moment, practitioner_id, service_id


def _next_link(request: HttpRequest, *, window: tuple[datetime, datetime], last: selectors.OpenTime) -> str:
    """The same request with its window written out (a default "from now" must not move) and a cursor."""
    query = request.GET.copy()
    query["start"], query["end"] = window[0].isoformat(), window[1].isoformat()
    query["cursor"] = f"{ts(last.start)}.{last.practitioner_id}.{last.service_id}"
    return f"{request.path}?{urlencode(sorted(query.items()))}"


@router.get(
    "/{clinic_ref}/availability",
    response={200: AvailabilityOut, **errors(*ALWAYS, 404)},
    summary="Open times of a clinic",
    operation_id="availability_list",
    openapi_extra={
        "responses": {
            200: {
                "links": {
                    "HoldTheFirstTime": {
                        "operationId": "hold_create",
                        "requestBody": {
                            "practitioner_id": "$response.body#/items/0/practitioner_id",
                            "service_id": "$response.body#/items/0/service_id",
                            "start": "$response.body#/items/0/start",
                        },
                    }
                }
            }
        }
    },
)
def availability(
    request: HttpRequest,
    clinic_ref: Annotated[str, Field(pattern=NO_NUL)],
    service: QueryId = None,
    practitioner_id: QueryPractitionerId = None,
    practitioner: QueryDeprecatedId = None,
    discipline: QueryDiscipline = None,
    start: QueryMoment = None,
    end: QueryMoment = None,
    limit: QueryLimit = None,
    cursor: QueryCursor = None,
) -> dict[str, Any]:
    """Open times starting in ``[start, end)``, sorted by start, with the clinic's UTC offset, a page at a time.

    ``start``/``end`` are dates or datetimes (a date as ``end`` includes that day); by default from now for
    7 days. The range may not be longer than the booking horizon. At most ``limit`` open times per answer
    (100 unless asked); ``next`` is the link to the following page, null on the last one.
    """
    clinic = clinic_get(clinic_ref)
    zone = ZoneInfo(clinic.time_zone)
    now = timezone.now()
    service_obj = None
    if service is not None:
        service_obj = Service.objects.filter(pk=service, clinic=clinic, is_active=True).first()
        if service_obj is None:
            raise HttpError(400, _("This clinic offers no service %(id)s.") % {"id": service})
    practitioner_obj = None
    if practitioner is not None:
        practitioner_obj = Practitioner.objects.filter(pk=practitioner, clinic=clinic, is_active=True).first()
        if practitioner_obj is None:
            raise HttpError(400, _("No practitioner %(id)s works at this clinic.") % {"id": practitioner})
    if (
        practitioner_id is not None
        and not Practitioner.objects.filter(pk=practitioner_id, clinic=clinic, is_active=True).exists()
    ):
        raise HttpError(
            422, _("practitioner_id: no practitioner %(id)s works at this clinic.") % {"id": practitioner_id}
        )
    if discipline is not None and discipline not in Discipline.values:
        raise HttpError(400, _("discipline must be one of: %(values)s.") % {"values": ", ".join(Discipline.values)})
    window_start = moment_parse(start, zone=zone, name="start", now=now) if start else now
    window_end = (
        moment_parse(end, zone=zone, name="end", now=now, end_of_day=True) if end else window_start + DEFAULT_RANGE
    )
    if window_end <= window_start:
        raise HttpError(400, _("end must be after start."))
    if service_obj is not None:
        horizon = selectors.service_rules_get(service=service_obj).horizon_days
    else:
        horizon = selectors.booking_rules_get(clinic=clinic).horizon_days
    if window_end - window_start > timedelta(days=horizon):
        raise HttpError(
            400, _("The range may be at most %(days)s days long (this clinic's booking horizon).") % {"days": horizon}
        )
    limit = limit or DEFAULT_LIMIT
    after = _cursor_parse(cursor) if cursor is not None else None
    found: list[selectors.OpenTime] = []
    more = from_cache = False
    if (
        after is None
        and window_start <= now
        and discipline is None
        and practitioner is None
        and practitioner_id is None
    ):
        first = search.open_times_first_page_practitioners(
            clinic=clinic, service_id=service, start=window_start, end=window_end, now=now, limit=limit
        )
        if first is not None:
            pids, last_start = first
            found = selectors.open_times_list(
                clinic=clinic,
                start=window_start,
                end=min(window_end, last_start + timedelta(seconds=1)),
                now=now,
                service=service_obj,
                practitioner_ids=pids,
            )
            if len(found) <= limit:  # the cache was behind: compute everyone instead
                found = []
            else:
                from_cache = True
    step_start = max(window_start, from_ts(after[0], zone)) if after is not None else window_start
    step = FIRST_STEP
    # One more than the page, to know whether a next page exists; steps go on until then or the window's end.
    while not from_cache and step_start < window_end and len(found) <= limit:
        step_end = min(step_start + step, window_end)
        for slot in selectors.open_times_list(
            clinic=clinic,
            start=step_start,
            end=step_end,
            now=now,
            service=service_obj,
            practitioner=practitioner_obj,
            practitioner_ids=[practitioner_id] if practitioner_id is not None else None,
            discipline=discipline,
        ):
            if after is None or (ts(slot.start), slot.practitioner_id, slot.service_id) > after:
                found.append(slot)
        step_start, step = step_end, step * 2
    if len(found) > limit:
        found, more = found[:limit], True
    if found and cursor is None and window_start <= now:
        # The window starts now and every open time in it was computed: the first is the next available.
        upcoming: list[datetime] | None = [found[0].start]
    else:
        upcoming = search.next_open_times_for_clinics(
            clinic_ids=[clinic.pk],
            now=now,
            discipline=discipline,
            service_id=service,
            practitioner_id=practitioner_id or practitioner,
            count=1,
        ).get(clinic.pk)
    return {
        "clinic_id": clinic.pk,
        "time_zone": clinic.time_zone,
        "next_available": from_ts(ts(upcoming[0]), zone) if upcoming else None,
        "items": [
            {"start": s.start, "end": s.end, "practitioner_id": s.practitioner_id, "service_id": s.service_id}
            for s in found
        ],
        "next": _next_link(request, window=(window_start, window_end), last=found[-1]) if more else None,
    }
