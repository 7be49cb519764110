from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from booking.models import Appointment, AppointmentStatus, Hold
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, World


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def start_url(world: World, start: Any = SLOT) -> str:
    return f"/book/?practitioner={world.chen.pk}&service={world.service.pk}&start={start.isoformat()}"


FORM = {
    "name": "Jo Tremblay",
    "email": "jo@example.com",
    "phone": "416 555 0123",
    "first_visit": "1",
    "note": "Sore knee",
    "consent": "on",
}


def hold_post(client: Client, world: World, start: Any = SLOT, **headers: str) -> Any:
    """What booking/hold.js sends as the page opens."""
    data = {"practitioner": world.chen.pk, "service": world.service.pk, "start": start.isoformat()}
    return client.post("/book/hold/", data, headers={"HX-Request": "true", **headers})


def checkout(client: Client, world: World, start: Any = SLOT) -> tuple[str, str]:
    """Open a time's link and let the page hold it, as a browser does; the form's URL and token."""
    url = start_url(world, start)
    page = client.get(url)
    assert page.status_code == 200
    assert hold_post(client, world, start).status_code == 200
    return url, page.context["form"].initial["form_token"]


def test_clicking_an_open_time_holds_it_and_shows_the_form_with_a_countdown(client: Client, world: World) -> None:
    url, _token = checkout(client, world)
    assert Hold.objects.get().start == SLOT
    page = client.get(url)
    html = page.content.decode()
    assert "data-countdown" in html and "5:00" in html
    assert "10:00" in html  # the time in the clinic's zone (Toronto), not UTC


def test_errors_are_shown_next_to_the_field_keeping_what_was_typed(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    response = client.post(url, FORM | {"phone": "12", "consent": "", "form_token": token})
    html = response.content.decode()
    assert "not a valid phone number" in html or "Enter a phone number" in html
    assert "accept the policy" in html
    assert 'value="Jo Tremblay"' in html
    assert not Appointment.objects.exists()


def test_confirming_books_and_shows_the_confirmation_then_emails_it(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    response = client.post(url, FORM | {"form_token": token})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert response["Location"].startswith(f"/appointments/{appointment.manage_token}/")
    page = client.get(response["Location"])
    assert "You're booked" in page.content.decode()
    assert outbox_sweep(now=NOW) == 1
    message = mail.outbox[0]
    assert message.to == ["jo@example.com"]
    assert "Sore knee" not in message.subject and "Sore knee" not in message.body


def test_sending_the_form_twice_books_once(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    first = client.post(url, FORM | {"form_token": token})
    second = client.post(url, FORM | {"form_token": token})
    assert Appointment.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_time_taken_meanwhile_offers_the_nearest_alternatives_not_an_error(client: Client, world: World) -> None:
    checkout(client, world)
    other = Client()
    response = other.get(start_url(world))
    assert response.status_code == 409
    html = response.content.decode()
    assert "just taken" in html
    assert "/book/?practitioner=" in html


def test_a_lapsed_hold_on_a_time_taken_meanwhile_says_so_and_offers_times(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    Hold.objects.update(expires_at=NOW)
    assert hold_post(Client(), world).status_code == 200  # someone else takes the time meanwhile
    response = client.post(url, FORM | {"form_token": token})
    assert response.status_code == 409
    assert "lapsed" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_bad_link_is_a_clear_400(client: Client, world: World) -> None:
    response = client.get(f"/book/?practitioner={world.chen.pk}&service={world.service.pk}&start=tomorrow")
    assert response.status_code == 400
    assert "start time" in response.content.decode()


def test_the_manage_page_cancels(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    client.post(url, FORM | {"form_token": token})
    appointment = Appointment.objects.get()
    response = client.post(f"/appointments/{appointment.manage_token}/cancel/", {"reason": ""}, follow=True)
    assert "is cancelled" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_inside_the_window_the_page_says_how_to_reach_the_clinic(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    client.post(url, FORM | {"form_token": token})
    appointment = Appointment.objects.get()
    with time_machine.travel(SLOT.replace(hour=5), tick=False):
        html = client.get(f"/appointments/{appointment.manage_token}/").content.decode()
    assert "too late" in html and "(416) 555-0100" in html
    assert "Cancel this appointment" not in html


def test_the_manage_page_reschedules_to_a_picked_time(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    client.post(url, FORM | {"form_token": token})
    appointment = Appointment.objects.get()
    page = client.get(f"/appointments/{appointment.manage_token}/reschedule/")
    choice = page.context["alternatives"][3]["opening"]
    value = f"{choice.start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}|{choice.practitioner_id}"
    response = client.post(f"/appointments/{appointment.manage_token}/reschedule/", {"start": value})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == choice.start


def test_a_wrong_manage_token_is_404(client: Client, world: World) -> None:
    assert client.get("/appointments/not-a-token/").status_code == 404
    assert client.post("/appointments/not-a-token/cancel/").status_code == 404
