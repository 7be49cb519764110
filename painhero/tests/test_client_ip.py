"""The client's address: REMOTE_ADDR, or the entry our own proxy wrote into TRUSTED_PROXY_HEADER; never what a
client wrote. Checked on the helper, on the hold cap it protects, and on the setting's strict parsing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory

from booking.models import Hold
from booking.services import MAX_HOLDS_PER_IP
from painhero.http import client_ip
from painhero.testing import NOW, World, later

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.5"


def _request(**meta: Any) -> Any:
    return RequestFactory().get("/", **meta)


def test_without_the_setting_the_address_is_remote_addr_and_a_forged_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER = ""
    request = _request(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.7"


def test_behind_one_proxy_the_right_most_entry_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Forwarded-For", 1
    # The client sent "1.1.1.1" itself; our proxy appended the address it really saw.
    request = _request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_behind_two_proxies_the_entry_the_outer_proxy_wrote_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Forwarded-For", 2
    request = _request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7, 10.0.0.9")
    assert client_ip(request) == "203.0.113.7"
    # A hop skipped (fewer entries than proxies): the left-most entry, still one of ours.
    assert client_ip(_request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")) == "203.0.113.8"


def test_ports_and_brackets_some_proxies_write_are_dropped(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Forwarded-For", 1
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.7:51234")) == "203.0.113.7"
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="2001:DB8::1")) == "2001:db8::1"


def test_a_missing_or_malformed_header_falls_back_to_the_proxy_address(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Forwarded-For", 1
    assert client_ip(_request(REMOTE_ADDR=PROXY)) == PROXY
    assert client_ip(_request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="unknown")) == PROXY
    assert client_ip(_request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="<script>, ")) == PROXY


def test_no_request_and_no_address_give_none() -> None:
    assert client_ip(None) is None
    assert client_ip(_request(REMOTE_ADDR="")) is None


def _hold(client: Client, world: World, n: int, **headers: str) -> Any:
    return client.post(
        "/api/v1/holds",
        {"practitioner_id": world.chen.pk, "service_id": world.service.pk, "start": later(30 * n).isoformat()},
        content_type="application/json",
        headers={"X-Client-Key": f"session-{n}-{headers.get('X-Forwarded-For', '')}", **headers},
        REMOTE_ADDR=PROXY,
    )


def test_two_patients_behind_one_proxy_each_get_their_own_hold_cap(
    world: World, settings: Any, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Forwarded-For", 1
    client = Client()
    for n in range(MAX_HOLDS_PER_IP):
        assert _hold(client, world, n, **{"X-Forwarded-For": "203.0.113.1"}).status_code == 201
    assert _hold(client, world, MAX_HOLDS_PER_IP, **{"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    # The second patient, through the same proxy, is not blocked by the first one's holds.
    assert _hold(client, world, MAX_HOLDS_PER_IP + 1, **{"X-Forwarded-For": "203.0.113.2"}).status_code == 201
    assert set(Hold.objects.values_list("ip", flat=True)) == {"203.0.113.1", "203.0.113.2"}


def test_a_client_forging_x_forwarded_for_gets_nothing_from_it_when_the_setting_is_off(
    world: World, settings: Any, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    settings.TRUSTED_PROXY_HEADER = ""
    client = Client()
    for n in range(MAX_HOLDS_PER_IP):
        assert _hold(client, world, n, **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code == 201
    # A fresh made-up address each time changes nothing: the cap is on the real peer.
    assert _hold(client, world, MAX_HOLDS_PER_IP, **{"X-Forwarded-For": "198.51.100.99"}).status_code == 429
    assert set(Hold.objects.values_list("ip", flat=True)) == {PROXY}


def _settings_load(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRUSTED_PROXY", "PRODUCTION"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TRUSTED_PROXY_HEADER": "HTTP_X_FORWARDED_FOR"},
            "TRUSTED_PROXY_HEADER='HTTP_X_FORWARDED_FOR' is not a header",
        ),
        ({"TRUSTED_PROXY_HEADER": "X-Forwarded-For, X-Real-IP"}, "is not a header name"),
        ({"TRUSTED_PROXY_HEADER": "Forwarded"}, "Forwarded is not supported"),
        ({"TRUSTED_PROXY_HEADER": "X-Forwarded-For", "TRUSTED_PROXY_COUNT": "0"}, "TRUSTED_PROXY_COUNT=0 is below"),
        ({"TRUSTED_PROXY_COUNT": "two"}, "TRUSTED_PROXY_COUNT='two' is not a whole number"),
    ],
)
def test_a_proxy_setting_that_cannot_be_right_stops_the_app_with_a_message(env: dict[str, str], message: str) -> None:
    result = _settings_load(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_well_formed_proxy_setting_is_accepted() -> None:
    result = _settings_load(TRUSTED_PROXY_HEADER="X-Forwarded-For", TRUSTED_PROXY_COUNT="2")
    assert result.returncode == 0, result.stderr
