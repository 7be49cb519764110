"""SITE_URL: the public address every absolute link is built from, strictly parsed, required in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from painhero.env import env_site_url
from painhero.urls_abs import absolute_reverse, absolute_url, site_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("https://painhero.ca", "https://painhero.ca"),
        ("https://painhero.ca/", "https://painhero.ca"),
        ("  HTTPS://PainHero.ca  ", "https://painhero.ca"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("https://www.painhero.ca:8443", "https://www.painhero.ca:8443"),
    ],
)
def test_site_url_accepts_a_scheme_and_a_host_and_drops_a_trailing_slash(
    monkeypatch: pytest.MonkeyPatch, raw: str, value: str
) -> None:
    monkeypatch.setenv("SITE_URL", raw)
    assert env_site_url("SITE_URL", "http://127.0.0.1:8000") == value


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("painhero.ca", "must start with http:// or https://"),
        ("ftp://painhero.ca", "must start with http:// or https://"),
        ("https://", "no valid host name"),
        ("https://pain hero.ca", "no valid host name"),
        ("https://painhero.ca/fr/", "must not have a path, query or fragment"),
        ("https://painhero.ca?x=1", "must not have a path, query or fragment"),
        ("https://painhero.ca#top", "must not have a path, query or fragment"),
        ("https://painhero.ca?", "must not have a path, query or fragment"),
        ("https://admin:secret@painhero.ca", "must not hold a user name or password"),
        ("https://painhero.ca:99999", "is not a URL"),
        ("https://painhero.ca:http", "is not a URL"),
    ],
)
def test_site_url_refuses_anything_else_naming_the_variable_and_the_form(
    monkeypatch: pytest.MonkeyPatch, raw: str, says: str
) -> None:
    monkeypatch.setenv("SITE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="SITE_URL=") as error:
        env_site_url("SITE_URL", "http://127.0.0.1:8000")
    assert says in str(error.value)
    assert "https://painhero.ca" in str(error.value), "the message shows what a good value looks like"


def test_site_url_defaults_to_the_local_server_and_is_required_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    assert env_site_url("SITE_URL", "http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    with pytest.raises(ImproperlyConfigured, match="SITE_URL must be set"):
        env_site_url("SITE_URL", "http://127.0.0.1:8000", required=True)
    monkeypatch.setenv("SITE_URL", " ")
    with pytest.raises(ImproperlyConfigured, match="SITE_URL must be set"):
        env_site_url("SITE_URL", "http://127.0.0.1:8000", required=True)


def _django_check(**env: str) -> subprocess.CompletedProcess[str]:
    names = ("PRODUCTION", "SECRET_KEY", "DEBUG", "DATABASE_URL", "SITE_URL")
    clean = {k: v for k, v in os.environ.items() if k not in names}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_site_url() -> None:
    result = _django_check(PRODUCTION="1", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_settings_refuse_a_site_url_with_a_path() -> None:
    result = _django_check(SITE_URL="https://painhero.ca/app")
    assert result.returncode != 0
    assert "SITE_URL='https://painhero.ca/app' must not have a path" in result.stderr


@override_settings(SITE_URL="https://painhero.ca")
def test_absolute_links_are_site_url_and_a_path_in_the_asked_language() -> None:
    assert site_url() == "https://painhero.ca"
    assert absolute_url("/portal/") == "https://painhero.ca/portal/"
    assert absolute_reverse("booking:manage", kwargs={"token": "t"}, language="en") == (
        "https://painhero.ca/appointments/t/"
    )
    assert absolute_reverse("booking:manage", kwargs={"token": "t"}, language="fr") == (
        "https://painhero.ca/fr/appointments/t/"
    )
    for bad in ("portal/", "//evil.example/x", "https://evil.example/"):
        with pytest.raises(ValueError, match="a path starting with one slash"):
            absolute_url(bad)
