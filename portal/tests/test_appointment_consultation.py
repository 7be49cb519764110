"""The consultation page of an appointment: the intake's answers for its practitioner only, every read recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from booking.services import appointment_book
from booking.tests.test_free_consultation import free_consultation
from clinics.models import Delivery
from painhero.testing import NOW, SLOT, World, client_for, make_user, patient
from patients.models import IntakeAccess, Reader
from patients.services import intake_create
from patients.tests.conftest import lower_back
from portal.models import Role


@pytest.fixture
def booked(world: World, settings: Any) -> Any:
    settings.VIDEO_BASE_URL = "https://meet.example.test/"
    created = intake_create(answers=lower_back(goals="Lift my daughter"), language="en", consent=True, now=NOW)
    service = free_consultation(world.clinic, [world.chen], delivery=Delivery.VIRTUAL)
    appointment = appointment_book(
        practitioner=world.chen, service=service, start=SLOT, patient=patient(), now=NOW, intake_token=created.token
    ).appointment
    return appointment, created.intake


def url(world: World, appointment: Any, clinic: Any = None) -> str:
    return f"/portal/{(clinic or world.clinic).pk}/appointments/{appointment.pk}/consultation/"


def test_the_practitioner_of_the_consultation_reads_the_intake_and_the_read_is_recorded(
    practitioner_client: Client, world: World, booked: Any
) -> None:
    appointment, intake = booked
    response = practitioner_client.get(url(world, appointment))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lift my daughter" in html and "Tying my shoes" in html
    assert f"https://meet.example.test/{appointment.video_token}" in html
    assert response["Cache-Control"] == "private, no-store"
    access = IntakeAccess.objects.get(intake=intake)
    assert (access.reader, access.user_id, access.role, access.where) == (
        Reader.STAFF,
        world.practitioner.pk,
        Role.PRACTITIONER,
        "portal:appointment_consultation",
    )


def test_the_owner_of_another_clinic_gets_a_404_and_reads_nothing(
    outsider_client: Client, world: World, booked: Any
) -> None:
    appointment, intake = booked
    assert outsider_client.get(url(world, appointment)).status_code in (403, 404)
    assert outsider_client.get(url(world, appointment, world.other_clinic)).status_code == 404
    assert not IntakeAccess.objects.filter(intake=intake).exists()


@pytest.mark.parametrize("who", ["owner", "colleague", "lee"])
def test_the_desk_the_owner_and_another_practitioner_do_not_read_the_answers(
    who: str, world: World, booked: Any
) -> None:
    appointment, intake = booked
    if who == "lee":
        user = make_user("lee@alpha.test", clinic=world.clinic, role=Role.PRACTITIONER, practitioner=world.lee)
    else:
        user = getattr(world, who)
    response = client_for(user).get(url(world, appointment))
    assert response.status_code in (200, 404)
    assert "Lift my daughter" not in response.content.decode()
    assert not IntakeAccess.objects.filter(intake=intake).exists()
