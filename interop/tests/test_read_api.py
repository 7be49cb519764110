"""The FHIR R4 read API: metadata, Location, Schedule search, Slot search with paging; errors as OperationOutcome."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest

from clinics.models import NetworkStatus
from interop import fhir
from interop.tests.conftest import strict
from painhero.testing import World

pytestmark = pytest.mark.usefixtures("fhir_settings")


def _get(client: Any, path: str, **params: Any) -> tuple[int, dict[str, Any]]:
    response = client.get(path, params)
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    body = orjson.loads(response.content)
    strict(body)
    return response.status_code, body


def _schedule(world: World) -> str:
    return f"Schedule/{world.clinic.pk}.65"


def test_metadata_is_a_capability_statement_for_r4(world: World, client: Any) -> None:
    status, body = _get(client, "/fhir/metadata")
    assert status == 200
    assert body["fhirVersion"] == "4.0.1"
    kinds = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(kinds) == {"Location", "Schedule", "Slot", "Appointment"}
    assert [i["code"] for i in kinds["Appointment"]["interaction"]] == ["read"]
    assert {p["name"] for p in kinds["Slot"]["searchParam"]} == {"schedule", "start", "status"}


def test_location_read_answers_the_clinic_and_404_for_others(world: World, client: Any) -> None:
    status, body = _get(client, f"/fhir/Location/{world.clinic.pk}")
    assert status == 200 and body["name"] == "Alpha Physio"
    world.other_clinic.network_status = NetworkStatus.SUSPENDED
    world.other_clinic.save()
    for pk in (world.other_clinic.pk, 999999, "abc"):
        status, body = _get(client, f"/fhir/Location/{pk}")
        assert status == 404
        assert body["issue"][0]["code"] == "not-found"


def test_schedule_search_by_actor(world: World, client: Any) -> None:
    status, body = _get(client, "/fhir/Schedule", actor=f"Location/{world.clinic.pk}")
    assert status == 200 and body["type"] == "searchset" and body["total"] == 1
    assert body["entry"][0]["resource"]["id"] == f"{world.clinic.pk}.65"
    assert _get(client, "/fhir/Schedule", actor="Location/999999")[1]["total"] == 0
    assert _get(client, f"/fhir/Schedule/{world.clinic.pk}.65")[0] == 200
    assert _get(client, f"/fhir/Schedule/{world.clinic.pk}.52")[0] == 404  # no chiropractic there


def test_slot_search_pages_through_free_slots_in_a_start_range(world: World, client: Any) -> None:
    params = {
        "schedule": _schedule(world),
        "start": ["ge2026-12-08T09:00:00-05:00", "lt2026-12-08T12:00:00-05:00"],
        "status": "free",
        "_count": "5",
    }
    status, body = _get(client, "/fhir/Slot", **params)
    assert status == 200
    # 09:00 to 11:45 every 15 minutes (a start before noon) is 12 starts, each for chen and lee: capacity 2.
    assert body["total"] == 12
    seen = []
    while True:
        seen += [entry["resource"] for entry in body["entry"]]
        following = [link["url"] for link in body["link"] if link["relation"] == "next"]
        if not following:
            break
        url = urlsplit(following[0])
        response = client.get(f"{url.path}?{url.query}")
        body = orjson.loads(response.content)
        strict(body)
    assert len(seen) == 12 and len({s["id"] for s in seen}) == 12
    assert seen[0]["start"] == "2026-12-08T09:00:00-05:00"
    assert max(s["start"] for s in seen) == "2026-12-08T11:45:00-05:00"
    assert all(fhir.INSTANT.fullmatch(s["start"]) and s["status"] == "free" for s in seen)
    assert all({"url": fhir.SLOT_CAPACITY, "valueInteger": 2} in s["extension"] for s in seen)


def test_a_date_range_in_the_clinic_s_own_days(world: World, client: Any) -> None:
    status, body = _get(client, "/fhir/Slot", schedule=_schedule(world), start=["ge2026-12-09", "le2026-12-09"])
    assert status == 200
    starts = [e["resource"]["start"] for e in body["entry"]]
    assert starts and all(s.startswith("2026-12-09T") for s in starts)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"schedule": "Schedule/1.65", "start": "ge2026-12-08T09:00:00-05"}, "start"),
        ({"schedule": "Schedule/1.65", "start": "ge2026-12-08T09:00:00"}, "start"),
        ({"schedule": "Schedule/1.65", "start": "2026-12-08"}, "start"),
        ({"schedule": "Schedule/1.65", "start": ["ge2026-12-01", "lt2027-02-01"]}, "start"),
        ({"schedule": "Schedule/1.65", "status": "open"}, "status"),
        ({"schedule": "Schedule/1.65", "_count": "0"}, "_count"),
        ({"schedule": "Schedule/1.65", "practitioner": "Practitioner/1"}, "practitioner"),
        ({"schedule": "Location/1"}, "schedule"),
        ({"schedule": "Schedule/999999.65"}, "schedule"),
        ({}, "schedule"),
    ],
)
def test_bad_slot_search_parameters_are_a_400_naming_the_parameter(
    world: World, client: Any, params: dict[str, Any], parameter: str
) -> None:
    if params.get("schedule") == "Schedule/1.65":
        params = {**params, "schedule": _schedule(world)}
    status, body = _get(client, "/fhir/Slot", **params)
    assert status == 400
    issue = body["issue"][0]
    assert issue["severity"] == "error"
    assert issue["expression"] == [parameter]
    assert parameter in issue["diagnostics"] or parameter == "schedule"


def test_bad_schedule_search_parameters_are_a_400_too(world: World, client: Any) -> None:
    assert _get(client, "/fhir/Schedule")[1]["issue"][0]["expression"] == ["actor"]
    status, body = _get(client, "/fhir/Schedule", actor="123")
    assert status == 400 and body["issue"][0]["expression"] == ["actor"]
