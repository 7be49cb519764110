"""JSON API for a series of visits booked in one step (booking.series): all or none."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja import Router, Schema
from pydantic import Field

from booking.api import (
    BOOKING_ERRORS,
    IDEMPOTENCY_KEY,
    Id,
    PatientIn,
    _bookable,
    _idempotency_key,
    _patient,
    _start_refused,
)
from booking.emails import manage_url
from booking.errors import BookingError
from booking.idempotency import request_hash
from booking.models import AppointmentSource
from booking.patients import NOTE_MAX_LENGTH, PatientDetails
from booking.series import MAX_VISITS, SeriesBooked, SeriesTaken, SeriesVisit, series_book
from clinics.schemas import NO_NUL, ErrorOut, errors
from painhero.http import client_ip

router = Router(tags=["booking"])

# A body longer than this is refused by validation before anything is read; the service's own limit (36 visits)
# answers with a sentence that names it.
STARTS_MAX_ITEMS = 100


class SeriesIn(Schema):
    practitioner_id: Id
    service_id: Id
    starts: list[datetime] = Field(
        max_length=STARTS_MAX_ITEMS,
        description=f"Every visit's start, with its offset (at most {MAX_VISITS}); all are booked or none.",
    )
    patient: PatientIn
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH, pattern=NO_NUL)
    language: str | None = Field(default=None, max_length=16, pattern=NO_NUL)
    care_plan_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=NO_NUL,
        description="The token of the care plan these visits carry out: the series is linked to it.",
    )


class SeriesAppointmentOut(Schema):
    id: int
    start: datetime
    end: datetime
    manage_url: str = Field(description="The patient's private page for this visit: see, cancel or move it alone.")


class SeriesOut(Schema):
    id: int
    appointments: list[SeriesAppointmentOut]


class ConflictOut(Schema):
    start: datetime
    alternatives: list[datetime] = Field(description="The nearest open starts for this visit, nearest first.")


class SeriesTakenOut(ErrorOut):
    conflicts: list[ConflictOut]


def _series_out(booked: SeriesBooked) -> dict[str, Any]:
    zone = ZoneInfo(booked.series.clinic.time_zone)
    return {
        "id": booked.series.pk,
        "appointments": [
            {
                "id": appointment.pk,
                "start": appointment.start.astimezone(zone),
                "end": appointment.end.astimezone(zone),
                "manage_url": manage_url(appointment),
            }
            for appointment in booked.appointments
        ],
    }


@router.post(
    "/appointment-series",
    response={200: SeriesOut, 201: SeriesOut, 409: SeriesTakenOut, **errors(*(c for c in BOOKING_ERRORS if c != 409))},
    operation_id="appointment_series_create",
    summary="Book several visits at once (all or none)",
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
)
def appointment_series_create_view(request: HttpRequest, payload: SeriesIn) -> Any:
    key = _idempotency_key(request)
    if not isinstance(key, str):
        return key
    now = timezone.now()
    for start in payload.starts:
        refused = _start_refused(start, now=now, field="starts")
        if refused:
            return refused
    patient = _patient(payload.patient, note=payload.note)
    if not isinstance(patient, PatientDetails):
        return patient
    found = _bookable(payload.practitioner_id, payload.service_id)
    if isinstance(found[0], int):
        return found
    practitioner, service = found
    body = payload.dict()
    body.pop("care_plan_token", None)  # a secret: only its presence goes into the stored hash
    body["with_care_plan"] = payload.care_plan_token is not None
    try:
        booked = series_book(
            visits=[SeriesVisit(practitioner=practitioner, service=service, start=start) for start in payload.starts],
            patient=patient,
            now=now,
            source=AppointmentSource.API,
            idempotency_key=key,
            body_hash=request_hash(body),
            ip=client_ip(request),
            language=payload.language or translation.get_language_from_request(request),
            care_plan_token=payload.care_plan_token or "",
        )
    except SeriesTaken as taken:
        return 409, {
            "detail": taken.message,
            "conflicts": [
                {"start": conflict.start, "alternatives": conflict.alternatives} for conflict in taken.conflicts
            ],
        }
    except BookingError as error:
        return error.status, {"detail": error.message}
    return (200 if booked.replayed else 201), _series_out(booked)
