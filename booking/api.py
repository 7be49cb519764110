"""JSON API for holds and appointments: parse, authorize by token, call booking.services, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from booking.emails import manage_url
from booking.errors import BookingError, SlotTaken
from booking.idempotency import request_hash
from booking.models import Appointment, AppointmentSource, Hold, WaitlistStatus
from booking.patients import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PatientDetails,
    patient_details_parse,
)
from booking.selectors import appointment_for_token, hold_for_token
from booking.services import appointment_book, appointment_cancel, appointment_reschedule, hold_create, hold_release
from booking.waitlist import waitlist_for_token
from booking.waitlist_offers import waitlist_offer_accept, waitlist_offer_standing
from clinics.models import Practitioner, Service
from clinics.schemas import ALWAYS, MAX_ID, NO_NUL, errors
from painhero.bounds import date_in_window, window_message
from painhero.http import client_ip, secret_token

router = Router(tags=["booking"])


# An id as the databases hold it: a bigger or non-positive one is a 422 from validation, never a 500.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# Every refusal a booking service can give (booking.errors): 400 a request it cannot carry out, 409 the time
# is taken (with alternatives) or the appointment can no longer change, 422 not bookable or an
# Idempotency-Key reused with another body, 429 too many holds, 503 busy, try again.
BOOKING_ERRORS = (*ALWAYS, 409, 429, 503)


def _header(name: str, description: str, *, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string", **schema},
    }


# Secret tokens are read from these headers or from `Authorization: Bearer <token>`; the answer for a missing or
# wrong token is 404, as for an unknown id, so that ids cannot be probed.
HOLD_TOKEN = _header("X-Hold-Token", "The hold's `token` (or send `Authorization: Bearer <token>`).")
MANAGE_TOKEN = _header(
    "X-Manage-Token",
    "The appointment's `manage_token` (or send `Authorization: Bearer <token>`); without the right one, 404.",
)
IDEMPOTENCY_KEY = _header(
    "Idempotency-Key",
    "A key of your choosing, e.g. a UUID: the same key and body again return the same appointment (200) "
    "instead of booking twice; the same key with another body is a 422.",
    required=True,
    minLength=1,
    maxLength=255,
    pattern="\\S",
)
CLIENT_KEY = _header(
    "X-Client-Key",
    "Optional: who holds the time (e.g. a browser session), so the same client can take its hold back.",
    maxLength=64,
)


def _links(**links: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """OpenAPI links: what an answer's values feed into (operation id, its parameters and body)."""
    result: dict[str, Any] = {}
    for name, (operation_id, values) in links.items():
        link: dict[str, Any] = {"operationId": operation_id}
        parameters = {key: value for key, value in values.items() if key != "requestBody"}
        if parameters:
            link["parameters"] = parameters
        if "requestBody" in values:
            link["requestBody"] = values["requestBody"]
        result[name] = link
    return result


APPOINTMENT_LINKS = _links(
    GetAppointment=(
        "appointment_get",
        {"path.appointment_id": "$response.body#/id", "header.X-Manage-Token": "$response.body#/manage_token"},
    ),
    CancelAppointment=(
        "appointment_cancel",
        {"path.appointment_id": "$response.body#/id", "header.X-Manage-Token": "$response.body#/manage_token"},
    ),
    RescheduleAppointment=(
        "appointment_reschedule",
        {"path.appointment_id": "$response.body#/id", "header.X-Manage-Token": "$response.body#/manage_token"},
    ),
)


class HoldIn(Schema):
    practitioner_id: Id
    service_id: Id
    start: datetime


class HoldOut(Schema):
    id: int
    token: str
    expires_at: datetime
    start: datetime
    end: datetime
    practitioner_id: int
    service_id: int


class PatientIn(Schema):
    name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH, pattern=NO_NUL)
    email: str = Field(max_length=EMAIL_MAX_LENGTH, pattern=NO_NUL, json_schema_extra={"format": "email"})
    phone: str = Field(
        max_length=40,
        pattern=NO_NUL,
        description="A phone number, e.g. 416 555 0123 (Canada) or +33 1 23 45 67 89; a 422 if it is not one.",
        json_schema_extra={"format": "phone"},
    )
    first_visit: bool = True
    # Text reminders to ``phone`` (which must then be able to take them); the consent is recorded with its time.
    sms_reminders: bool = False


