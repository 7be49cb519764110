"""Helpers of the interop tests: read a streamed FHIR file, parse resources with fhirclient (R4 4.0.1, strict)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from django.http import StreamingHttpResponse
from fhirclient.models.appointment import Appointment as FhirAppointment
from fhirclient.models.bundle import Bundle
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.location import Location
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.schedule import Schedule
from fhirclient.models.slot import Slot

from booking.models import Appointment, AppointmentSource
from clinics.models import Discipline
from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import World
from scheduling.testing import toronto

MODELS: dict[str, Any] = {
    "Appointment": FhirAppointment,
    "Bundle": Bundle,
    "CapabilityStatement": CapabilityStatement,
    "Location": Location,
    "OperationOutcome": OperationOutcome,
    "Schedule": Schedule,
    "Slot": Slot,
}


def strict(resource: dict[str, Any]) -> Any:
    """Parse with fhirclient in strict mode (raises on any unknown or malformed element); the model."""
    return MODELS[resource["resourceType"]](resource, strict=True)


def ndjson(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]  # a sync response
    assert body == b"" or body.endswith(b"\n")
    return [orjson.loads(line) for line in body.splitlines()]


@pytest.fixture
def fhir_settings(settings: Any) -> Any:
    settings.SITE_URL = "https://painhero.test"
    return settings


@pytest.fixture
def feedside(world: World) -> dict[str, Any]:
    """A clinic with no weekly hours: whatever it has open comes from the feed."""
    clinic = make_clinic(name="Feedside", slug="feedside")
    physio = make_practitioner(clinic=clinic, first_name="Pat", last_name="Physio")
    busy_physio = make_practitioner(clinic=clinic, first_name="Bo", last_name="Booked")
    chiro = make_practitioner(clinic=clinic, first_name="Cy", last_name="Chiro", discipline=Discipline.CHIROPRACTIC)
    physio_service = make_service(clinic=clinic, practitioners=[physio, busy_physio])
    chiro_service = make_service(
        clinic=clinic, practitioners=[chiro], discipline=Discipline.CHIROPRACTIC, name="Adjustment"
    )
    # Bo has an hour booked this week: the feed's physiotherapy goes to Pat, the least booked.
    Appointment.objects.create(
        clinic=clinic,
        practitioner=busy_physio,
        service=physio_service,
        start=toronto(2026, 12, 10, 9),
        end=toronto(2026, 12, 10, 10),
        source=AppointmentSource.WEB,
    )
    return {
        "clinic": clinic,
        "physio": physio,
        "chiro": chiro,
        "busy_physio": busy_physio,
        "service": physio_service,
        "chiro_service": chiro_service,
    }
