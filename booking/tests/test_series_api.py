"""POST /api/v1/appointment-series (issue 13): 201 with every visit, 409 naming the conflicts and booking nothing,
the same key and body again the same series, and 422s that name the problem."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from booking.models import Appointment
from booking.services import appointment_book
from painhero.testing import SLOT, World, patient

URL = "/api/v1/appointment-series"


def body(world: World, starts: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "practitioner_id": world.chen.pk,
        "service_id": world.service.pk,
        "starts": [s if isinstance(s, str) else s.isoformat() for s in starts],
        "patient": {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "416 555 0123"},
        **extra,
    }


def post(client: Client, payload: dict[str, Any], key: str = "key-1") -> Any:
    return client.post(URL, json.dumps(payload), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def weeks(count: int) -> list[Any]:
    return [SLOT + timedelta(weeks=i) for i in range(count)]


def test_a_series_is_booked_whole_and_replayed_by_the_same_key(client: Client, world: World) -> None:
    answer = post(client, body(world, weeks(3)))
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert [a["start"] for a in data["appointments"]] == [s.isoformat() for s in weeks(3)]
    assert all("/appointments/" in a["manage_url"] for a in data["appointments"])
    again = post(client, body(world, weeks(3)))
    assert again.status_code == 200 and again.json() == data
    assert Appointment.objects.count() == 3
    other = post(client, body(world, weeks(2)))
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]


def test_a_taken_time_is_a_409_naming_it_with_alternatives_and_nothing_is_booked(client: Client, world: World) -> None:
    appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=weeks(3)[1],
        patient=patient(2),
        now=SLOT - timedelta(days=1),
    )
    answer = post(client, body(world, weeks(3)))
    assert answer.status_code == 409
    [conflict] = answer.json()["conflicts"]
    assert datetime.fromisoformat(conflict["start"]) == weeks(3)[1]
    assert conflict["alternatives"]
    assert not Appointment.objects.filter(patient_email="jo@example.com").exists()


@pytest.mark.parametrize(
    ("starts", "needle"),
    [
        ([SLOT + timedelta(days=i // 4, hours=i % 4) for i in range(37)], "at most 36 visits"),
        ([SLOT, SLOT], "given twice"),
        ([SLOT, SLOT + timedelta(minutes=15)], "begins before"),
        ([SLOT - timedelta(days=30)], "in the past"),
        (["2026-12-08T10:00:00"], "offset"),
    ],
)
def test_what_cannot_be_booked_as_asked_is_a_422_naming_it(
    client: Client, world: World, starts: list[Any], needle: str
) -> None:
    answer = post(client, body(world, starts))
    assert answer.status_code == 422, answer.content
    assert needle in answer.json()["detail"]
    assert not Appointment.objects.exists()


def test_without_an_idempotency_key_it_is_a_400(client: Client, world: World) -> None:
    answer = client.post(URL, json.dumps(body(world, weeks(1))), content_type="application/json")
    assert answer.status_code == 400 and "Idempotency-Key" in answer.json()["detail"]


def test_a_care_plan_token_with_no_care_plans_here_is_refused_and_books_nothing(client: Client, world: World) -> None:
    from booking import hooks

    saved = list(hooks._series_attachers)
    hooks._series_attachers.clear()
    try:
        answer = post(client, body(world, weeks(2), care_plan_token="abc"))
    finally:
        hooks._series_attachers[:] = saved
    assert answer.status_code == 422 and "care_plan_token" in answer.json()["detail"]
    assert not Appointment.objects.exists()


def test_the_document_declares_the_series_operation(client: Client, world: World) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/appointment-series"]["post"]
    assert {"200", "201", "409", "422"} <= set(operation["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
