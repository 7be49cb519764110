from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from painhero.testing import NOW, PASSWORD, World, client_for
from portal.models import Invitation, Membership, Role

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")


def _sign_in(client: Client, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/portal/sign-in/", {"email": email, "password": password}, **extra)


def _code(device: TOTPDevice, at: Any = NOW) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def test_staff_sign_in_with_email_and_password_and_land_on_their_clinics_day(world: World) -> None:
    client = Client()
    response = _sign_in(client, "Desk@Alpha.test")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.get("/portal/")["Location"] == f"/portal/{world.clinic.pk}/"
    assert client.session.get_expiry_age() == settings.PORTAL_SESSION_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # the expiry slides with each request


def test_a_signed_in_session_ends_after_30_minutes_without_a_request(world: World, time_machine: Any) -> None:
    client = Client()
    _sign_in(client, "desk@alpha.test")
    time_machine.move_to(NOW + timedelta(minutes=20), tick=False)
    assert client.get(f"/portal/{world.clinic.pk}/").status_code == 200  # slides the expiry forward
    time_machine.move_to(NOW + timedelta(minutes=45), tick=False)
    assert client.get(f"/portal/{world.clinic.pk}/").status_code == 200  # 25 min after the last request
    time_machine.move_to(NOW + timedelta(minutes=76), tick=False)
    assert client.get(f"/portal/{world.clinic.pk}/").status_code == 302


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(world: World) -> None:
    response = _sign_in(Client(), "desk@alpha.test", "nope")
    assert response.status_code == 400
    assert "The email or the password is wrong." in response.content.decode()
    assert _sign_in(Client(), "nobody@alpha.test").content.decode().count("The email or the password is wrong.") == 1


def test_five_failures_for_one_email_from_one_address_slow_that_address_without_locking_the_email(
    world: World, time_machine: Any
) -> None:
    for _n in range(5):
        _sign_in(Client(), "desk@alpha.test", "wrong", REMOTE_ADDR="10.0.0.1")
    response = _sign_in(Client(), "desk@alpha.test", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 1 minute" in response.content.decode()
    assert response["Retry-After"] == "30"
    # The real person elsewhere is not locked out by someone else's guesses...
    assert _sign_in(Client(), "desk@alpha.test", REMOTE_ADDR="10.0.1.1").status_code == 302
    # ...and the address that failed waits a backoff, not a quarter of an hour.
    time_machine.move_to(NOW + timedelta(seconds=31), tick=False)
    assert _sign_in(Client(), "desk@alpha.test", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_guesses_against_many_emails_from_one_address_slow_that_address_but_not_a_recognised_device(
    world: World,
) -> None:
    regular = Client()
    assert _sign_in(regular, "owner@alpha.test", REMOTE_ADDR="10.9.9.9").status_code == 302  # cookie set
    for n in range(10):
        _sign_in(Client(), f"guess{n}@alpha.test", "wrong", REMOTE_ADDR="10.9.9.9")
    assert _sign_in(Client(), "desk@alpha.test", REMOTE_ADDR="10.9.9.9").status_code == 429
    assert _sign_in(Client(), "desk@alpha.test", REMOTE_ADDR="10.9.9.8").status_code == 302
    regular.post("/portal/sign-out/")
    assert "portal_device" in regular.cookies
    assert _sign_in(regular, "owner@alpha.test", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_clinic_staff_cannot_reach_the_django_admin(world: World) -> None:
    assert not world.owner.is_staff
    response = client_for(world.owner).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_owner_turns_on_two_factor_and_then_sign_in_asks_for_the_code(
    owner_client: Client, world: World, time_machine: Any
) -> None:
    page = owner_client.get("/portal/account/").content.decode()
    assert "otpauth://totp/" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=world.owner, confirmed=False)
    assert owner_client.post("/portal/account/", {"action": "confirm", "code": "000000"}).status_code == 400
    # django-otp holds a device back for a few seconds after each wrong code.
    time_machine.move_to(NOW + timedelta(seconds=5), tick=False)
    owner_client.post("/portal/account/", {"action": "confirm", "code": _code(device, NOW + timedelta(seconds=5))})
    device.refresh_from_db()
    assert device.confirmed

    client = Client()
    response = _sign_in(client, "owner@alpha.test")
    assert response["Location"] == "/portal/sign-in/code/"
    assert client.get(f"/portal/{world.clinic.pk}/").status_code == 302  # not signed in yet
    assert client.post("/portal/sign-in/code/", {"code": "123456"}).status_code == 400
    time_machine.move_to(NOW + timedelta(seconds=40), tick=False)
    response = client.post("/portal/sign-in/code/", {"code": _code(device, NOW + timedelta(seconds=40))})
    assert response.status_code == 302
    assert client.get(f"/portal/{world.clinic.pk}/").status_code == 200


def test_an_owner_invites_a_practitioner_who_sets_a_password_once(
    owner_client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    url = f"/portal/{world.clinic.pk}/staff/"
    response = owner_client.post(url, {"email": "new@alpha.test", "role": Role.PRACTITIONER})
    assert response.status_code == 400 and "Choose the practitioner this person is." in response.content.decode()
    data = {"email": "New@Alpha.test", "role": Role.PRACTITIONER, "practitioner": world.other_practitioner.pk}
    assert "This practitioner does not work at this clinic." in owner_client.post(url, data).content.decode()
    data["practitioner"] = world.lee.pk
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(url, data).status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new@alpha.test"
    assert len(mail.outbox) == 1 and f"/portal/invitations/{invitation.token}/" in mail.outbox[0].body

    guest = Client()
    link = f"/portal/invitations/{invitation.token}/"
    assert guest.post(link, {"password": "x", "password_again": "x"}).status_code == 400  # too weak
    response = guest.post(link, {"password": "a-long-new-pass-42", "password_again": "a-long-new-pass-42"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new@alpha.test")
    assert (membership.role, membership.practitioner_id, membership.user.is_staff) == (
        Role.PRACTITIONER,
        world.lee.pk,
        False,
    )
    assert Client().get(link).status_code == 404  # used once


def test_an_invitation_expires_after_7_days(owner_client: Client, world: World, time_machine: Any) -> None:
    owner_client.post(f"/portal/{world.clinic.pk}/staff/", {"email": "late@alpha.test", "role": Role.FRONT_DESK})
    invitation = Invitation.objects.get()
    time_machine.move_to(NOW + timedelta(days=7, minutes=1), tick=False)
    response = Client().post(
        f"/portal/invitations/{invitation.token}/",
        {"password": "a-long-new-pass-42", "password_again": "a-long-new-pass-42"},
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user__email="late@alpha.test").exists()


def test_only_the_owner_reaches_staff_and_activity(colleague_client: Client, world: World) -> None:
    assert colleague_client.get(f"/portal/{world.clinic.pk}/staff/").status_code == 404
    assert colleague_client.get(f"/portal/{world.clinic.pk}/activity/").status_code == 404


def test_password_reset_sends_a_link_that_sets_a_new_password(world: World) -> None:
    client = Client()
    response = client.post("/portal/password/reset/", {"email": "desk@alpha.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/portal/password/reset/" in line)
    assert link.startswith(f"{settings.SITE_URL}/portal/password/reset/"), "the link is built from SITE_URL"
    path = link.removeprefix(settings.SITE_URL)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"})
    assert response.status_code == 302
    assert _sign_in(Client(), "desk@alpha.test", "brand-new-pass-77").status_code == 302
