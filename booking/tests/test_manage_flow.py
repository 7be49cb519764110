"""The manage link: cancelling asks first and takes a reason; the cancellation window is one rule, said upfront."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from booking.models import AppointmentEvent, AppointmentStatus, ClinicBookingPolicy, EventKind
from booking.services import appointment_book, appointment_cancel
from painhero.testing import NOW, SLOT, World, later, patient


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def booked(world: World, start: Any = SLOT) -> Any:
    return appointment_book(
        practitioner=world.chen, service=world.service, start=start, patient=patient(), now=NOW
    ).appointment


def test_the_manage_pages_keep_their_address_from_other_sites_but_not_from_their_own_forms(
    client: Client, world: World
) -> None:
    token = booked(world).manage_token
    for url in (f"/appointments/{token}/", f"/appointments/{token}/cancel/", f"/appointments/{token}/reschedule/"):
        response = client.get(url)
        assert response.status_code == 200
        # "no-referrer" made Chromium post the page's own forms with Origin: null, which CSRF refuses.
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cache-Control"] == "private, no-store"


def test_cancelling_asks_first_and_the_question_changes_nothing(client: Client, world: World) -> None:
    appointment = booked(world)
    manage = client.get(f"/appointments/{appointment.manage_token}/").content.decode()
    assert f'href="/appointments/{appointment.manage_token}/cancel/"' in manage
    page = client.get(f"/appointments/{appointment.manage_token}/cancel/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cancel your appointment?" in html and "Why are you cancelling? (optional)" in html
    assert "Yes, cancel my appointment" in html and "No, keep it" in html
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_cancelling_with_a_reason_keeps_it_on_the_history(client: Client, world: World) -> None:
    appointment = booked(world)
    response = client.post(
        f"/appointments/{appointment.manage_token}/cancel/", {"reason": "  Feeling better already "}, follow=True
    )
    assert "is cancelled" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    event = AppointmentEvent.objects.get(appointment=appointment, kind=EventKind.CANCELLED)
    assert event.reason == "Feeling better already"


def test_a_reason_too_long_is_a_clear_400_and_cancels_nothing(client: Client, world: World) -> None:
    appointment = booked(world)
    response = client.post(f"/appointments/{appointment.manage_token}/cancel/", {"reason": "x" * 301})
    assert response.status_code == 400
    assert "at most 300 characters" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_cancel_question_inside_the_window_says_to_call_the_clinic(client: Client, world: World) -> None:
    appointment = booked(world)
    with time_machine.travel(SLOT - timedelta(hours=2), tick=False):
        html = client.get(f"/appointments/{appointment.manage_token}/cancel/").content.decode()
    assert "can no longer be cancelled online" in html and "(416) 555-0100" in html
    assert "Yes, cancel my appointment" not in html


def test_the_cancellation_window_is_one_rule_on_the_clinics_policy(world: World) -> None:
    default = ClinicBookingPolicy.for_clinic(world.clinic.pk)
    assert default.pk is None and default.cancellation_window == timedelta(hours=24)
    assert default.changeable_until(SLOT) == SLOT - timedelta(hours=24)
    assert default.changeable_online(start=SLOT, now=SLOT - timedelta(hours=24))
    assert not default.changeable_online(start=SLOT, now=SLOT - timedelta(hours=24) + timedelta(seconds=1))
    ClinicBookingPolicy.objects.create(clinic=world.clinic, cancellation_window_hours=48)
    assert not ClinicBookingPolicy.for_clinic(world.clinic.pk).changeable_online(start=SLOT, now=NOW)


def test_an_appointment_says_whether_the_patient_may_still_change_it_online(world: World) -> None:
    appointment = booked(world)
    deadline = SLOT - timedelta(hours=24)
    assert appointment.changeable_online(now=deadline)
    assert not appointment.changeable_online(now=deadline + timedelta(seconds=1))
    policy = ClinicBookingPolicy(clinic=world.clinic, cancellation_window_hours=48)
    assert not appointment.changeable_online(now=NOW, policy=policy), "the policy handed in is the one asked"
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    appointment.refresh_from_db()
    assert not appointment.changeable_online(now=NOW), "a cancelled appointment cannot change"


def test_the_reschedule_list_marks_times_inside_the_window_and_says_what_it_means(client: Client, world: World) -> None:
    appointment = booked(world, start=later(24 * 60 * 3))
    page = client.get(f"/appointments/{appointment.manage_token}/reschedule/")
    items = page.context["alternatives"]
    soon = [item for item in items if item["opening"].start < NOW + timedelta(hours=24)]
    later_ones = [item for item in items if item["opening"].start >= NOW + timedelta(hours=24)]
    assert soon and later_ones
    assert all(item["final"] for item in soon) and not any(item["final"] for item in later_ones)
    html = page.content.decode()
    assert html.count("final: cannot be changed online") == len(soon)
    assert 'Times marked "final" are within 24 hours' in html
