"""Network staff reach the admin through the portal's throttled, two-factor sign-in."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from painhero.testing import NOW, PASSWORD, World, client_for

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")

ADMIN_PAGES = ("/admin/", "/admin/portal/membership/", "/admin/auth/user/")


def _superuser(email: str = "root@painhero.test") -> Any:
    return get_user_model().objects.create_superuser(username=email, email=email, password=PASSWORD)


def _device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice, at: float) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at
    return f"{totp.token():06d}"


def _reaches(client: Client, url: str) -> bool:
    return client.get(url).status_code == 200


def test_the_admin_login_page_sends_everyone_to_the_portal_sign_in_and_takes_no_password(world: World) -> None:
    root = _superuser()
    response = Client().get("/admin/login/?next=/admin/auth/user/")
    assert response.status_code == 302 and response["Location"] == "/portal/sign-in/?next=/admin/auth/user/"
    guesser = Client()
    for _n in range(20):
        response = guesser.post("/admin/login/", {"username": root.username, "password": "wrong"})
        assert response.status_code == 302 and response["Location"].startswith("/portal/sign-in/")
    # Even the right password on the admin's own form signs nobody in.
    guesser.post("/admin/login/", {"username": root.username, "password": PASSWORD})
    assert not _reaches(guesser, "/admin/")


def test_a_superuser_with_totp_needs_the_code_to_reach_the_admin(world: World, time_machine: Any) -> None:
    root = _superuser()
    device = _device(root)
    assert all(not _reaches(client_for(root), url) for url in ADMIN_PAGES)  # a password-only session

    client = Client()
    response = client.post("/portal/sign-in/", {"email": root.email, "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/portal/sign-in/code/"
    assert not _reaches(client, "/admin/")
    time_machine.move_to(NOW + timedelta(seconds=30), tick=False)
    response = client.post("/portal/sign-in/code/", {"code": _code(device, (NOW + timedelta(seconds=30)).timestamp())})
    assert response["Location"] == "/admin/"
    assert all(_reaches(client, url) for url in ADMIN_PAGES)


def test_in_development_a_superuser_without_a_device_may_still_enter(world: World, settings: Any) -> None:
    settings.PRODUCTION = False
    assert _reaches(client_for(_superuser()), "/admin/")


def test_in_production_staff_must_have_and_use_a_second_factor_for_every_admin_page(
    world: World, settings: Any, time_machine: Any
) -> None:
    settings.PRODUCTION = True
    root = _superuser()
    client = client_for(root)
    assert all(not _reaches(client, url) for url in ADMIN_PAGES)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/portal/account/"  # turn it on first

    device = _device(root)
    client = Client()
    client.post("/portal/sign-in/", {"email": root.email, "password": PASSWORD, "next": "/admin/"})
    time_machine.move_to(NOW + timedelta(seconds=30), tick=False)
    client.post("/portal/sign-in/code/", {"code": _code(device, (NOW + timedelta(seconds=30)).timestamp())})
    assert all(_reaches(client, url) for url in ADMIN_PAGES)


def test_clinic_staff_still_cannot_reach_the_admin_even_with_their_code(world: World, settings: Any) -> None:
    settings.PRODUCTION = True
    assert not _reaches(client_for(world.owner), "/admin/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_superuser_opens_the_admin_signs_in_with_password_and_code_in_a_browser(page: Any, live_server: Any) -> None:
    root = _superuser()
    device = _device(root)
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url("**/portal/sign-in/?next=/admin/")
    page.get_by_label("Email").fill(root.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/sign-in/code/")
    page.get_by_label("6-digit code from your authenticator app").fill(_code(device, time.time()))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert "Site administration" in page.content()
