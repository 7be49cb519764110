"""Security headers: a Content-Security-Policy on every page, HSTS and the HTTPS redirect in production, and a
clean ``check --deploy``. Production runs in a subprocess: PRODUCTION=1 is read once, when settings load."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from painhero.settings import _tile_origin

ROOT = Path(__file__).resolve().parents[2]


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
def test_every_page_forbids_inline_and_foreign_scripts(client: Client) -> None:
    for url in ("/", "/fr/", "/search/", "/portal/sign-in/"):
        response = client.get(url)
        policy = _directives(response.headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], url
        assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in policy["script-src"], url


@pytest.mark.django_db
def test_map_tiles_are_allowed_from_the_configured_tile_origin_only(client: Client) -> None:
    policy = _directives(client.get("/").headers["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.ca:8443/{z}/{x}/{y}.png", "https://*.tile.example.ca:8443"),
        ("/static/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_the_tile_origin_is_read_from_map_tile_url(url: str, origin: str | None) -> None:
    assert _tile_origin(url) == origin


def test_a_tile_url_that_is_not_an_address_is_refused_with_a_message() -> None:
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_URL='javascript:alert' must be an https://"):
        _tile_origin("javascript:alert")


@pytest.mark.django_db
def test_the_api_docs_page_gets_the_same_strict_policy(client: Client) -> None:
    # Swagger UI loads its own static files and styles through the CSSOM: it needs no exception
    # (test_csp_browser.py proves it in Chromium).
    docs = client.get("/api/v1/docs").headers["Content-Security-Policy"]
    assert docs == client.get("/").headers["Content-Security-Policy"]


def test_the_referrer_never_carries_a_private_link_to_another_site(client: Client) -> None:
    response = client.get("/healthz")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def _production(code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (or ``manage.py`` arguments) with a production environment of its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser fixture for this test process, never in a deployment.
        if not k.startswith(
            ("SECURE_", "PRODUCTION", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC")
        )
    }
    env.update(
        PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="painhero.ca,testserver",
        SITE_URL="https://painhero.ca",
        DJANGO_SETTINGS_MODULE="painhero.settings",
        **extra,
    )
    # ``code`` is one of this module's constants, never outside input.
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603


DEPLOY_CHECK = "import sys; from django.core.management import execute_from_command_line as run; "
DEPLOY_CHECK += "run(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"


def test_check_deploy_passes_without_a_warning_in_production() -> None:
    result = _production(DEPLOY_CHECK)
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


def test_check_deploy_warns_when_hsts_is_switched_off() -> None:
    # The test above would pass if the checks never ran: show that they do.
    result = _production(DEPLOY_CHECK, SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr


REQUESTS = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
out = {}
for name, path, extra in [
    ("plain_home", "/", {}),
    ("plain_healthz", "/healthz", {}),
    ("plain_readyz", "/readyz", {}),
    ("tls_healthz", "/healthz", {"HTTP_X_FORWARDED_PROTO": "https"}),
]:
    response = client.get(path, **extra)
    out[name] = {"status": response.status_code, "location": response.headers.get("Location", ""),
                 "hsts": response.headers.get("Strict-Transport-Security", "")}
print(json.dumps(out))
"""


def test_production_redirects_to_https_but_lets_the_health_probes_answer_over_http(tmp_path: Any) -> None:
    result = _production(REQUESTS, DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_home"]["status"] == 301
    assert seen["plain_home"]["location"] == "https://testserver/"
    assert seen["plain_healthz"]["status"] == 200
    assert seen["plain_readyz"]["status"] != 301  # 503 here (no migrations applied), but not a redirect
    assert seen["tls_healthz"]["hsts"] == "max-age=31536000; includeSubDomains"


POLICY = "import django; django.setup(); from django.conf import settings as s; "
POLICY += "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('report-uri'))"


def test_violation_reports_go_where_csp_report_uri_says() -> None:
    result = _production(POLICY, CSP_REPORT_URI="https://reports.painhero.ca/csp")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['https://reports.painhero.ca/csp']"


def test_a_report_uri_that_is_not_an_address_stops_the_app_with_a_message() -> None:
    result = _production(POLICY, CSP_REPORT_URI="https://x; script-src *")
    assert result.returncode != 0
    assert "CSP_REPORT_URI='https://x; script-src *' must be an https:// address or a path" in result.stderr
