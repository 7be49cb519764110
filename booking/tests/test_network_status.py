"""A clinic that is not in the network takes no hold, booking or move, from any path (DESIGN.md invariant 11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from booking.errors import ClinicNotBookable
from booking.models import Appointment, AppointmentStatus, Hold
from booking.services import appointment_book, appointment_cancel, appointment_reschedule, hold_create
from booking.tests.test_views import FORM, start_url
from clinics.models import NetworkStatus
from painhero.testing import NOW, SLOT, World, later, patient

OUT_OF_NETWORK = [NetworkStatus.SUSPENDED, NetworkStatus.REMOVED, NetworkStatus.APPLICANT]


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def suspend(world: World, status: str = NetworkStatus.SUSPENDED) -> None:
    world.clinic.network_status = status
    world.clinic.save(update_fields=["network_status"])


@pytest.mark.parametrize("status", OUT_OF_NETWORK)
def test_the_booking_service_refuses_holds_and_bookings_at_a_clinic_out_of_the_network(
    world: World, status: str
) -> None:
    suspend(world, status)
    with pytest.raises(ClinicNotBookable) as caught:
        hold_create(practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key="me")
    assert "(416) 555-0100" in caught.value.message and caught.value.status == 409
    with pytest.raises(ClinicNotBookable):
        appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW)
    assert not Hold.objects.exists() and not Appointment.objects.exists()


def test_a_suspended_clinic_refuses_moves_but_its_patients_can_still_cancel(world: World) -> None:
    appointment = appointment_book(
        practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW
    ).appointment
    suspend(world)
    with pytest.raises(ClinicNotBookable):
        appointment_reschedule(appointment=appointment, start=later(60), now=NOW, source="web")
    appointment.refresh_from_db()
    assert appointment.start == SLOT
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_a_book_link_of_a_suspended_clinic_says_so_and_holds_nothing(client: Client, world: World) -> None:
    suspend(world)
    page = client.get(start_url(world))
    assert page.status_code == 409
    assert "not taking bookings through PainHero" in page.content.decode()
    data = {"practitioner": world.chen.pk, "service": world.service.pk, "start": SLOT.isoformat()}
    held = client.post("/book/hold/", data, headers={"HX-Request": "true"})
    assert held.status_code == 409 and "not taking bookings" in held.content.decode()
    booked = client.post(start_url(world), FORM | {"form_token": "t1"})
    assert booked.status_code == 409
    assert not Hold.objects.exists() and not Appointment.objects.exists()


def test_the_api_answers_409_with_a_detail_for_a_suspended_clinic(client: Client, world: World) -> None:
    suspend(world)
    hold = {"practitioner_id": world.chen.pk, "service_id": world.service.pk, "start": SLOT.isoformat()}
    response = client.post("/api/v1/holds", json.dumps(hold), content_type="application/json")
    assert response.status_code == 409
    assert "not taking bookings through PainHero" in response.json()["detail"]
    body = hold | {"patient": {"name": "Jo", "email": "jo@example.com", "phone": "416 555 0123"}}
    response = client.post(
        "/api/v1/appointments", json.dumps(body), content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 409
    assert "not taking bookings through PainHero" in response.json()["detail"]
    assert not Appointment.objects.exists()


def test_the_reschedule_page_of_a_suspended_clinic_offers_no_times_and_says_why(client: Client, world: World) -> None:
    appointment = appointment_book(
        practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW
    ).appointment
    suspend(world)
    page = client.get(f"/appointments/{appointment.manage_token}/reschedule/")
    assert page.context["alternatives"] == []
    assert "not taking bookings through PainHero" in page.content.decode()


# Probation: an admitted clinic found short at a re-inspection stays listed and bookable while it fixes things.


def test_a_clinic_on_probation_takes_holds_and_bookings_through_the_service(world: World) -> None:
    suspend(world, NetworkStatus.PROBATION)
    hold_create(practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key="me")
    booked = appointment_book(
        practitioner=world.lee, service=world.service, start=SLOT, patient=patient(), now=NOW
    ).appointment
    assert booked.clinic_id == world.clinic.pk and Hold.objects.count() == 1


def test_the_api_books_at_a_clinic_on_probation(client: Client, world: World) -> None:
    suspend(world, NetworkStatus.PROBATION)
    body = {
        "practitioner_id": world.chen.pk,
        "service_id": world.service.pk,
        "start": SLOT.isoformat(),
        "patient": {"name": "Jo", "email": "jo@example.com", "phone": "416 555 0123"},
    }
    response = client.post(
        "/api/v1/appointments", json.dumps(body), content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 201, response.content
    assert Appointment.objects.filter(clinic=world.clinic).count() == 1


def test_the_booking_form_books_at_a_clinic_on_probation(client: Client, world: World) -> None:
    suspend(world, NetworkStatus.PROBATION)
    assert client.get(start_url(world)).status_code == 200
    client.post(start_url(world), FORM | {"form_token": "t1"})
    assert Appointment.objects.filter(clinic=world.clinic).count() == 1


def test_the_api_refuses_a_move_to_a_suspended_clinics_time_with_the_reason(client: Client, world: World) -> None:
    appointment = appointment_book(
        practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW
    ).appointment
    suspend(world)
    response = client.post(
        f"/api/v1/appointments/{appointment.pk}/reschedule",
        json.dumps({"start": later(60).isoformat()}),
        content_type="application/json",
        headers={"X-Manage-Token": appointment.manage_token},
    )
    assert response.status_code == 409
    assert "not taking bookings through PainHero" in response.json()["detail"]
    appointment.refresh_from_db()
    assert appointment.start == SLOT
