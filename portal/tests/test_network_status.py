"""A clinic out of the network: the Today page says so and what it means; the portal books nothing there."""

from __future__ import annotations

import pytest
from django.test import Client

from booking.models import Appointment
from clinics.models import NetworkStatus
from painhero.testing import World

from .test_appointments import _post

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")


def _set(world: World, status: str) -> None:
    world.clinic.network_status = status
    world.clinic.save(update_fields=["network_status"])


def test_today_shows_a_suspended_clinic_its_status_and_what_it_means(colleague_client: Client, world: World) -> None:
    _set(world, NetworkStatus.SUSPENDED)
    html = colleague_client.get(f"/portal/{world.clinic.pk}/").content.decode()
    assert "Network status: Suspended" in html
    assert "patients cannot find it or book online" in html
    assert "Not bookable online while the clinic is out of the network." in html


def test_today_shows_no_banner_for_a_clinic_in_the_network(colleague_client: Client, world: World) -> None:
    html = colleague_client.get(f"/portal/{world.clinic.pk}/").content.decode()
    assert "Network status:" not in html and "Not bookable online" not in html


def test_the_front_desk_cannot_book_at_a_suspended_clinic_and_is_told_why(
    colleague_client: Client, world: World
) -> None:
    _set(world, NetworkStatus.SUSPENDED)
    response = colleague_client.post(
        f"/portal/{world.clinic.pk}/appointments/new/", _post(world, practitioner_id=world.chen.pk, hour=13)
    )
    assert response.status_code == 409
    assert "not taking bookings through PainHero" in response.content.decode()
    assert not Appointment.objects.filter(patient_name="Phoebe Phone").exists()


def test_today_tells_a_clinic_on_probation_it_stays_bookable(colleague_client: Client, world: World) -> None:
    _set(world, NetworkStatus.PROBATION)
    html = colleague_client.get(f"/portal/{world.clinic.pk}/").content.decode()
    assert "Network status: On probation" in html
    assert "patients still find it and book online" in html
    assert "Not bookable online" not in html
