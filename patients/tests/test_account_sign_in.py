"""My PainHero's magic-link sign-in: no enumeration, a button before anything is spent, once, 15 minutes,
throttled per address and per network address, never a staff user, and no token in any log line."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from sesame.utils import get_token

from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, World, book
from patients.account import PatientAccount
from patients.account_services import MAX_LINKS_PER_EMAIL_PER_HOUR, MAX_LINKS_PER_IP_PER_HOUR, SCOPE

LINK = re.compile(r"https?://[^\s\"]+/my/sign-in/link/\?sesame=[^\s\"<]+")


def ask_link(client: Client, email: str, *, prefix: str = "") -> Any:
    return client.post(f"{prefix}/my/sign-in/", {"email": email})


def emailed_link(*, index: int = -1) -> str:
    """The path and query of the link in the last sign-in email delivered by the worker."""
    outbox_sweep()  # at the test's clock
    body = str(mail.outbox[index].body)
    found = LINK.search(body)
    assert found, body
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}"


def token_of(link: str) -> str:
    return link.split("sesame=", 1)[1]


def sign_in(client: Client, email: str = "sam@example.com") -> str:
    """Ask for a link, open it and press "Sign in", as a patient does; the token used."""
    assert ask_link(client, email).status_code == 302
    link = emailed_link()
    assert client.get(link).status_code == 200
    token = token_of(link)
    assert client.post("/my/sign-in/link/", {"sesame": token}).status_code == 302
    return token


@pytest.fixture
def sam(world: World) -> Any:
    """Sam has booked tomorrow at 10:00 with sam@example.com."""
    return book(world, SLOT)


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client: Client, sam: Any) -> None:
    known = ask_link(Client(), "sam@example.com")
    unknown = ask_link(Client(), "nobody@example.com")
    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code,
        unknown["Location"],
        unknown.content,
    )
    assert sorted(known.cookies) == sorted(unknown.cookies)
    page = client.get(known["Location"])
    assert "If we have anything for this address, we sent a link" in page.content.decode()
    # Only the known address gets an email; the unknown one gets no account either.
    outbox_sweep(now=NOW)
    assert [message.to for message in mail.outbox] == [["sam@example.com"]]
    assert list(PatientAccount.objects.values_list("email", flat=True)) == ["sam@example.com"]


def test_the_email_says_nothing_of_health_and_the_link_is_in_the_patients_language(client: Client, sam: Any) -> None:
    ask_link(client, "SAM@example.com", prefix="/fr")
    link = emailed_link()
    assert link.startswith("/fr/my/sign-in/link/?sesame=")
    [message] = mail.outbox
    assert isinstance(message, mail.EmailMultiAlternatives)
    assert message.to == ["sam@example.com"]
    assert "knee" not in message.subject and "knee" not in message.body
    assert sam.clinic.name not in message.subject
    html = message.alternatives[0][0]
    assert isinstance(html, str) and 'href="http' in html and '<html lang="fr">' in html


def test_opening_the_link_signs_nobody_in_until_the_button_is_pressed(client: Client, sam: Any) -> None:
    ask_link(client, "sam@example.com")
    link = emailed_link()
    # A mail scanner fetches the link (twice): a page with a button, nothing spent, nobody signed in.
    for _ in range(2):
        page = client.get(link)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'method="post"' in html and "Sign in</button>" in html
        assert page["Referrer-Policy"] == "same-origin" and "no-store" in page["Cache-Control"]
    assert client.get("/my/")["Location"] == "/my/sign-in/"
    assert PatientAccount.objects.get().verified_at is None
    response = client.post("/my/sign-in/link/", {"sesame": token_of(link)})
    assert response["Location"] == "/my/"
    assert client.get("/my/").status_code == 200
    assert PatientAccount.objects.get().verified_at == NOW


def test_a_link_works_once(client: Client, sam: Any) -> None:
    token = sign_in(client)
    other = Client()
    response = other.post("/my/sign-in/link/", {"sesame": token})
    assert response.status_code == 400
    assert "no longer works" in response.content.decode()
    assert other.get("/my/").status_code == 302


def test_a_link_expires_after_fifteen_minutes(client: Client, sam: Any, time_machine: Any) -> None:
    ask_link(client, "sam@example.com")
    link = emailed_link()
    time_machine.move_to(NOW + timedelta(minutes=15, seconds=30), tick=False)
    assert client.post("/my/sign-in/link/", {"sesame": token_of(link)}).status_code == 400
    assert client.get("/my/").status_code == 302


def test_a_link_within_fifteen_minutes_still_works(client: Client, sam: Any, time_machine: Any) -> None:
    ask_link(client, "sam@example.com")
    link = emailed_link()
    time_machine.move_to(NOW + timedelta(minutes=14), tick=False)
    assert client.post("/my/sign-in/link/", {"sesame": token_of(link)}).status_code == 302


def test_a_forged_or_missing_token_is_a_clear_400_not_a_500(client: Client, sam: Any) -> None:
    assert client.post("/my/sign-in/link/", {"sesame": "not-a-token"}).status_code == 400
    assert client.post("/my/sign-in/link/", {}).status_code == 400
    assert "incomplete" in client.get("/my/sign-in/link/").content.decode()


def test_a_bad_address_is_a_400_naming_it(client: Client, world: World) -> None:
    response = ask_link(client, "not an email")
    assert response.status_code == 400
    assert "Enter an email address like name@example.com." in response.content.decode()


def test_a_magic_link_never_opens_a_staff_users_account(client: Client, world: World) -> None:
    # The clinic's owner also booked as a patient with the same address.
    book(world, SLOT, patient_email="owner@alpha.test")
    sign_in(client, "owner@alpha.test")
    account = PatientAccount.objects.get()
    assert account.user_id != world.owner.pk
    assert client.session["_auth_user_id"] == str(account.user_id)
    assert not account.user.has_usable_password() and not account.user.is_staff
    # A token made for the staff user itself (it never is) is refused: sesame may only open patient accounts.
    stranger = Client()
    response = stranger.post("/my/sign-in/link/", {"sesame": get_token(world.owner, scope=SCOPE)})
    assert response.status_code == 400
    assert "_auth_user_id" not in stranger.session
    # An unscoped token (a link made by anything else) is refused too.
    assert stranger.post("/my/sign-in/link/", {"sesame": get_token(account.user)}).status_code == 400


def test_links_are_throttled_per_address_known_or_not(client: Client, sam: Any) -> None:
    for email in ("sam@example.com", "nobody@example.com"):
        for _ in range(MAX_LINKS_PER_EMAIL_PER_HOUR):
            assert ask_link(Client(REMOTE_ADDR="10.0.0.1"), email).status_code == 302
        # From another network address, the same address is still refused.
        response = ask_link(Client(REMOTE_ADDR="10.0.0.2"), email.upper())
        assert response.status_code == 429
        assert "Too many sign-in links" in response.content.decode()
        assert response["Retry-After"] == "3600"
    outbox_sweep(now=NOW)
    assert len(mail.outbox) == MAX_LINKS_PER_EMAIL_PER_HOUR


def test_links_are_throttled_per_network_address(client: Client, world: World, time_machine: Any) -> None:
    for n in range(MAX_LINKS_PER_IP_PER_HOUR):
        assert ask_link(client, f"person{n}@example.com").status_code == 302
    assert ask_link(client, "one-more@example.com").status_code == 429
    assert ask_link(Client(REMOTE_ADDR="10.9.9.9"), "one-more@example.com").status_code == 302


def test_no_token_or_address_reaches_a_log_line(client: Client, sam: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    ask_link(client, "sam@example.com")
    link = emailed_link()
    token = token_of(link)
    client.get(link)
    client.post("/my/sign-in/link/", {"sesame": token})
    client.post("/my/sign-in/link/", {"sesame": token})  # spent: refused, and logged by nobody
    Client().get(link.replace("/my/sign-in/link/", "/my/nowhere/"))  # a 404 names its path in a warning
    client.get("/my/")
    client.get("/my/download/")
    assert caplog.records, "the flow logged nothing at all: the test would prove nothing"
    assert token not in caplog.text
    assert "sam@example.com" not in caplog.text


def test_a_patient_user_has_no_usable_password_and_is_not_staff(client: Client, sam: Any) -> None:
    sign_in(client)
    user = get_user_model().objects.get(pk=PatientAccount.objects.get().user_id)
    assert user.username.startswith("patient:") and not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
