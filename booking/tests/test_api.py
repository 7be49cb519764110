from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from booking.models import Appointment, Hold, IdempotencyKey
from painhero.testing import NOW, SLOT, World, later


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def body(world: World, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "practitioner_id": world.chen.pk,
        "service_id": world.service.pk,
        "start": SLOT.isoformat(),
        "patient": {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "(416) 555-0123"},
        "note": "Sore knee",
    }
    data.update(fields)
    return data


def post(client: Client, url: str, data: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_it_books_with_an_idempotency_key_and_answers_201(client: Client, world: World) -> None:
    response = post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "abc"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {
        "id",
        "status",
        "start",
        "end",
        "clinic_id",
        "practitioner_id",
        "service_id",
        "manage_url",
        "manage_token",
    }
    assert data["status"] == "booked" and data["clinic_id"] == world.clinic.pk
    appointment = Appointment.objects.get()
    assert appointment.patient_phone == "+14165550123"
    assert data["manage_url"].endswith(f"/appointments/{appointment.manage_token}/")


def test_the_same_key_and_body_again_return_the_same_appointment(client: Client, world: World) -> None:
    first = post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "abc"}).json()
    again = post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "abc"})
    assert again.status_code == 200
    assert again.json() == first  # the replay reads exactly like the first answer, times included
    assert Appointment.objects.count() == 1


def test_times_in_the_answer_carry_the_clinic_offset(client: Client, world: World) -> None:
    data = post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "abc"}).json()
    start = datetime.fromisoformat(data["start"])
    assert start.utcoffset() == SLOT.astimezone(ZoneInfo(world.clinic.time_zone)).utcoffset()
    assert start == SLOT


def test_the_same_key_with_another_body_is_422(client: Client, world: World) -> None:
    post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "abc"})
    response = post(
        client, "/api/v1/appointments", body(world, start=later(60).isoformat()), **{"Idempotency-Key": "abc"}
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]


def test_a_retry_while_the_first_is_in_flight_is_409(client: Client, world: World) -> None:
    payload = body(world)
    # What the first request left behind mid-way: a claim without an appointment.
    response = post(client, "/api/v1/appointments", payload, **{"Idempotency-Key": "abc"})
    IdempotencyKey.objects.filter(key="abc").update(appointment=None)
    again = post(client, "/api/v1/appointments", payload, **{"Idempotency-Key": "abc"})
    assert response.status_code == 201 and again.status_code == 409
    assert "still being processed" in again.json()["detail"]


def test_a_taken_time_is_409_with_alternatives(client: Client, world: World) -> None:
    post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "one"})
    response = post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "two"})
    assert response.status_code == 409
    alternatives = response.json()["alternatives"]
    assert alternatives and alternatives[0]["practitioner_id"] == world.chen.pk


def test_it_needs_an_idempotency_key(client: Client, world: World) -> None:
    response = post(client, "/api/v1/appointments", body(world))
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"patient": {"name": "Jo", "email": "nope", "phone": "4165550123"}}, "patient.email"),
        ({"patient": {"name": "Jo", "email": "jo@example.com", "phone": "123"}}, "patient.phone"),
        ({"practitioner_id": 999999}, "practitioner_id"),
        ({"start": f"{SLOT:%Y-%m-%dT%H:%M:%S}"}, "time zone"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client: Client, world: World, change: dict[str, Any], field: str) -> None:
    response = post(client, "/api/v1/appointments", body(world, **change), **{"Idempotency-Key": "abc"})
    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert "Sore knee" not in response.content.decode()


def test_a_hold_is_created_booked_with_its_token_and_released(client: Client, world: World) -> None:
    response = post(
        client,
        "/api/v1/holds",
        {"practitioner_id": world.chen.pk, "service_id": world.service.pk, "start": SLOT.isoformat()},
    )
    assert response.status_code == 201
    held = response.json()
    assert held["expires_at"].startswith(f"{(NOW + timedelta(minutes=5)).astimezone(UTC):%Y-%m-%dT%H:%M}")
    booked = post(
        client,
        "/api/v1/appointments",
        body(world, hold_id=held["id"], hold_token=held["token"]),
        **{"Idempotency-Key": "abc"},
    )
    assert booked.status_code == 201
    assert not Hold.objects.exists()


def test_a_hold_is_released_only_with_its_token(client: Client, world: World) -> None:
    held = post(
        client,
        "/api/v1/holds",
        {"practitioner_id": world.chen.pk, "service_id": world.service.pk, "start": SLOT.isoformat()},
    ).json()
    assert client.delete(f"/api/v1/holds/{held['id']}", headers={"X-Hold-Token": "wrong"}).status_code == 404
    response = client.delete(f"/api/v1/holds/{held['id']}", headers={"Authorization": f"Bearer {held['token']}"})
    assert response.status_code == 204
    assert not Hold.objects.exists()


def test_a_held_time_is_409_for_another_client(client: Client, world: World) -> None:
    hold = {"practitioner_id": world.chen.pk, "service_id": world.service.pk, "start": SLOT.isoformat()}
    post(client, "/api/v1/holds", hold)
    response = post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "abc"})
    assert response.status_code == 409


def test_the_manage_token_reads_cancels_and_reschedules(client: Client, world: World) -> None:
    created = post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "abc"}).json()
    token = Appointment.objects.get().manage_token
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/appointments/{created['id']}", headers=auth).json()["id"] == created["id"]
    moved = post(client, f"/api/v1/appointments/{created['id']}/reschedule", {"start": later(60).isoformat()}, **auth)
    assert moved.status_code == 200
    assert datetime.fromisoformat(moved.json()["start"]) == later(60)
    cancelled = post(client, f"/api/v1/appointments/{created['id']}/cancel", {}, **{"X-Manage-Token": token})
    assert cancelled.json()["status"] == "cancelled"


def test_another_patients_token_is_404(client: Client, world: World) -> None:
    mine = post(client, "/api/v1/appointments", body(world), **{"Idempotency-Key": "a"}).json()
    post(client, "/api/v1/appointments", body(world, start=later(60).isoformat()), **{"Idempotency-Key": "b"})
    theirs = Appointment.objects.exclude(pk=mine["id"]).get()
    auth = {"Authorization": f"Bearer {theirs.manage_token}"}
    assert client.get(f"/api/v1/appointments/{mine['id']}", headers=auth).status_code == 404
    assert post(client, f"/api/v1/appointments/{mine['id']}/cancel", {}, **auth).status_code == 404
    assert client.get(f"/api/v1/appointments/{mine['id']}").status_code == 404
