from __future__ import annotations

from django.test import Client

from booking.models import Appointment, AppointmentSource, AppointmentStatus
from notifications.models import OutboxMessage
from portal.models import AuditEntry

from .conftest import World, at


def _post(world: World, *, practitioner_id: int, hour: int, service_id: int | None = None, token: str = "t1") -> dict:  # noqa: S107 (a form token, not a password)
    start = at(hour).astimezone(__import__("zoneinfo").ZoneInfo("America/Toronto")).isoformat()
    return {
        "service": service_id or world.a.service.pk,
        "slot": f"{practitioner_id}|{start}",
        "name": "Phoebe Phone",
        "email": "phoebe@example.org",
        "phone": "416 555 0123",
        "first_visit": "on",
        "token": token,
    }


def test_the_new_appointment_page_lists_open_times_for_the_chosen_service(desk: Client, world: World) -> None:
    url = f"/portal/{world.a.clinic.pk}/appointments/new/?service={world.a.service.pk}&day=2026-12-02"
    body = desk.get(url).content.decode()
    assert f'value="{world.a.practitioner.pk}|2026-12-02T13:00:00-05:00"' in body
    # Pat's 10:00 is taken.
    assert f'value="{world.a.practitioner.pk}|2026-12-02T10:00:00-05:00"' not in body


def test_the_open_times_fragment_rejects_another_clinics_service_clearly(desk: Client, world: World) -> None:
    url = f"/portal/{world.a.clinic.pk}/open-times/?service={world.b.service.pk}&day=2026-12-02"
    response = desk.get(url)
    assert response.status_code == 400
    assert "This service is not offered at this clinic." in response.content.decode()


def test_the_front_desk_books_a_patient_who_phoned_with_the_booking_service(desk: Client, world: World) -> None:
    response = desk.post(
        f"/portal/{world.a.clinic.pk}/appointments/new/", _post(world, practitioner_id=world.a.practitioner.pk, hour=13)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    appointment = Appointment.objects.get(patient_name="Phoebe Phone")
    assert appointment.source == AppointmentSource.PORTAL
    assert appointment.start == at(13)
    assert appointment.patient_phone == "+14165550123"
    assert OutboxMessage.objects.filter(kind="booking.created").count() == 1  # the confirmation email
    entry = AuditEntry.objects.get(action="appointment.created")
    assert entry.user == world.desk and entry.object_id == str(appointment.pk)
    assert "Phoebe" not in str(entry.changes)


def test_a_double_submit_books_once(desk: Client, world: World) -> None:
    data = _post(world, practitioner_id=world.a.practitioner.pk, hour=13, token="same")
    desk.post(f"/portal/{world.a.clinic.pk}/appointments/new/", data)
    desk.post(f"/portal/{world.a.clinic.pk}/appointments/new/", data)
    assert Appointment.objects.filter(patient_name="Phoebe Phone").count() == 1
    assert AuditEntry.objects.filter(action="appointment.created").count() == 1


def test_a_taken_time_answers_409_with_alternatives(desk: Client, world: World) -> None:
    response = desk.post(
        f"/portal/{world.a.clinic.pk}/appointments/new/", _post(world, practitioner_id=world.a.practitioner.pk, hour=10)
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in body
    assert f'name="slot" value="{world.a.practitioner.pk}|2026-12-02T10:30:00-05:00"' in body
    assert not Appointment.objects.filter(patient_name="Phoebe Phone").exists()


def test_ids_of_another_clinic_in_the_form_are_refused_with_a_clear_error(desk: Client, world: World) -> None:
    url = f"/portal/{world.a.clinic.pk}/appointments/new/"
    response = desk.post(
        url, _post(world, practitioner_id=world.a.practitioner.pk, hour=13, service_id=world.b.service.pk)
    )
    assert response.status_code == 400
    assert "This service is not offered at this clinic." in response.content.decode()
    response = desk.post(url, _post(world, practitioner_id=world.b.practitioner.pk, hour=13))
    assert response.status_code == 400
    assert "This practitioner does not work at this clinic." in response.content.decode()
    assert not Appointment.objects.filter(patient_name="Phoebe Phone").exists()


def test_a_practitioner_cannot_book_from_the_portal(practitioner: Client, world: World) -> None:
    url = f"/portal/{world.a.clinic.pk}/appointments/new/"
    assert practitioner.post(url, _post(world, practitioner_id=world.a.practitioner.pk, hour=13)).status_code == 404


def test_moving_an_appointment_reschedules_it_and_emails_the_patient(desk: Client, world: World) -> None:
    appointment = world.a.appointment
    url = f"/portal/{world.a.clinic.pk}/appointments/{appointment.pk}/move/"
    assert "14:00" in desk.get(url).content.decode()
    start = "2026-12-02T14:00:00-05:00"
    response = desk.post(url, {"slot": f"{world.a.colleague.pk}|{start}"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner_id) == (at(14), world.a.colleague.pk)
    assert appointment.status == AppointmentStatus.BOOKED
    assert OutboxMessage.objects.filter(kind="booking.rescheduled").count() == 1
    assert AuditEntry.objects.filter(action="appointment.moved", object_id=str(appointment.pk)).exists()


def test_moving_onto_a_taken_time_is_a_409_and_nothing_changes(desk: Client, world: World) -> None:
    appointment = world.a.appointment
    url = f"/portal/{world.a.clinic.pk}/appointments/{appointment.pk}/move/"
    response = desk.post(url, {"slot": f"{world.a.colleague.pk}|2026-12-02T11:00:00-05:00"})
    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.start == at(10)
    assert not AuditEntry.objects.exists()


def test_a_garbled_time_is_a_400_not_a_500(desk: Client, world: World) -> None:
    url = f"/portal/{world.a.clinic.pk}/appointments/{world.a.appointment.pk}/move/"
    assert desk.post(url, {"slot": "x|yesterday"}).status_code == 400
    assert desk.post(url, {"slot": f"{world.a.colleague.pk}|2026-12-02T14:00:00"}).status_code == 400  # no offset
