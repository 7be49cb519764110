"""The holes of the sign-in: invitations to existing accounts, timing, the throttle's rules, reset emails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from painhero.testing import NOW, PASSWORD, World, client_for, make_user
from portal.auth_services import invitation_create
from portal.models import Invitation, Membership, Role, SignInFailure

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")

NEW_PASSWORD = "attacker-chosen-pass-99"


def _sign_in(client: Client, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/portal/sign-in/", {"email": email, "password": password}, **extra)


def _device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice, at: Any) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def _invite(world: World, email: str, role: str = Role.FRONT_DESK) -> Invitation:
    return invitation_create(
        clinic=world.clinic,
        email=email,
        role=role,
        practitioner=None,
        invited_by=world.owner,
        now=NOW,
        accept_url_for=lambda inv: f"/portal/invitations/{inv.token}/",
    )


# --- Invitations to an existing account ---------------------------------------------------------------


def test_an_invitation_to_an_existing_account_never_sets_its_password_nor_signs_anyone_in(world: World) -> None:
    _device(world.outsider)
    invitation = _invite(world, "Owner@Bravo.test")
    link = f"/portal/invitations/{invitation.token}/"
    holder = Client()
    page = holder.get(link)
    assert page.status_code == 200 and 'name="password"' not in page.content.decode()
    assert "already has a PainHero portal account" in page.content.decode()
    response = holder.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 403
    world.outsider.refresh_from_db()
    assert world.outsider.check_password(PASSWORD) and not world.outsider.check_password(NEW_PASSWORD)
    assert holder.get(f"/portal/{world.other_clinic.pk}/").status_code == 302  # not signed in
    assert not Membership.objects.filter(user=world.outsider, clinic=world.clinic).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_the_invited_account_accepts_signed_in_with_its_code_and_joins_only_the_inviting_clinic(
    world: World, time_machine: Any
) -> None:
    device = _device(world.outsider)
    invitation = _invite(world, "owner@bravo.test")
    link = f"/portal/invitations/{invitation.token}/"
    # Signed in with the password alone (no code): not enough.
    assert client_for(world.outsider).post(link).status_code == 403

    client = Client()
    response = _sign_in(client, "owner@bravo.test", next=link)
    assert (
        client.post("/portal/sign-in/", {"email": "owner@bravo.test", "password": PASSWORD, "next": link})["Location"]
        == "/portal/sign-in/code/"
    )
    time_machine.move_to(NOW + timedelta(seconds=30), tick=False)
    response = client.post("/portal/sign-in/code/", {"code": _code(device, NOW + timedelta(seconds=30))})
    assert response.status_code == 302 and response["Location"] == link
    assert "Join Alpha Physio" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == f"/portal/{world.clinic.pk}/"
    roles = dict(Membership.objects.filter(user=world.outsider).values_list("clinic_id", "role"))
    assert roles == {world.clinic.pk: Role.FRONT_DESK, world.other_clinic.pk: Role.OWNER}
    world.outsider.refresh_from_db()
    assert world.outsider.check_password(PASSWORD)
    assert client.post(link).status_code == 404  # spent


def test_another_signed_in_account_cannot_accept_an_invitation_meant_for_someone_else(
    world: World, colleague_client: Client
) -> None:
    invitation = _invite(world, "owner@bravo.test", role=Role.OWNER)
    response = colleague_client.post(f"/portal/invitations/{invitation.token}/")
    assert response.status_code == 403
    assert "This invitation is for owner@bravo.test" in response.content.decode()
    assert Membership.objects.get(user=world.colleague).role == Role.FRONT_DESK
    assert not Membership.objects.filter(user=world.outsider, clinic=world.clinic).exists()


# --- Timing -----------------------------------------------------------------------------------------


def test_an_unknown_email_runs_the_password_hasher_like_a_known_one(world: World, monkeypatch: Any) -> None:
    runs: list[str] = []
    original = MD5PasswordHasher.encode

    def spy(self: Any, password: str, salt: str) -> str:
        runs.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", spy)  # verify() runs encode() too
    assert _sign_in(Client(), "desk@alpha.test", "wrong-1").status_code == 400
    known = len(runs)
    assert _sign_in(Client(), "nobody@alpha.test", "wrong-2").status_code == 400
    assert known == 1 and len(runs) - known == 1


# --- Throttle ---------------------------------------------------------------------------------------


def test_guesses_from_many_addresses_against_one_email_never_stop_its_recognised_device(
    world: World, time_machine: Any
) -> None:
    usual = Client()
    assert _sign_in(usual, "desk@alpha.test", REMOTE_ADDR="10.1.1.1").status_code == 302
    usual.post("/portal/sign-out/")
    for n in range(20):
        assert _sign_in(Client(), "desk@alpha.test", "wrong", REMOTE_ADDR=f"10.2.0.{n}").status_code == 400
    assert _sign_in(Client(), "desk@alpha.test", "wrong", REMOTE_ADDR="10.2.0.99").status_code == 429
    # An unknown browser is slowed (the botnet gets no more guesses) ...
    assert _sign_in(Client(), "desk@alpha.test", REMOTE_ADDR="10.3.3.3").status_code == 429
    # ... the person's own browser still signs in, even from an address the guessers use.
    assert _sign_in(usual, "desk@alpha.test", REMOTE_ADDR="10.2.0.1").status_code == 302


def test_a_recognised_device_is_forgotten_when_the_password_changes(world: World) -> None:
    usual = Client()
    _sign_in(usual, "desk@alpha.test", REMOTE_ADDR="10.1.1.1")
    usual.post("/portal/sign-out/")
    world.colleague.set_password("a-brand-new-pass-31")
    world.colleague.save()
    for n in range(20):
        _sign_in(Client(), "desk@alpha.test", "wrong", REMOTE_ADDR=f"10.2.0.{n}")
    assert _sign_in(usual, "desk@alpha.test", "a-brand-new-pass-31", REMOTE_ADDR="10.1.1.1").status_code == 429


def test_wrong_codes_count_and_the_right_password_does_not_wipe_them(world: World, time_machine: Any) -> None:
    _device(world.owner)
    client = Client()
    for n in range(5):
        time_machine.move_to(NOW + timedelta(seconds=n), tick=False)
        assert _sign_in(client, "owner@alpha.test")["Location"] == "/portal/sign-in/code/"
        assert client.post("/portal/sign-in/code/", {"code": "000000"}).status_code == 400
    time_machine.move_to(NOW + timedelta(seconds=10), tick=False)
    assert _sign_in(client, "owner@alpha.test").status_code == 429
    assert client.post("/portal/sign-in/code/", {"code": "000000"}).status_code == 429
    assert client.get(f"/portal/{world.clinic.pk}/").status_code == 302


def test_a_throttled_try_is_not_counted_so_waiting_it_out_works(world: World, time_machine: Any) -> None:
    for _n in range(5):
        _sign_in(Client(), "desk@alpha.test", "wrong", REMOTE_ADDR="10.0.0.1")
    for seconds in (1, 10, 20):
        time_machine.move_to(NOW + timedelta(seconds=seconds), tick=False)
        assert _sign_in(Client(), "desk@alpha.test", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert SignInFailure.objects.count() == 5
    time_machine.move_to(NOW + timedelta(seconds=31), tick=False)
    assert _sign_in(Client(), "desk@alpha.test", REMOTE_ADDR="10.0.0.1").status_code == 302
    assert SignInFailure.objects.count() == 0  # a full sign-in forgets this address's failures


# --- Password reset ---------------------------------------------------------------------------------


def _reset(email: str, ip: str = "10.5.5.5") -> Any:
    return Client().post("/portal/password/reset/", {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_sends_at_most_3_emails_an_hour_to_one_address(world: World, time_machine: Any) -> None:
    answers = [_reset("desk@alpha.test", ip=f"10.5.5.{n}") for n in range(5)]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/portal/password/reset/sent/")}
    assert len(mail.outbox) == 3
    time_machine.move_to(NOW + timedelta(minutes=61), tick=False)
    _reset("desk@alpha.test")
    assert len(mail.outbox) == 4


@pytest.mark.parametrize("unknown", [False, True])
def test_password_reset_sends_at_most_10_emails_an_hour_from_one_address(world: World, unknown: bool) -> None:
    for n in range(10):
        if unknown:
            _reset(f"nobody{n}@alpha.test")  # unknown emails count too: they cost the same work
        else:
            make_user(f"staff{n}@alpha.test")
            _reset(f"staff{n}@alpha.test")
    make_user("late@alpha.test")
    response = _reset("late@alpha.test")
    assert response.status_code == 302 and response["Location"] == "/portal/password/reset/sent/"
    assert "late@alpha.test" not in [m.to[0] for m in mail.outbox]
    assert _reset("late@alpha.test", ip="10.6.6.6").status_code == 302
    assert mail.outbox[-1].to == ["late@alpha.test"]
