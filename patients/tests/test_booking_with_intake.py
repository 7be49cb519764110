"""A booking that carries an intake (issue 12): checked and linked in the booking's transaction, by API and web."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from booking.models import Appointment
from booking.tests.test_free_consultation import free_consultation
from clinics.models import Delivery
from painhero.testing import SLOT, World
from patients.models import Intake, IntakeAccess, TriageLevel
from patients.services import intake_clearance_confirm, intake_create
from patients.tests.conftest import lower_back


def intake(**changes: Any) -> tuple[Intake, str]:
    created = intake_create(answers=lower_back(**changes), language="en", consent=True, now=SLOT)
    return created.intake, created.token


def book(client: Client, world: World, service: Any, token: str | None, key: str = "k1") -> Any:
    body: dict[str, Any] = {
        "practitioner_id": world.chen.pk,
        "service_id": service.pk,
        "start": SLOT.isoformat(),
        "patient": {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "(416) 555-0123"},
    }
    if token is not None:
        body["intake_token"] = token
    return client.post(
        "/api/v1/appointments", json.dumps(body), content_type="application/json", headers={"Idempotency-Key": key}
    )


@pytest.fixture
def free(world: World) -> Any:
    return free_consultation(world.clinic, [world.chen, world.lee], delivery=Delivery.PHONE)


def test_a_routine_intake_goes_with_the_booking(client: Client, world: World, free: Any) -> None:
    record, token = intake()
    response = book(client, world, free, token)
    assert response.status_code == 201, response.json()
    record.refresh_from_db()
    assert record.appointment_id == response.json()["id"]


def test_an_unknown_intake_token_is_a_422_and_nothing_is_booked(client: Client, world: World, free: Any) -> None:
    response = book(client, world, free, "not-a-token")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("intake_token:")
    assert not Appointment.objects.exists()


def test_an_emergency_intake_is_a_422_with_the_reason_and_nothing_is_booked(
    client: Client, world: World, free: Any
) -> None:
    record, token = intake(cauda_equina=True)
    assert record.triage == TriageLevel.EMERGENCY
    response = book(client, world, free, token)
    assert response.status_code == 422
    assert "911" in response.json()["detail"]
    assert not Appointment.objects.exists()
    record.refresh_from_db()
    assert record.appointment_id is None


def test_an_urgent_intake_needs_the_recorded_clearance(client: Client, world: World, free: Any) -> None:
    record, token = intake(fever=True)
    assert record.triage == TriageLevel.URGENT
    refused = book(client, world, free, token)
    assert refused.status_code == 422
    assert "doctor" in refused.json()["detail"]
    assert not Appointment.objects.exists()
    intake_clearance_confirm(intake=record, now=SLOT)
    booked = book(client, world, free, token, key="k2")
    assert booked.status_code == 201
    record.refresh_from_db()
    assert record.appointment_id == booked.json()["id"]


def test_the_document_declares_the_intake_token(client: Client, world: World) -> None:
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["AppointmentIn"]
    assert "intake_token" in schema["properties"]


def _web_book(client: Client, world: World, free: Any) -> Any:
    url = f"/book/?practitioner={world.chen.pk}&service={free.pk}&start={quote(SLOT.isoformat())}"
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "name": "Jo Tremblay",
        "email": "jo@example.com",
        "phone": "416 555 0123",
        "first_visit": "1",
        "consent": "on",
        "form_token": page.context["form"].initial["form_token"],
    }
    return page, client.post(url, form)


def _answered(client: Client) -> Intake:
    """A routine intake sent from this browser through the pages, its token in the session."""
    record, token = intake()
    session = client.session
    session["intake_tokens"] = {str(record.public_id): token}
    session.save()
    return record


def test_booking_from_the_answer_page_carries_the_intake(client: Client, world: World, free: Any) -> None:
    record = _answered(client)
    answer = client.get(f"/what-hurts/answer/{record.public_id}/").content.decode()
    assert f'action="/what-hurts/answer/{record.public_id}/consult/"' in answer
    chosen = client.post(f"/what-hurts/answer/{record.public_id}/consult/")
    assert chosen.status_code == 302
    offers = client.get(chosen["Location"])
    assert offers.status_code == 200
    html = offers.content.decode()
    assert "Alpha Physio" in html and "no obligation" in html
    page, booked = _web_book(client, world, free)
    assert "Your answers to" in page.content.decode() and "no obligation" in page.content.decode()
    assert booked.status_code == 302, booked.content.decode()[:500]
    record.refresh_from_db()
    assert record.appointment == Appointment.objects.get()
    assert "booking_intake_token" not in client.session


def test_a_booking_from_another_browser_carries_no_intake(client: Client, world: World, free: Any) -> None:
    record = _answered(client)
    client.post(f"/what-hurts/answer/{record.public_id}/consult/")
    _page, booked = _web_book(Client(), world, free)
    assert booked.status_code == 302
    record.refresh_from_db()
    assert record.appointment_id is None


def test_an_urgent_answer_cannot_choose_a_consultation_before_clearance(client: Client, world: World) -> None:
    record, token = intake(fever=True)
    session = client.session
    session["intake_tokens"] = {str(record.public_id): token}
    session.save()
    assert client.post(f"/what-hurts/answer/{record.public_id}/consult/").status_code == 404
    assert "booking_intake_token" not in client.session
    assert client.get(f"/what-hurts/answer/{record.public_id}/consultations/").status_code == 404


def test_the_consultations_page_is_a_read_of_the_intake_and_recorded(client: Client, world: World, free: Any) -> None:
    record = _answered(client)
    client.get(f"/what-hurts/answer/{record.public_id}/consultations/")
    assert IntakeAccess.objects.filter(intake=record, where="patients:consultations").count() == 1
