"""Appointment/{id} for clinic staff with an API token: hashed at rest, one clinic only, revocable, 401 without."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import AppointmentStatus
from interop import fhir
from interop.models import ApiToken
from interop.tests.conftest import strict
from interop.tokens import api_token_create, api_token_revoke, token_hash
from painhero.testing import NOW, SLOT, World, book

pytestmark = pytest.mark.usefixtures("fhir_settings")


def _get(client: Any, path: str, token: str | None = None) -> tuple[int, dict[str, Any], Any]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    response = client.get(path, **headers)
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    body = orjson.loads(response.content)
    strict(body)
    return response.status_code, body, response


def test_a_token_reads_its_clinic_s_appointment_as_a_strict_fhir_r4_appointment(world: World, client: Any) -> None:
    visit = book(world, SLOT)
    _token, raw = api_token_create(clinic=world.clinic, name="Front desk PMS", now=NOW)
    status, body, response = _get(client, f"/fhir/Appointment/{visit.pk}", raw)
    assert status == 200
    assert body["status"] == "booked" and body["status"] in fhir.APPOINTMENT_STATUSES.values()
    assert body["start"] == "2026-12-08T10:00:00-05:00" and fhir.INSTANT.fullmatch(body["end"])
    assert body["minutesDuration"] == 30
    assert body["serviceType"][0]["coding"][0]["code"] == "65"
    assert body["participant"][0]["actor"]["reference"] == f"Location/{world.clinic.pk}"
    # What the patient said hurts and who they are stay in the portal.
    text = response.content.decode()
    assert "left knee" not in text and "sam@example.com" not in text and "Sam Patient" not in text
    assert response["Cache-Control"] == "private, no-store"


def test_reading_an_appointment_writes_nothing(world: World, client: Any) -> None:
    """No GET changes state: not even a token's bookkeeping (a prefetch or a crawler would rewrite it)."""
    visit = book(world, SLOT)
    _token, raw = api_token_create(clinic=world.clinic, name="PMS", now=NOW)
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, f"/fhir/Appointment/{visit.pk}", raw)[0] == 200
        assert _get(client, "/fhir/Appointment/999999", raw)[0] == 404
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_statuses_map_to_the_fhir_value_set(world: World, client: Any) -> None:
    _token, raw = api_token_create(clinic=world.clinic, name="PMS", now=NOW)
    for ours, theirs in (("cancelled", "cancelled"), ("completed", "fulfilled"), ("no_show", "noshow")):
        visit = book(world, SLOT + timedelta(hours=len(ours)), status=AppointmentStatus(ours))
        assert _get(client, f"/fhir/Appointment/{visit.pk}", raw)[1]["status"] == theirs


def test_another_clinic_s_appointment_is_not_found_as_one_that_does_not_exist(world: World, client: Any) -> None:
    theirs = book(world, SLOT, practitioner=world.other_practitioner)
    _token, raw = api_token_create(clinic=world.clinic, name="PMS", now=NOW)
    status, body, _response = _get(client, f"/fhir/Appointment/{theirs.pk}", raw)
    missing = _get(client, "/fhir/Appointment/999999", raw)
    assert status == missing[0] == 404
    assert body["issue"][0]["code"] == missing[1]["issue"][0]["code"] == "not-found"
    assert _get(client, "/fhir/Appointment/abc", raw)[0] == 404


def test_no_token_a_wrong_one_or_a_revoked_one_is_401(world: World, client: Any) -> None:
    visit = book(world, SLOT)
    token, raw = api_token_create(clinic=world.clinic, name="PMS", now=NOW)
    for sent in (None, "phk_wrong", ""):
        status, body, response = _get(client, f"/fhir/Appointment/{visit.pk}", sent)
        assert status == 401 and body["issue"][0]["code"] == "login"
        assert response["WWW-Authenticate"].startswith("Bearer")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        api_token_revoke(token=token, now=NOW + timedelta(hours=1))
    assert _get(client, f"/fhir/Appointment/{visit.pk}", raw)[0] == 401


def test_only_the_hash_is_stored(world: World) -> None:
    token, raw = api_token_create(clinic=world.clinic, name="PMS", now=NOW)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == token_hash(raw) and raw not in str(ApiToken.objects.values().get())
