"""Helpers of the interop tests: read a streamed FHIR file, parse resources with fhirclient (R4 4.0.1, strict)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from django.http import StreamingHttpResponse
from fhirclient.models.bundle import Bundle
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.location import Location
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.schedule import Schedule
from fhirclient.models.slot import Slot

MODELS: dict[str, Any] = {
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