class AppointmentIn(Schema):
    practitioner_id: Id
    service_id: Id
    start: datetime
    patient: PatientIn
    hold_id: Id | None = None
    hold_token: str | None = Field(default=None, max_length=64, pattern=NO_NUL)
    waitlist_token: str | None = Field(
        default=None,
        max_length=64,
        pattern=NO_NUL,
        description="To take a waitlist offer: the entry's token, with the offer's hold_id (the entry's contact "
        "details are booked). Sent again after it was taken: the same appointment, 200.",
    )
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH, pattern=NO_NUL)
    # The patient's language for emails and links ("en" or "fr"); without it, the request's Accept-Language.
    language: str | None = Field(default=None, max_length=16, pattern=NO_NUL)
    intake_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=NO_NUL,
        description="The `token` of the patient's intake (POST /api/v1/intake): the booking carries it. An "
        "emergency intake, or an urgent one without the recorded clearance, gets a 422 with the reason.",
    )


class RescheduleIn(Schema):
    start: datetime
    practitioner_id: Id | None = None


class AppointmentOut(Schema):
    id: int
    status: str
    start: datetime
    end: datetime
    clinic_id: int
    practitioner_id: int
    service_id: int
    manage_url: str = Field(description="The patient's private page to see, cancel or reschedule the appointment.")
    manage_token: str = Field(description="Send it as X-Manage-Token to read, cancel or reschedule through the API.")


def _problem(error: BookingError) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"detail": error.message}
    if isinstance(error, SlotTaken):
        body["alternatives"] = [
            {
                "start": o.start.isoformat(),
                "end": o.end.isoformat(),
                "practitioner_id": o.practitioner_id,
                "service_id": o.service_id,
            }
            for o in error.alternatives
        ]
    return error.status, body


def _out(request: HttpRequest, appointment: Appointment) -> dict[str, Any]:
    # Always in the clinic's zone, so a replayed or fetched appointment reads exactly like the first answer.
    zone = ZoneInfo(appointment.clinic.time_zone)
    return {
        "id": appointment.pk,
        "status": appointment.status,
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "clinic_id": appointment.clinic_id,
        "practitioner_id": appointment.practitioner_id,
        "service_id": appointment.service_id,
        "manage_url": manage_url(appointment),
        "manage_token": appointment.manage_token,
    }


def _start_refused(start: datetime, *, now: datetime, field: str = "start") -> tuple[int, dict[str, str]] | None:
    """A 422 for a ``start`` outside the sane window (painhero.bounds), before any arithmetic can overflow."""
    today = now.date()
    if date_in_window(start.date(), today=today):
        return None
    return 422, {"detail": f"{field}: {window_message(today=today)}"}


def _idempotency_key(request: HttpRequest) -> str | tuple[int, dict[str, str]]:
    """The request's Idempotency-Key, or the 400 that asks for one (every booking write requires it)."""
    raw_key = request.headers.get("Idempotency-Key", "")
    key = raw_key.strip()
    if not key or len(raw_key) > 255:
        return 400, {"detail": _("Send an Idempotency-Key header (1 to 255 characters), e.g. a UUID.")}
    return key


def _patient(patient: PatientIn, *, note: str) -> PatientDetails | tuple[int, dict[str, str]]:
    """The patient's details checked as a booking takes them, or the 422 naming the first bad one."""
    try:
        return patient_details_parse(
            name=patient.name,
            email=patient.email,
            phone=patient.phone,
            first_visit=patient.first_visit,
            note=note,
            sms_reminders=patient.sms_reminders,
        )
    except DjangoValidationError as exc:
        return 422, {"detail": _patient_problem(exc)}


def _patient_problem(exc: DjangoValidationError) -> str:
    """The first bad detail as ``patient.email: <the form's message>`` (the note is the body's own field)."""
    field, messages = next(iter(exc.message_dict.items()))
    return f"{field if field == 'note' else f'patient.{field}'}: {messages[0]}"


