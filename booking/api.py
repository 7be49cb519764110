"""JSON API for holds and appointments: parse, authorize by token, call booking.services, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from booking.errors import BookingError, SlotTaken
from booking.idempotency import request_hash
from booking.models import Appointment, AppointmentSource, Hold
from booking.patients import NOTE_MAX_LENGTH, PatientDetails, phone_normalize
from booking.selectors import appointment_for_token, hold_for_token
from booking.services import appointment_book, appointment_cancel, appointment_reschedule, hold_create, hold_release
from clinics.models import Practitioner, Service

router = Router(tags=["booking"])


class HoldIn(Schema):
    practitioner_id: int
    service_id: int
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
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(max_length=254)
    phone: str = Field(max_length=40)
    first_visit: bool = True


class AppointmentIn(Schema):
    practitioner_id: int
    service_id: int
    start: datetime
    patient: PatientIn
    hold_id: int | None = None
    hold_token: str | None = None
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH)


class RescheduleIn(Schema):
    start: datetime
    practitioner_id: int | None = None


class AppointmentOut(Schema):
    id: int
    status: str
    start: datetime
    end: datetime
    clinic_id: int
    practitioner_id: int
    service_id: int
    manage_url: str


class Problem(Schema):
    detail: str
    alternatives: list[dict[str, Any]] = []


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _token(request: HttpRequest, header: str) -> str:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get(header, "").strip()


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
        "manage_url": request.build_absolute_uri(reverse("booking:manage", kwargs={"token": appointment.manage_token})),
    }


def _bookable(practitioner_id: int, service_id: int) -> tuple[Practitioner, Service] | tuple[int, dict[str, str]]:
    practitioner = Practitioner.objects.select_related("clinic").filter(pk=practitioner_id).first()
    if practitioner is None:
        return 422, {"detail": _("practitioner_id: there is no such practitioner.")}
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        return 422, {"detail": _("service_id: there is no such service.")}
    return practitioner, service


@router.post("/holds", response={201: HoldOut, 409: Problem, 422: Problem, 429: Problem, 503: Problem})
def hold_create_view(request: HttpRequest, payload: HoldIn) -> Any:
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
            ip=_ip(request),
        )
    except BookingError as error:
        return _problem(error)
    return 201, hold


@router.delete("/holds/{hold_id}", response={204: None, 404: Problem})
def hold_release_view(request: HttpRequest, hold_id: int) -> Any:
    hold = hold_for_token(hold_id=hold_id, token=_token(request, "X-Hold-Token"))
    if hold is None:
        return 404, {"detail": _("No such hold (or the token does not match).")}
    hold_release(hold=hold, now=timezone.now())
    return 204, None


@router.post(
    "/appointments", response={200: AppointmentOut, 201: AppointmentOut, 400: Problem, 409: Problem, 422: Problem}
)
def appointment_create_view(request: HttpRequest, payload: AppointmentIn) -> Any:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 255:
        return 400, {"detail": _("Send an Idempotency-Key header (1 to 255 characters), e.g. a UUID.")}
    try:
        validate_email(payload.patient.email)
    except DjangoValidationError:
        return 422, {"detail": _("patient.email: enter a valid email address.")}
    try:
        phone = phone_normalize(payload.patient.phone)
    except ValueError as exc:
        return 422, {"detail": f"patient.phone: {exc}"}
    found = _bookable(payload.practitioner_id, payload.service_id)
    if isinstance(found[0], int):
        return found
    practitioner, service = found
    hold: Hold | None = None
    hold_token = payload.hold_token or request.headers.get("X-Hold-Token", "")
    if payload.hold_id is not None:
        hold = Hold.objects.filter(pk=payload.hold_id).first()
        if hold is None:
            return 409, {"detail": _("This hold has lapsed or does not exist."), "alternatives": []}
    patient = PatientDetails(
        name=payload.patient.name.strip(),
        email=payload.patient.email.strip(),
        phone=phone,
        first_visit=payload.patient.first_visit,
        note=payload.note.strip(),
    )
    body = payload.dict()
    body.pop("hold_token", None)
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
            ip=_ip(request),
        )
    except BookingError as error:
        return _problem(error)
    return (200 if booked.replayed else 201), _out(request, booked.appointment)


def _appointment_or_404(request: HttpRequest, appointment_id: int) -> Appointment | None:
    return appointment_for_token(appointment_id=appointment_id, token=_token(request, "X-Manage-Token"))


NOT_FOUND = {"detail": "No such appointment (or the manage token does not match)."}


@router.get("/appointments/{appointment_id}", response={200: AppointmentOut, 404: Problem})
def appointment_detail_view(request: HttpRequest, appointment_id: int) -> Any:
    appointment = _appointment_or_404(request, appointment_id)
    if appointment is None:
        return 404, NOT_FOUND
    return 200, _out(request, appointment)


@router.post("/appointments/{appointment_id}/cancel", response={200: AppointmentOut, 404: Problem, 409: Problem})
def appointment_cancel_view(request: HttpRequest, appointment_id: int) -> Any:
    appointment = _appointment_or_404(request, appointment_id)
    if appointment is None:
        return 404, NOT_FOUND
    try:
        appointment = appointment_cancel(
            appointment=appointment, now=timezone.now(), source=AppointmentSource.API, ip=_ip(request)
        )
    except BookingError as error:
        return _problem(error)
    return 200, _out(request, appointment)


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, 404: Problem, 409: Problem, 422: Problem, 503: Problem},
)
def appointment_reschedule_view(request: HttpRequest, appointment_id: int, payload: RescheduleIn) -> Any:
    appointment = _appointment_or_404(request, appointment_id)
    if appointment is None:
        return 404, NOT_FOUND
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
            ip=_ip(request),
        )
    except BookingError as error:
        return _problem(error)
    return 200, _out(request, appointment)
