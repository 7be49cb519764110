"""Joining, reading and leaving the waitlist through the API: clear 4xx for what is wrong, the token as the key."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from booking.models import WaitlistEntry, WaitlistStatus
from clinics.models import NetworkStatus
from painhero.testing import NOW, World, day

PATIENT = {"name": "Ana Waits", "email": "ana@example.com", "phone": "416 555 0188"}


def post(client: Client, data: dict[str, Any]) -> Any:
    return client.post("/api/v1/waitlist", json.dumps(data), content_type="application/json")


def at_clinic(world: World, **fields: Any) -> dict[str, Any]:
    return {"clinic_id": world.clinic.pk, "before": day(10).isoformat(), "patient": PATIENT} | fields


def test_a_patient_joins_a_clinics_waitlist_with_windows_and_gets_a_token(client: Client, world: World) -> None:
    response = post(
        client,
        at_clinic(world, service_id=world.service.pk, windows=[{"from": "08:00", "to": "12:00"}], language="fr"),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "token", "status", "before", "offer"}
    assert (data["status"], data["offer"]) == ("waiting", None)
    entry = WaitlistEntry.objects.get(pk=data["id"])
    assert (entry.clinic, entry.service, entry.windows, entry.language) == (
        world.clinic,
        world.service,
        [{"from": "08:00", "to": "12:00"}],
        "fr",
    )
    assert entry.patient_phone == "+14165550188" and entry.created_at == NOW
    assert entry.discipline == world.service.discipline


def test_a_patient_joins_from_search_by_area_and_discipline(client: Client, world: World) -> None:
    body = {"lat": 43.65, "lng": -79.38, "radius_km": 10, "discipline": "physiotherapy", "before": day(5).isoformat()}
    response = post(client, body | {"patient": PATIENT | {"sms_reminders": True}})
    assert response.status_code == 201, response.content
    entry = WaitlistEntry.objects.get()
    assert entry.clinic is None and entry.radius_km == 10 and entry.sms_consented_at == NOW


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"clinic_id": None}, "Send a clinic_id, or lat, lng and radius_km"),
        ({"clinic_id": 999999}, "clinic_id: there is no such one"),
        ({"before": "2020-01-01"}, "before: Choose a date between"),
        ({"before": "2999-01-01"}, "before: Choose a date between"),
        ({"windows": [{"from": "12:00", "to": "08:00"}]}, "each one must end after it starts"),
        ({"patient": PATIENT | {"phone": "12"}}, "patient.phone:"),
        ({"patient": PATIENT | {"phone": "1 800 555 0199", "sms_reminders": True}}, "cannot receive text messages"),
        ({"language": "xx"}, "language: use one of"),
    ],
)
def test_bad_input_gets_a_422_that_names_what_to_fix(
    client: Client, world: World, change: dict[str, Any], says: str
) -> None:
    response = post(client, at_clinic(world) | change)
    assert response.status_code == 422, response.content
    assert says in response.json()["detail"]
    assert not WaitlistEntry.objects.exists()


def test_another_clinics_service_is_refused(client: Client, world: World) -> None:
    response = post(client, at_clinic(world, service_id=world.other_service.pk))
    assert response.status_code == 422
    assert "service_id: not one of this clinic's" in response.json()["detail"]


def test_a_clinic_out_of_the_network_has_no_waitlist(client: Client, world: World) -> None:
    world.clinic.network_status = NetworkStatus.SUSPENDED
    world.clinic.save()
    assert post(client, at_clinic(world)).status_code == 409


def test_the_token_reads_and_leaves_and_a_wrong_one_is_a_404(client: Client, world: World, time_machine: Any) -> None:
    token = post(client, at_clinic(world)).json()["token"]
    assert client.get(f"/api/v1/waitlist/{token}").json()["status"] == "waiting"
    assert client.get("/api/v1/waitlist/not-the-token").status_code == 404
    assert client.delete("/api/v1/waitlist/not-the-token").status_code == 404

    left = client.delete(f"/api/v1/waitlist/{token}")
    assert (left.status_code, left.json()["status"]) == (200, "left")
    assert client.delete(f"/api/v1/waitlist/{token}").json()["status"] == "left"
    assert WaitlistEntry.objects.get().status == WaitlistStatus.LEFT


def test_an_entry_past_its_date_reads_as_expired_without_a_write(
    client: Client, world: World, time_machine: Any
) -> None:
    token = post(client, at_clinic(world, before=day(1).isoformat())).json()["token"]
    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    assert client.get(f"/api/v1/waitlist/{token}").json()["status"] == "expired"
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WAITING, "a GET changes nothing"
