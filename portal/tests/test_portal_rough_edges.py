"""The clinic portal's rough edges: links the desk may not follow, empty phone links, visits kept under a
later time off, cancelling with a question and a reason, and the French portal written in French."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import AppointmentEvent, AppointmentStatus, EventKind
from painhero.testing import World, at
from scheduling.models import TimeOff

from .conftest import Visits

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")

MARK = "Outside hours: time off added after booking"
NBSP = "\u00a0"


def today(client: Client, world: World, path: str = "") -> str:
    response = client.get(f"{path}/portal/{world.clinic.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_front_desk_is_not_offered_the_clinic_profile_it_may_not_open(
    colleague_client: Client, owner_client: Client, world: World
) -> None:
    profile = reverse("portal:profile", kwargs={"clinic_id": world.clinic.pk})
    assert colleague_client.get(profile).status_code == 404
    assert f'href="{profile}"' not in today(colleague_client, world)
    assert f'href="{profile}"' in today(owner_client, world), "the owner, who may edit it, still has the link"


def test_a_patient_without_a_phone_gets_no_empty_tel_link(
    colleague_client: Client, world: World, visits: Visits
) -> None:
    visits.appointment.patient_phone = ""
    visits.appointment.save(update_fields=["patient_phone"])
    body = today(colleague_client, world)
    assert 'href="tel:"' not in body
    # The colleague's patient has one: written nationally, dialled in full.
    assert '<a class="appt__phone" href="tel:+1-416-555-0199">(416) 555-0199</a>' in body


def test_a_visit_kept_under_a_time_off_added_later_is_marked_on_today_and_the_calendar(
    colleague_client: Client, world: World
) -> None:
    TimeOff.objects.create(practitioner=world.chen, start=at(9), end=at(12))
    assert today(colleague_client, world).count(MARK) == 1, "only the visit under the time off, not the colleague's"
    calendar = colleague_client.get(reverse("portal:calendar", kwargs={"clinic_id": world.clinic.pk})).content.decode()
    assert calendar.count(MARK) == 1


def test_a_visit_with_no_time_off_over_it_carries_no_mark(colleague_client: Client, world: World) -> None:
    TimeOff.objects.create(practitioner=world.chen, start=at(13), end=at(14))
    assert MARK not in today(colleague_client, world)


def test_cancelling_from_today_asks_first_and_keeps_the_reason_given(
    colleague_client: Client, world: World, visits: Visits
) -> None:
    body = today(colleague_client, world)
    # The question comes in a <details> that works without JavaScript; no one-click cancel button is left.
    assert '<details class="appt__cancel">' in body and 'name="reason"' in body
    assert 'name="action" value="cancel">' not in body.replace('type="hidden" name="action" value="cancel">', "")
    url = f"/portal/{world.clinic.pk}/appointments/{visits.appointment.pk}/status/"
    response = colleague_client.post(url, {"action": "cancel", "reason": "  Patient has the flu  "})
    assert response.status_code == 302
    visits.appointment.refresh_from_db()
    assert visits.appointment.status == AppointmentStatus.CANCELLED
    event = AppointmentEvent.objects.get(appointment=visits.appointment, kind=EventKind.CANCELLED)
    assert event.reason == "Patient has the flu"


def test_the_french_portal_shows_french_service_names_prices_and_times(owner_client: Client, world: World) -> None:
    world.service.name_fr = "Suivi en physiothérapie"
    world.service.price_cents = 7000
    world.service.save(update_fields=["name_fr", "price_cents"])
    body = today(owner_client, world, "/fr")
    assert "Suivi en physiothérapie" in body
    assert "10 h 00" in body and "10:00" not in body
    assert "l’heure de l’Est" in body and "America/Toronto" not in body
    services = owner_client.get(f"/fr/portal/{world.clinic.pk}/services/").content.decode()
    assert f"70,00{NBSP}$" in services and "$70.00" not in services
