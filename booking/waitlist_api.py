"""JSON API for the waitlist: join (POST), see (GET) and leave (DELETE) by the entry's token."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from booking.api import Id, PatientIn
from booking.errors import BookingError
from booking.models import WaitlistEntry, WaitlistStatus
from booking.patients import patient_details_parse
from booking.waitlist import (
    RADIUS_KM_MAX,
    WINDOWS_MAX,
    WaitlistWhere,
    waitlist_for_token,
    waitlist_join,
    waitlist_leave,
)
from booking.waitlist_offers import waitlist_offer_standing
from clinics.models import Clinic, Practitioner, Service
from clinics.schemas import ALWAYS, NO_NUL, errors

router = Router(tags=["waitlist"])

TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class WindowIn(Schema):
    from_: str = Field(alias="from", pattern=TIME, description="Wall-clock time in the clinic's zone, e.g. 08:00.")
    to: str = Field(pattern=TIME)


class WaitlistIn(Schema):
    clinic_id: Id | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    radius_km: int | None = Field(default=None, ge=1, le=RADIUS_KM_MAX)
    discipline: Literal["physiotherapy", "chiropractic", "massage_therapy"] | None = None
    service_id: Id | None = None
    practitioner_id: Id | None = None
    before: date = Field(description="The last day an earlier time still helps (in the clinic's zone).")
    windows: list[WindowIn] = Field(default_factory=list, max_length=WINDOWS_MAX)
    patient: PatientIn
    language: str | None = Field(default=None, max_length=16, pattern=NO_NUL)


class OfferOut(Schema):
    hold_id: int
    start: str
    end: str
    practitioner_id: int
    service_id: int
    expires_at: str


class WaitlistOut(Schema):
    id: int
    token: str
    status: str
    before: date
    offer: OfferOut | None = None


def _out(entry: WaitlistEntry, *, now: datetime) -> dict[str, Any]:
    # Expiry is derived when read (no GET writes): an entry past its date is over.
    status = entry.status
    if status == WaitlistStatus.WAITING and entry.before < now.date():
        status = WaitlistStatus.EXPIRED
    offer = waitlist_offer_standing(entry=entry, now=now)
    shown = None
    if offer is not None and offer.hold_id is not None:
        shown = {
            "hold_id": offer.hold_id,
            "start": offer.start.isoformat(),
            "end": offer.end.isoformat(),
            "practitioner_id": offer.practitioner_id,
            "service_id": offer.service_id,
            "expires_at": offer.expires_at.isoformat(),
        }
    return {"id": entry.pk, "token": entry.token, "status": status, "before": entry.before, "offer": shown}


def _found(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise BookingError(_("%(field)s: there is no such one.") % {"field": field})
    return found


@router.post("/waitlist", response={201: WaitlistOut, **errors(*ALWAYS, 409)}, operation_id="waitlist_join")
def waitlist_join_view(request: HttpRequest, payload: WaitlistIn) -> Any:
    now = timezone.now()
    try:
        patient = patient_details_parse(
            name=payload.patient.name,
            email=payload.patient.email,
            phone=payload.patient.phone,
            sms_reminders=payload.patient.sms_reminders,
        )
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        return 422, {"detail": f"patient.{field}: {messages[0]}"}
    try:
        where = WaitlistWhere(
            clinic=_found(Clinic, payload.clinic_id, "clinic_id"),
            service=_found(Service, payload.service_id, "service_id"),
            practitioner=_found(Practitioner, payload.practitioner_id, "practitioner_id"),
            latitude=payload.lat,
            longitude=payload.lng,
            radius_km=payload.radius_km,
            discipline=payload.discipline or "",
        )
        entry = waitlist_join(
            where=where,
            before=payload.before,
            windows=[{"from": w.from_, "to": w.to} for w in payload.windows],
            patient=patient,
            language=payload.language,
            now=now,
        )
    except BookingError as error:
        return (422 if error.status == 400 else error.status), {"detail": error.message}
    return 201, _out(entry, now=now)


@router.get("/waitlist/{token}", response={200: WaitlistOut, **errors(*ALWAYS, 404)}, operation_id="waitlist_get")
def waitlist_get_view(request: HttpRequest, token: str) -> Any:
    entry = waitlist_for_token(token=token)
    if entry is None:
        return 404, {"detail": _("There is no waitlist entry with this token.")}
    return 200, _out(entry, now=timezone.now())


@router.delete("/waitlist/{token}", response={200: WaitlistOut, **errors(*ALWAYS, 404)}, operation_id="waitlist_leave")
def waitlist_leave_view(request: HttpRequest, token: str) -> Any:
    entry = waitlist_for_token(token=token)
    if entry is None:
        return 404, {"detail": _("There is no waitlist entry with this token.")}
    entry = waitlist_leave(entry=entry, now=timezone.now())
    return 200, _out(entry, now=timezone.now())
