"""The clinic portal's rough edges: links the desk may not follow, empty phone links, visits kept under a
later time off, cancelling with a question and a reason, and the French portal written in French."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from booking.models import AppointmentEvent, AppointmentStatus, EventKind
from scheduling.models import TimeOff

from .conftest import World, at

MARK = "Outside hours: time off added after booking"
NBSP = "\u00a0"


def today(client: Client, world: World, path: str = "") -> str:
    response = client.get(f"{path}/portal/{world.a.clinic.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_front_desk_is_not_offered_the_clinic_profile_it_may_not_open(
    desk: Client, owner: Client, world: World
) -> None:
    profile = reverse("portal:profile", kwargs={"clinic_id": world.a.clinic.pk})
    assert desk.get(profile).status_code == 404
    assert f'href="{profile}"' not in today(desk, world)
    assert f'href="{profile}"' in today(owner, world), "the owner, who may edit it, still has the link"


def test_a_patient_without_a_phone_gets_no_empty_tel_link(desk: Client, world: World) -> None:
    world.a.appointment.patient_phone = ""
    world.a.appointment.save(update_fields=["patient_phone"])
    body = today(desk, world)
    assert 'href="tel:"' not in body
    # The colleague's patient has one: written nationally, dialled in full.
    assert '<a class="appt__phone" href="tel:+1-416-555-0199">(416) 555-0199</a>' in body


def test_a_visit_kept_under_a_time_off_added_later_is_marked_on_today_and_the_calendar(
    desk: Client, world: World
) -> None:
    TimeOff.objects.create(practitioner=world.a.practitioner, start=at(9), end=at(12))
    assert today(desk, world).count(MARK) == 1, "only the visit under the time off, not the colleague's"
    calendar = desk.get(reverse("portal:calendar", kwargs={"clinic_id": world.a.clinic.pk})).content.decode()
    assert calendar.count(MARK) == 1


def test_a_visit_with_no_time_off_over_it_carries_no_mark(desk: Client, world: World) -> None:
    TimeOff.objects.create(practitioner=world.a.practitioner, start=at(13), end=at(14))
    assert MARK not in today(desk, world)


def test_cancelling_from_today_asks_first_and_keeps_the_reason_given(desk: Client, world: World) -> None:
    body = today(desk, world)
    # The question comes in a <details> that works without JavaScript; no one-click cancel button is left.
    assert '<details class="appt__cancel">' in body and 'name="reason"' in body
    assert 'name="action" value="cancel">' not in body.replace('type="hidden" name="action" value="cancel">', "")
    url = f"/portal/{world.a.clinic.pk}/appointments/{world.a.appointment.pk}/status/"
    response = desk.post(url, {"action": "cancel", "reason": "  Patient has the flu  "})
    assert response.status_code == 302
    world.a.appointment.refresh_from_db()
    assert world.a.appointment.status == AppointmentStatus.CANCELLED
    event = AppointmentEvent.objects.get(appointment=world.a.appointment, kind=EventKind.CANCELLED)
    assert event.reason == "Patient has the flu"


def test_the_french_portal_shows_french_service_names_prices_and_times(owner: Client, world: World) -> None:
    world.a.service.name_fr = "Suivi en physiothérapie"
    world.a.service.price_cents = 7000
    world.a.service.save(update_fields=["name_fr", "price_cents"])
    body = today(owner, world, "/fr")
    assert "Suivi en physiothérapie" in body
    assert "10 h 00" in body and "10:00" not in body
    assert "l’heure de l’Est" in body and "America/Toronto" not in body
    services = owner.get(f"/fr/portal/{world.a.clinic.pk}/services/").content.decode()
    assert f"70,00{NBSP}$" in services and "$70.00" not in services