def _bookable(practitioner_id: int, service_id: int) -> tuple[Practitioner, Service] | tuple[int, dict[str, str]]:
    practitioner = Practitioner.objects.select_related("clinic").filter(pk=practitioner_id).first()
    if practitioner is None:
        return 422, {"detail": _("practitioner_id: there is no such practitioner.")}
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        return 422, {"detail": _("service_id: there is no such service.")}
    return practitioner, service


@router.post(
    "/holds",
    response={201: HoldOut, **errors(*BOOKING_ERRORS)},
    operation_id="hold_create",
    exclude_none=True,
    summary="Hold a time for 5 minutes",
    openapi_extra={
        "parameters": [CLIENT_KEY],
        "responses": {
            201: {
                "links": _links(
                    BookTheHeldTime=(
                        "appointment_create",
                        {
                            "header.X-Hold-Token": "$response.body#/token",
                            "requestBody": {
                                "practitioner_id": "$response.body#/practitioner_id",
                                "service_id": "$response.body#/service_id",
                                "start": "$response.body#/start",
                                "hold_id": "$response.body#/id",
                                "hold_token": "$response.body#/token",
                            },
                        },
                    ),
                    ReleaseTheHold=(
                        "hold_release",
                        {"path.hold_id": "$response.body#/id", "header.X-Hold-Token": "$response.body#/token"},
                    ),
                )
            }
        },
    },
)
def hold_create_view(request: HttpRequest, payload: HoldIn) -> Any:
    refused = _start_refused(payload.start, now=timezone.now())
    if refused:
        return refused
    found = _bookable(payload.practitioner_id, payload.service_id)
    if isinstance(found[0], int):
        return found
    practitioner, service = found
    try:
        hold = hold_create(
            practitioner=practitioner,
            service=service,
            start=payload.start,
            now=timezone.now(),
            owner_key=request.headers.get("X-Client-Key", "")[:64],
            ip=client_ip(request),
        )
    except BookingError as error:
        return _problem(error)
    return 201, hold


@router.delete(
    "/holds/{hold_id}",
    response={204: None, **errors(*ALWAYS, 404)},
    operation_id="hold_release",
    exclude_none=True,
    summary="Release a hold",
    openapi_extra={"parameters": [HOLD_TOKEN]},
)
def hold_release_view(request: HttpRequest, hold_id: Id) -> Any:
    hold = hold_for_token(hold_id=hold_id, token=secret_token(request, "X-Hold-Token"))
    if hold is None:
        return 404, {"detail": _("No such hold (or the token does not match).")}
    hold_release(hold=hold, now=timezone.now())
    return 204, None


@router.post(
    "/appointments",
    response={200: AppointmentOut, 201: AppointmentOut, **errors(*BOOKING_ERRORS)},
    operation_id="appointment_create",
    exclude_none=True,
    summary="Book an appointment",
    openapi_extra={
        "parameters": [IDEMPOTENCY_KEY, HOLD_TOKEN],
        "responses": {200: {"links": APPOINTMENT_LINKS}, 201: {"links": APPOINTMENT_LINKS}},
    },
)
def appointment_create_view(request: HttpRequest, payload: AppointmentIn) -> Any:
    key = _idempotency_key(request)
    if not isinstance(key, str):
        return key
    refused = _start_refused(payload.start, now=timezone.now())
    if refused:
        return refused
    patient = _patient(payload.patient, note=payload.note)
    if not isinstance(patient, PatientDetails):
        return patient
    found = _bookable(payload.practitioner_id, payload.service_id)
    if isinstance(found[0], int):
        return found
    practitioner, service = found
    if payload.waitlist_token:
        return _offer_take(request, payload)
    hold: Hold | None = None
    hold_token = payload.hold_token or request.headers.get("X-Hold-Token", "")
    if payload.hold_id is not None:
        # A booked hold is gone, but a retry of that booking must still replay it (same Idempotency-Key, same
        # body): so a missing hold goes to the service as the id it was, which replays first and otherwise
        # refuses it as lapsed (409 with alternatives), as for any hold that is no longer active.
        hold = Hold.objects.filter(pk=payload.hold_id).first() or Hold(pk=payload.hold_id)
    body = payload.dict()
    body.pop("hold_token", None)
    body.pop("intake_token", None)  # a secret: only its presence goes into the stored hash
    if payload.intake_token is not None:
        body["with_intake"] = True
    try:
        booked = appointment_book(
            practitioner=practitioner,
            service=service,
            start=payload.start,
            patient=patient,
            now=timezone.now(),
            source=AppointmentSource.API,
            hold=hold,
            hold_token=hold_token,
            idempotency_key=key,
            idempotency_scope="api",
            body_hash=request_hash(body),
            ip=client_ip(request),
            # The API is outside the /fr/ URLs, so LocaleMiddleware leaves it in English: ask the header.
            language=payload.language or translation.get_language_from_request(request),
            intake_token=payload.intake_token or "",
        )
    except BookingError as error:
        return _problem(error)
    return (200 if booked.replayed else 201), _out(request, booked.appointment)


