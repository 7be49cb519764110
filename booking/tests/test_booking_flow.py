"""The web booking path: a link holds nothing, the page holds by POST, one hold per browser, lapses forgiven."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from booking.models import Appointment, Hold
from booking.services import HOLD_FOR, MAX_HOLDS_PER_OWNER
from booking.tests.test_views import FORM, checkout, hold_post, start_url
from painhero.testing import NOW, SLOT, World, at, later


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_opening_a_times_link_holds_nothing_so_crawlers_and_previews_block_no_one(client: Client, world: World) -> None:
    for _visit in range(3):  # a link preview, a crawler, a prefetch
        response = client.get(start_url(world))
        assert response.status_code == 200
    assert not Hold.objects.exists()
    html = response.content.decode()
    assert 'action="/book/hold/"' in html and "data-hold" in html, "the page asks for the hold itself"
    assert "Confirm booking" in html
    # Someone else can still hold and book it.
    assert hold_post(Client(), world).status_code == 200


def test_the_page_holds_the_time_by_post_and_answers_the_countdown(client: Client, world: World) -> None:
    client.get(start_url(world))
    response = hold_post(client, world)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-countdown" in html and "5:00" in html
    hold = Hold.objects.get()
    assert (hold.practitioner, hold.start, hold.expires_at) == (world.chen, SLOT, NOW + HOLD_FOR)
    # A reload of the page keeps the same hold and shows it, unextended.
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        page = client.get(start_url(world)).content.decode()
        assert "3:00" in page and 'action="/book/hold/"' not in page
        assert hold_post(client, world).status_code == 200
    assert Hold.objects.get().pk == hold.pk


def test_without_javascript_the_hold_button_comes_back_to_the_page(client: Client, world: World) -> None:
    data = {"practitioner": world.chen.pk, "service": world.service.pk, "start": SLOT.isoformat()}
    response = client.post("/book/hold/", data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and "data-countdown" in page.content.decode()


def test_a_time_held_by_someone_else_answers_the_page_with_the_nearest_times(client: Client, world: World) -> None:
    checkout(Client(), world)
    response = hold_post(client, world)
    assert response.status_code == 409
    assert "just took this time" in response.content.decode()
    assert "/book/?practitioner=" in response.content.decode()


def test_a_browser_that_picks_a_third_time_lets_its_earlier_holds_go(client: Client, world: World) -> None:
    starts = [later(60 * n) for n in range(MAX_HOLDS_PER_OWNER + 1)]
    for start in starts:
        client.get(start_url(world, start))
        assert hold_post(client, world, start).status_code == 200, "never 'already holding several times'"
    assert list(Hold.objects.values_list("start", flat=True)) == [starts[-1]]
    # The times given up are free for others at once.
    assert hold_post(Client(), world, starts[0]).status_code == 200


def test_a_hold_that_lapsed_still_books_the_time_if_it_is_free(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    with time_machine.travel(NOW + HOLD_FOR + timedelta(minutes=3), tick=False):
        response = client.post(url, FORM | {"form_token": token})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.start == SLOT and appointment.patient_name == "Jo Tremblay"
    assert not Hold.objects.exists()


def test_the_form_books_even_without_a_hold_when_the_time_is_free(client: Client, world: World) -> None:
    page = client.get(start_url(world))  # no JavaScript ran: nothing was held
    response = client.post(start_url(world), FORM | {"form_token": page.context["form"].initial["form_token"]})
    assert response.status_code == 302
    assert Appointment.objects.get().start == SLOT


def test_a_lapsed_hold_on_a_taken_time_offers_other_times_keeping_what_was_typed(client: Client, world: World) -> None:
    url, token = checkout(client, world)
    Hold.objects.update(expires_at=NOW)
    checkout(Client(), world)  # someone else holds it meanwhile
    response = client.post(url, FORM | {"form_token": token})
    assert response.status_code == 409
    html = response.content.decode()
    assert "lapsed" in html
    assert 'name="review" value="1"' in html
    assert 'name="name" value="Jo Tremblay"' in html and 'name="note" value="Sore knee"' in html
    assert token not in html, "a new time gets a new form token"
    assert not Appointment.objects.exists()
    # Picking another time brings the details along to check and confirm there; it books nothing yet.
    other = later(60)
    review = client.post(start_url(world, other), FORM | {"review": "1"})
    assert review.status_code == 200
    page = review.content.decode()
    assert 'value="Jo Tremblay"' in page and "Sore knee" in page and 'id="id_consent" checked' in page
    assert not Appointment.objects.exists()
    booked = client.post(start_url(world, other), FORM | {"form_token": review.context["form"].initial["form_token"]})
    assert booked.status_code == 302
    assert Appointment.objects.get().start == other


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:00:00-08:00", "0001-01-01T00:00:00%2B05:00", "2999-01-01T10:00:00Z", "1900-01-01T10:00Z"]
)
def test_a_link_dated_far_outside_the_sane_window_is_a_clear_400(client: Client, world: World, start: str) -> None:
    url = f"/book/?practitioner={world.chen.pk}&service={world.service.pk}&start={start}"
    response = client.get(url)
    assert response.status_code == 400
    assert "Choose a date between" in response.content.decode()
    data = {"practitioner": world.chen.pk, "service": world.service.pk, "start": start.replace("%2B", "+")}
    assert client.post("/book/hold/", data, headers={"HX-Request": "true"}).status_code == 400
    assert not Hold.objects.exists()


def test_booking_a_time_inside_the_cancellation_window_says_so_before_confirming(client: Client, world: World) -> None:
    soon = at(14)  # today, six hours ahead of NOW
    html = client.get(start_url(world, soon)).content.decode()
    assert "This visit is within 24 hours: you will not be able to cancel or change it online" in html
    assert "(416) 555-0100" in html, "the clinic's phone, written nationally"
    far = client.get(start_url(world)).content.decode()  # 26 hours ahead
    assert "This visit is within" not in far


def test_the_services_refuse_a_start_outside_the_sane_window_with_a_clear_message(world: World) -> None:
    from datetime import UTC, datetime

    from booking.errors import NotBookable
    from booking.services import appointment_book, hold_create
    from painhero.testing import patient

    far = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    with pytest.raises(NotBookable, match="Choose a date between"):
        hold_create(practitioner=world.chen, service=world.service, start=far, now=NOW, owner_key="me")
    with pytest.raises(NotBookable, match="Choose a date between"):
        appointment_book(practitioner=world.chen, service=world.service, start=far, patient=patient(), now=NOW)
