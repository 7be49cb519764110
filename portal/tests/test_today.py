from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from booking.models import AppointmentEvent, AppointmentStatus, EventKind
from notifications.models import OutboxMessage
from painhero.testing import World, client_for, day
from portal.models import AuditEntry, Membership, Role

from .conftest import B_PATIENT, Visits

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")


def test_today_lists_the_days_appointments_per_practitioner_in_the_clinics_zone(
    colleague_client: Client, world: World
) -> None:
    response = colleague_client.get(f"/portal/{world.clinic.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ada Alpha" in body and "Ada Alpha Jr" in body
    assert world.chen.full_name in body and world.lee.full_name in body
    assert "10:00" in body and "11:00" in body  # 15:00 and 16:00 UTC shown on Toronto's clock
    assert B_PATIENT not in body
    assert "left knee" not in body  # the health note stays off the day view


def test_today_answers_in_a_bounded_number_of_queries(
    colleague_client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    from booking.models import Appointment
    from painhero.testing import at

    for hour in (13, 14, 15, 16):  # more appointments, more practitioners' rows: not more queries
        for who in (world.chen, world.lee):
            Appointment.objects.create(
                clinic=world.clinic,
                practitioner=who,
                service=world.service,
                start=at(hour),
                end=at(hour, 30),
                source="web",
                patient_name=f"P {hour}",
            )
    # session, user, membership x2, appointments, arrivals, time off, next, services, messages sent, no-show rates
    with django_assert_max_num_queries(14):
        assert colleague_client.get(f"/portal/{world.clinic.pk}/").status_code == 200


def test_another_day_is_chosen_with_the_day_parameter(colleague_client: Client, world: World) -> None:
    body = colleague_client.get(f"/portal/{world.clinic.pk}/?day={day(1)}").content.decode()
    assert "Ada Alpha" not in body
    assert "No appointments on this day" in body
    # A malformed day falls back to today rather than failing.
    assert colleague_client.get(f"/portal/{world.clinic.pk}/?day=banana").status_code == 200


def test_a_practitioner_sees_only_their_own_appointments(practitioner_client: Client, world: World) -> None:
    body = practitioner_client.get(f"/portal/{world.clinic.pk}/").content.decode()
    assert "Ada Alpha" in body
    assert "Ada Alpha Jr" not in body
    assert world.lee.full_name not in body


def test_marking_arrived_then_completed_records_events_and_the_audit_trail(
    colleague_client: Client, world: World, visits: Visits
) -> None:
    appointment = visits.appointment
    url = f"/portal/{world.clinic.pk}/appointments/{appointment.pk}/status/"
    response = colleague_client.post(url, {"action": "arrived"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Arrived" in response.content.decode() and f'id="appt-{appointment.pk}"' in response.content.decode()
    colleague_client.post(url, {"action": "completed"}, HTTP_HX_REQUEST="true")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    kinds = list(AppointmentEvent.objects.filter(appointment=appointment).values_list("kind", flat=True))
    assert kinds == [EventKind.ARRIVED, EventKind.COMPLETED]
    actions = set(AuditEntry.objects.filter(clinic=world.clinic, user=world.colleague).values_list("action", flat=True))
    assert actions == {"appointment.arrived", "appointment.completed"}
    # An outcome is not news for the patient's inbox; only the review invitation a completed visit earns.
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == ["quality.review_invite"]


def test_no_show_and_then_another_outcome_is_refused_with_a_message(
    colleague_client: Client, world: World, visits: Visits
) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/{visits.appointment.pk}/status/"
    colleague_client.post(url, {"action": "no_show"}, HTTP_HX_REQUEST="true")
    response = colleague_client.post(url, {"action": "completed"}, HTTP_HX_REQUEST="true")
    assert "already cancelled or over" in response.content.decode()
    visits.appointment.refresh_from_db()
    assert visits.appointment.status == AppointmentStatus.NO_SHOW


def test_an_unknown_action_is_a_400(colleague_client: Client, world: World, visits: Visits) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/{visits.appointment.pk}/status/"
    assert colleague_client.post(url, {"action": "explode"}).status_code == 400


def test_cancelling_from_today_emails_the_patient_through_the_outbox(
    colleague_client: Client, world: World, visits: Visits
) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/{visits.appointment.pk}/status/"
    response = colleague_client.post(url, {"action": "cancel"})
    assert response.status_code == 302
    visits.appointment.refresh_from_db()
    assert visits.appointment.status == AppointmentStatus.CANCELLED
    assert OutboxMessage.objects.filter(kind="booking.cancelled").count() == 1
    assert AuditEntry.objects.filter(action="appointment.cancelled").count() == 1


def test_a_practitioner_marks_their_own_appointment_but_cannot_cancel_it(
    practitioner_client: Client, world: World, visits: Visits
) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/{visits.appointment.pk}/status/"
    assert practitioner_client.post(url, {"action": "cancel"}).status_code == 400
    assert practitioner_client.post(url, {"action": "completed"}).status_code == 302
    visits.appointment.refresh_from_db()
    assert visits.appointment.status == AppointmentStatus.COMPLETED


def test_an_appointment_next_week_cannot_be_marked_yet(colleague_client: Client, world: World, visits: Visits) -> None:
    from datetime import timedelta

    appointment = visits.appointment
    appointment.start += timedelta(days=7)
    appointment.end += timedelta(days=7)
    appointment.save()
    url = f"/portal/{world.clinic.pk}/appointments/{appointment.pk}/status/"
    colleague_client.post(url, {"action": "completed"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_next_available_shows_each_services_soonest_time(colleague_client: Client, world: World) -> None:
    from painhero.testing import NOW
    from scheduling.cache import next_open_times_refresh

    next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
    body = colleague_client.get(f"/portal/{world.clinic.pk}/").content.decode()
    # 08:00 now with 2 h notice: the first open time is 10:00, but Pat is busy then and Col at 11:00.
    assert "Monday, December 7, 2026, 10:00 AM" in body


def test_the_public_sites_find_a_clinic_link_is_not_marked_current_in_the_portal(world: World) -> None:
    # The portal's own "home" page (the clinic chooser) must not light up the public site's "Find a clinic".
    Membership.objects.create(user=world.colleague, clinic=world.other_clinic, role=Role.FRONT_DESK)
    response = client_for(world.colleague).get("/portal/")
    assert response.status_code == 200  # two clinics: the chooser, not a redirect
    assert 'aria-current="page">Find a clinic' not in response.content.decode()
