from __future__ import annotations

import pytest
from django.test import Client

from booking.models import Appointment, AppointmentSource, AppointmentStatus
from notifications.models import OutboxMessage
from painhero.testing import World, at, day
from portal.models import AuditEntry

from .conftest import Visits

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")


def _post(world: World, *, practitioner_id: int, hour: int, service_id: int | None = None, token: str = "t1") -> dict:  # noqa: S107 (a form token, not a password)
    start = at(hour).astimezone(__import__("zoneinfo").ZoneInfo("America/Toronto")).isoformat()
    return {
        "service": service_id or world.service.pk,
        "slot": f"{practitioner_id}|{start}",
        "name": "Phoebe Phone",
        "email": "phoebe@example.org",
        "phone": "416 555 0123",
        "first_visit": "on",
        "token": token,
    }


def test_the_new_appointment_page_lists_open_times_for_the_chosen_service(
    colleague_client: Client, world: World
) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/new/?service={world.service.pk}&day={day()}"
    body = colleague_client.get(url).content.decode()
    assert f'value="{world.chen.pk}|{at(13).isoformat()}"' in body
    # Pat's 10:00 is taken.
    assert f'value="{world.chen.pk}|{at(10).isoformat()}"' not in body


def test_the_open_times_fragment_rejects_another_clinics_service_clearly(
    colleague_client: Client, world: World
) -> None:
    url = f"/portal/{world.clinic.pk}/open-times/?service={world.other_service.pk}&day={day()}"
    response = colleague_client.get(url)
    assert response.status_code == 400
    assert "This service is not offered at this clinic." in response.content.decode()


def test_the_front_desk_books_a_patient_who_phoned_with_the_booking_service(
    colleague_client: Client, world: World
) -> None:
    response = colleague_client.post(
        f"/portal/{world.clinic.pk}/appointments/new/", _post(world, practitioner_id=world.chen.pk, hour=13)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    appointment = Appointment.objects.get(patient_name="Phoebe Phone")
    assert appointment.source == AppointmentSource.PORTAL
    assert appointment.start == at(13)
    assert appointment.patient_phone == "+14165550123"
    assert OutboxMessage.objects.filter(kind="booking.created").count() == 1  # the confirmation email
    entry = AuditEntry.objects.get(action="appointment.created")
    assert entry.user == world.colleague and entry.object_id == str(appointment.pk)
    assert "Phoebe" not in str(entry.changes)


def test_a_double_submit_books_once(colleague_client: Client, world: World) -> None:
    data = _post(world, practitioner_id=world.chen.pk, hour=13, token="same")
    colleague_client.post(f"/portal/{world.clinic.pk}/appointments/new/", data)
    colleague_client.post(f"/portal/{world.clinic.pk}/appointments/new/", data)
    assert Appointment.objects.filter(patient_name="Phoebe Phone").count() == 1
    assert AuditEntry.objects.filter(action="appointment.created").count() == 1


def test_a_taken_time_answers_409_with_alternatives(colleague_client: Client, world: World) -> None:
    response = colleague_client.post(
        f"/portal/{world.clinic.pk}/appointments/new/", _post(world, practitioner_id=world.chen.pk, hour=10)
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in body
    assert f'name="slot" value="{world.chen.pk}|{at(10, 30).isoformat()}"' in body
    assert not Appointment.objects.filter(patient_name="Phoebe Phone").exists()


def test_ids_of_another_clinic_in_the_form_are_refused_with_a_clear_error(
    colleague_client: Client, world: World
) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/new/"
    response = colleague_client.post(
        url, _post(world, practitioner_id=world.chen.pk, hour=13, service_id=world.other_service.pk)
    )
    assert response.status_code == 400
    assert "This service is not offered at this clinic." in response.content.decode()
    response = colleague_client.post(url, _post(world, practitioner_id=world.other_practitioner.pk, hour=13))
    assert response.status_code == 400
    assert "This practitioner does not work at this clinic." in response.content.decode()
    assert not Appointment.objects.filter(patient_name="Phoebe Phone").exists()


def test_a_practitioner_cannot_book_from_the_portal(practitioner_client: Client, world: World) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/new/"
    assert practitioner_client.post(url, _post(world, practitioner_id=world.chen.pk, hour=13)).status_code == 404


def test_moving_an_appointment_reschedules_it_and_emails_the_patient(
    colleague_client: Client, world: World, visits: Visits
) -> None:
    appointment = visits.appointment
    url = f"/portal/{world.clinic.pk}/appointments/{appointment.pk}/move/"
    assert "14:00" in colleague_client.get(url).content.decode()
    start = at(14).isoformat()
    response = colleague_client.post(url, {"slot": f"{world.lee.pk}|{start}"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner_id) == (at(14), world.lee.pk)
    assert appointment.status == AppointmentStatus.BOOKED
    assert OutboxMessage.objects.filter(kind="booking.rescheduled").count() == 1
    assert AuditEntry.objects.filter(action="appointment.moved", object_id=str(appointment.pk)).exists()


def test_moving_onto_a_taken_time_is_a_409_and_nothing_changes(
    colleague_client: Client, world: World, visits: Visits
) -> None:
    appointment = visits.appointment
    url = f"/portal/{world.clinic.pk}/appointments/{appointment.pk}/move/"
    response = colleague_client.post(url, {"slot": f"{world.lee.pk}|{at(11).isoformat()}"})
    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.start == at(10)
    assert not AuditEntry.objects.exists()


def test_a_garbled_time_is_a_400_not_a_500(colleague_client: Client, world: World, visits: Visits) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/{visits.appointment.pk}/move/"
    assert colleague_client.post(url, {"slot": "x|yesterday"}).status_code == 400
    assert (
        colleague_client.post(url, {"slot": f"{world.lee.pk}|{at(14):%Y-%m-%dT%H:%M:%S}"}).status_code == 400
    )  # no offset
