"""GET /api/v1/clinics/{id}/availability: a clinic's open times, in the clinic's own offset."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
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


# Query parameters are absent or have a value, never JSON null: each is documented as its plain type.
QueryId = Annotated[
    int | None, Field(ge=1, le=MAX_ID, json_schema_extra=plain({"type": "integer", "minimum": 1, "maximum": MAX_ID}))
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
    practitioner: QueryId = None,
    discipline: QueryDiscipline = None,
    start: QueryMoment = None,
    end: QueryMoment = None,
):
    """Open times starting in ``[start, end)``, sorted by start, with the clinic's UTC offset.

    ``start``/``end`` are dates or datetimes (a date as ``end`` includes that day); by default from now for
    7 days. The range may not be longer than the booking horizon.
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
    slots = selectors.open_times_list(
        clinic=clinic,
        start=window_start,
        end=window_end,
        now=now,
        service=service_obj,
        practitioner=practitioner_obj,
        discipline=discipline,
    )
    upcoming = search.next_open_times_for_clinics(
        clinic_ids=[clinic.pk],
        now=now,
        discipline=discipline,
        service_id=service,
        practitioner_id=practitioner,
        count=1,
    ).get(clinic.pk)
    return {
        "clinic_id": clinic.pk,
        "time_zone": clinic.time_zone,
        "next_available": from_ts(ts(upcoming[0]), zone) if upcoming else None,
        "items": [
            {"start": s.start, "end": s.end, "practitioner_id": s.practitioner_id, "service_id": s.service_id}
            for s in slots
        ],
    }
