"""The patient's own hold is theirs whatever happens to the session: the page names the hold's owner itself.

The session row is saved whole by every request (SESSION_SAVE_EVERY_REQUEST), so a request that read it before
the hold was saved can put back a copy without the hold; and the hold POST is often the request that creates
the session, so a form sent before its answer arrived carries no session at all. Both used to answer the
patient's own hold with 409 "someone else just took this time".
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from booking import views
from booking.models import Appointment, Hold
from painhero.testing import NOW, SLOT, World

FORM = {
    "name": "Jo Tremblay",
    "email": "jo@example.com",
    "phone": "416 555 0123",
    "first_visit": "1",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _page(client: Client, world: World) -> tuple[str, dict[str, str]]:
    """Open the time's page as a browser does: its URL, and the hidden fields both of its forms carry."""
    url = f"/book/?practitioner={world.chen.pk}&service={world.service.pk}&start={SLOT.isoformat()}"
    page = client.get(url)
    assert page.status_code == 200
    hidden = {
        "form_token": page.context["form"].initial["form_token"],
        "visitor": page.context.get("visitor_signed", ""),
    }
    return url, hidden


def _hold(client: Client, world: World, hidden: dict[str, str]) -> None:
    """What booking/hold.js sends as the page opens (the page's own hold form)."""
    data = {"practitioner": world.chen.pk, "service": world.service.pk, "start": SLOT.isoformat()}
    response = client.post("/book/hold/", data | {"visitor": hidden["visitor"]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Hold.objects.filter(start=SLOT).count() == 1


def _booked(response: Any) -> None:
    assert response.status_code == 302, response.content.decode()[:300]
    assert "/appointments/" in response["Location"]
    assert Appointment.objects.get().start == SLOT
    assert not Hold.objects.exists(), "the hold was used up by the booking, not left to lapse"


def test_an_older_copy_of_the_session_saved_last_does_not_take_the_patients_hold_away(
    client: Client, world: World
) -> None:
    # The browser already has a session (a language chosen, a sign-in): requests of the page share it.
    session = SessionStore()
    session["seen"] = True
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key or ""
    url, hidden = _page(client, world)
    # Request A (any request of this browser) reads the session before the hold is saved...
    older = SessionStore(session_key=session.session_key)
    assert older.get("seen") is True
    _hold(client, world, hidden)
    assert views.SESSION_HOLDS in SessionStore(session_key=session.session_key).load()
    # ...and saves its copy last, as SESSION_SAVE_EVERY_REQUEST makes every request do: the hold's entry is gone.
    older.save()
    assert views.SESSION_HOLDS not in SessionStore(session_key=session.session_key).load()

    _booked(client.post(url, FORM | hidden))


def test_a_form_sent_before_the_hold_answered_books_the_patients_own_hold(client: Client, world: World) -> None:
    url, hidden = _page(client, world)
    _hold(client, world, hidden)
    # The hold's answer, which brought the session cookie, had not arrived when the patient confirmed.
    del client.cookies[settings.SESSION_COOKIE_NAME]

    _booked(client.post(url, FORM | hidden))


def test_the_pages_own_field_names_the_owner_without_any_cookie(client: Client, world: World) -> None:
    url, hidden = _page(client, world)
    _hold(client, world, hidden)
    client.cookies.clear()

    _booked(client.post(url, FORM | hidden))


def test_a_forged_owner_field_claims_no_one_elses_hold(client: Client, world: World) -> None:
    other = Client()
    url, other_hidden = _page(other, world)  # opened before the hold: the page is the booking form
    _url, hidden = _page(client, world)
    _hold(client, world, hidden)
    owner = Hold.objects.get().owner_key
    # The bare id, unsigned (or signed with another key), is ignored: the other browser stays itself.
    response = other.post(url, FORM | other_hidden | {"visitor": owner})
    assert response.status_code == 409
    assert "just took this time" in response.content.decode()
    assert not Appointment.objects.exists() and Hold.objects.get().owner_key == owner


def test_a_hold_written_while_the_form_waited_for_the_lock_is_still_the_patients(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, hidden = _page(client, world)
    _hold(client, world, hidden)
    real = views._mine
    calls: list[object] = []

    def not_yet_committed(*args: Any) -> Hold | None:
        # The first look happens before the lock, while the hold's own transaction has not yet committed.
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(views, "_mine", not_yet_committed)

    _booked(client.post(url, FORM | hidden))
    assert len(calls) == 2