def _offer_take(request: HttpRequest, payload: AppointmentIn) -> Any:
    """Book a waitlist offer through the same booking service (``booking.waitlist_offers``)."""
    now = timezone.now()
    entry = waitlist_for_token(token=payload.waitlist_token or "")
    taken = entry is not None and entry.status == WaitlistStatus.BOOKED
    offer = waitlist_offer_standing(entry=entry, now=now) if entry is not None else None
    if entry is None or (not taken and (offer is None or offer.hold_id != payload.hold_id)):
        return 409, {"detail": _("waitlist_token: there is no offer standing for it with this hold_id.")}
    try:
        appointment = waitlist_offer_accept(entry=entry, now=now, ip=client_ip(request))
    except BookingError as error:
        return _problem(error)
    return (200 if taken else 201), _out(request, appointment)


def _appointment_or_404(request: HttpRequest, appointment_id: int) -> Appointment | None:
    return appointment_for_token(appointment_id=appointment_id, token=secret_token(request, "X-Manage-Token"))


NOT_FOUND = {"detail": "No such appointment (or the manage token does not match)."}


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **errors(*ALWAYS, 404)},
    operation_id="appointment_get",
    exclude_none=True,
    summary="One appointment",
    openapi_extra={"parameters": [MANAGE_TOKEN]},
)
def appointment_detail_view(request: HttpRequest, appointment_id: Id) -> Any:
    appointment = _appointment_or_404(request, appointment_id)
    if appointment is None:
        return 404, NOT_FOUND
    return 200, _out(request, appointment)


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **errors(*BOOKING_ERRORS, 404)},
    operation_id="appointment_cancel",
    exclude_none=True,
    summary="Cancel an appointment",
    openapi_extra={"parameters": [MANAGE_TOKEN], "responses": {200: {"links": APPOINTMENT_LINKS}}},
)
def appointment_cancel_view(request: HttpRequest, appointment_id: Id) -> Any:
    appointment = _appointment_or_404(request, appointment_id)
    if appointment is None:
        return 404, NOT_FOUND
    try:
        appointment = appointment_cancel(
            appointment=appointment, now=timezone.now(), source=AppointmentSource.API, ip=client_ip(request)
        )
    except BookingError as error:
        return _problem(error)
    return 200, _out(request, appointment)


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, **errors(*BOOKING_ERRORS, 404)},
    operation_id="appointment_reschedule",
    exclude_none=True,
    summary="Move an appointment",
    openapi_extra={"parameters": [MANAGE_TOKEN], "responses": {200: {"links": APPOINTMENT_LINKS}}},
)
def appointment_reschedule_view(request: HttpRequest, appointment_id: Id, payload: RescheduleIn) -> Any:
    appointment = _appointment_or_404(request, appointment_id)
    if appointment is None:
        return 404, NOT_FOUND
    refused = _start_refused(payload.start, now=timezone.now())
    if refused:
        return refused
    practitioner = None
    if payload.practitioner_id is not None:
        practitioner = Practitioner.objects.filter(pk=payload.practitioner_id, clinic_id=appointment.clinic_id).first()
        if practitioner is None:
            return 422, {"detail": _("practitioner_id: no such practitioner at this clinic.")}
    try:
        appointment = appointment_reschedule(
            appointment=appointment,
            start=payload.start,
            practitioner=practitioner,
            now=timezone.now(),
            source=AppointmentSource.API,
            ip=client_ip(request),
        )
    except BookingError as error:
        return _problem(error)
    return 200, _out(request, appointment)
