"""FHIR R4 resources as plain dicts: PainHero's clinics, their kinds of care and their open times.

Pure functions of the data they are given (no queries), so the bulk feed, the read API and the tests build
the very same JSON. Ids follow both FHIR (``[A-Za-z0-9-.]{1,64}``) and SMART Scheduling Links (alphanumerics,
``_`` and ``.``, at most 64): digits and dots only.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from clinics.models import Clinic, Discipline

FHIR_JSON = "application/fhir+json; charset=utf-8"
FHIR_NDJSON = "application/fhir+ndjson"
FHIR_VERSION = "4.0.1"

# The HL7 service-type code system of FHIR R4 4.0.1 (http://terminology.hl7.org/CodeSystem/service-type, the
# example value set http://hl7.org/fhir/ValueSet/service-type that Schedule.serviceType is bound to): its
# concepts 65 "Physiotherapy", 52 "Chiropractic" and 25 "Massage Therapy" (category 8, Allied health, and
# 2, Alternative therapies), with their displays exactly as the code system spells them.
SERVICE_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/service-type"
SERVICE_TYPES: dict[str, tuple[str, str]] = {
    Discipline.PHYSIOTHERAPY: ("65", "Physiotherapy"),
    Discipline.CHIROPRACTIC: ("52", "Chiropractic"),
    Discipline.MASSAGE_THERAPY: ("25", "Massage Therapy"),
}
DISCIPLINE_OF_CODE = {code: discipline for discipline, (code, _display) in SERVICE_TYPES.items()}

BOOKING_DEEP_LINK = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
BOOKING_PHONE = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone"
SLOT_CAPACITY = "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity"

# Slot.status (http://hl7.org/fhir/ValueSet/slotstatus, required binding in R4).
SLOT_STATUSES = frozenset({"busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error"})

# FHIR R4's instant: a full date and time to the second with a zone, "Z" or +hh:mm (not "-05").
INSTANT = re.compile(
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def instant(moment: datetime) -> str:
    """``moment`` (aware) as a FHIR instant with its offset, to the second: ``2026-12-08T10:00:00-05:00``."""
    if moment.tzinfo is None:
        raise ValueError("a FHIR instant needs an aware datetime")
    return moment.isoformat(timespec="seconds")


def location_id(clinic_id: int) -> str:
    return str(clinic_id)


def schedule_id(clinic_id: int, discipline: str) -> str:
    """``<clinic>.<HL7 service-type code>``, e.g. ``12.65`` for physiotherapy at clinic 12."""
    return f"{clinic_id}.{SERVICE_TYPES[discipline][0]}"


def schedule_parse(value: str) -> tuple[int, str] | None:
    """(clinic id, discipline) of one of our Schedule ids, or None."""
    clinic, _dot, code = value.partition(".")
    if not clinic.isdigit() or not clinic.isascii() or code not in DISCIPLINE_OF_CODE:
        return None
    return int(clinic), DISCIPLINE_OF_CODE[code]


def slot_id(*, clinic_id: int, discipline: str, start: datetime, end: datetime) -> str:
    """Stable across feeds: the same open time has the same id each time it is published.

    ``<schedule id>.<start, epoch seconds>.<minutes>``: one Slot per schedule, start and length.
    """
    minutes = int((end - start).total_seconds()) // 60
    return f"{schedule_id(clinic_id, discipline)}.{int(start.timestamp())}.{minutes}"


def location_resource(clinic: Clinic, *, identifier_system: str, page_url: str) -> dict[str, Any]:
    """A clinic as a Location (its city loaded by the caller)."""
    return {
        "resourceType": "Location",
        "id": location_id(clinic.pk),
        "identifier": [{"system": identifier_system, "value": clinic.slug}],
        "status": "active",
        "name": clinic.name,
        "telecom": [{"system": "phone", "value": clinic.phone}, {"system": "url", "value": page_url}],
        "address": {
            "line": [clinic.address],
            "city": clinic.city.name,
            "state": clinic.province,
            "postalCode": clinic.postal_code,
            "country": "CA",
        },
        "position": {"latitude": clinic.latitude, "longitude": clinic.longitude},
    }


def service_type(discipline: str) -> list[dict[str, Any]]:
    code, display = SERVICE_TYPES[discipline]
    return [{"coding": [{"system": SERVICE_TYPE_SYSTEM, "code": code, "display": display}], "text": display}]


def schedule_resource(clinic_id: int, discipline: str) -> dict[str, Any]:
    """One clinic's calendar for one kind of care."""
    return {
        "resourceType": "Schedule",
        "id": schedule_id(clinic_id, discipline),
        "active": True,
        "serviceType": service_type(discipline),
        "actor": [{"reference": f"Location/{location_id(clinic_id)}"}],
    }


def slot_resource(
    *,
    clinic_id: int,
    discipline: str,
    start: datetime,
    end: datetime,
    booking_url: str,
    phone: str,
    capacity: int = 1,
    status: str = "free",
) -> dict[str, Any]:
    """One open time (start and end in the clinic's zone, so each carries its offset).

    ``capacity``: how many practitioners are free then (the spec's slot-capacity extension, for otherwise
    identical Slots); the deep link books the first of them, ``practitioner_id`` for ``service_id``. A busy
    Slot (``booking_url`` empty) has no deep link.
    """
    extension: list[dict[str, Any]] = [{"url": BOOKING_DEEP_LINK, "valueUrl": booking_url}] if booking_url else []
    extension.append({"url": BOOKING_PHONE, "valueString": phone})
    if capacity > 1:
        extension.append({"url": SLOT_CAPACITY, "valueInteger": capacity})
    # A time can be free with one practitioner and booked with another: two Slots, two ids.
    suffix = "" if status == "free" else f".{status}"
    return {
        "resourceType": "Slot",
        "id": slot_id(clinic_id=clinic_id, discipline=discipline, start=start, end=end) + suffix,
        "schedule": {"reference": f"Schedule/{schedule_id(clinic_id, discipline)}"},
        "status": status,
        "start": instant(start),
        "end": instant(end),
        "extension": extension,
    }


def operation_outcome(message: str, *, code: str = "invalid", expression: str | None = None) -> dict[str, Any]:
    """An error as FHIR says it: one issue, its code from http://hl7.org/fhir/ValueSet/issue-type."""
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": message}
    if expression is not None:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


# Appointment.status (http://hl7.org/fhir/ValueSet/appointmentstatus, required binding in R4) of each of ours.
APPOINTMENT_STATUSES = {"booked": "booked", "cancelled": "cancelled", "completed": "fulfilled", "no_show": "noshow"}


def appointment_resource(
    *, pk: int, clinic_id: int, status: str, discipline: str, start: datetime, end: datetime, practitioner: str
) -> dict[str, Any]:
    """One appointment for the clinic's own software: when, what kind of care, with whom. No patient details and
    nothing of what hurts: those stay in the portal."""
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(pk),
        "status": APPOINTMENT_STATUSES[status],
        "start": instant(start),
        "end": instant(end),
        "minutesDuration": int((end - start).total_seconds()) // 60,
        "participant": [
            {"actor": {"reference": f"Location/{location_id(clinic_id)}"}, "status": "accepted"},
            {"actor": {"display": practitioner}, "status": "accepted"},
        ],
    }
    if discipline in SERVICE_TYPES:
        resource["serviceType"] = service_type(discipline)
    return resource
