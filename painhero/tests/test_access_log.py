"""Tokens and what people type never reach a log: gunicorn's access log and Django's own request log."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from painhero.redact import REDACTED, RedactSecretsFilter, text_redact, url_redact

ROOT = Path(__file__).resolve().parents[2]


def _token() -> str:
    # As the app makes them; the leading "Tk9" makes sure the generic rule has nothing to do with passing.
    return "Tk9" + secrets.token_urlsafe(32)


def test_manage_feed_invitation_and_password_reset_tokens_are_redacted_from_paths() -> None:
    token = _token()
    assert url_redact(f"/appointments/{token}/cancel/") == "/appointments/[redacted]/cancel/"
    assert url_redact(f"/fr/appointments/{token}/") == "/fr/appointments/[redacted]/"
    assert url_redact(f"/portal/feeds/{token}.ics") == "/portal/feeds/[redacted].ics"
    assert url_redact(f"/portal/invitations/{token}/") == "/portal/invitations/[redacted]/"
    assert url_redact("/portal/password/reset/MQ/cz3ab1-5f2e0c0a9f1d2b3c4d5e6f7a8b9c0d1e/") == (
        "/portal/password/reset/MQ/[redacted]/"
    )


def test_a_token_in_a_route_added_later_is_redacted_too() -> None:
    assert url_redact(f"/magic/{_token()}/") == "/magic/[redacted]/"


def test_ordinary_paths_are_kept_as_they_are() -> None:
    for path in (
        "/clinics/toronto/king-street-physio-2/",
        "/portal/3/feeds/",
        "/api/v1/clinics",
        "/api/v1/appointments/42/cancel",
        "/healthz",
    ):
        assert url_redact(path) == path


def test_a_query_string_keeps_its_parameter_names_only() -> None:
    assert url_redact("/book/?phone=4165551234&note=lower+back+pain") == "/book/?phone=&note="


def test_a_referer_keeps_its_origin_and_loses_its_token_and_query() -> None:
    token = _token()
    assert url_redact(f"https://painhero.ca/appointments/{token}/?email=a%40b.ca") == (
        "https://painhero.ca/appointments/[redacted]/?email="
    )


def test_the_log_filter_redacts_the_message_its_arguments_and_the_traceback() -> None:
    token = _token()
    try:
        raise ValueError(f"while reading /portal/invitations/{token}/")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Not Found: %s", (f"/appointments/{token}/",), sys.exc_info()
        )
    assert RedactSecretsFilter().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert token not in formatted
    assert "Not Found: /appointments/[redacted]/" in formatted
    assert "/portal/invitations/[redacted]/" in formatted


def test_free_text_keeps_its_words_and_loses_its_tokens() -> None:
    token = _token()
    assert (
        text_redact(f'"GET /portal/feeds/{token}.ics HTTP/1.1" 200')
        == '"GET /portal/feeds/[redacted].ics HTTP/1.1" 200'
    )


# --- a real gunicorn, with the project's configuration ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The test database (migrated by pytest-django), as a URL the server process can open; with
    ``transactional_db`` nothing holds it locked while the server reads."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {}, data=data)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def gunicorn(transactional_db: Any, tmp_path: Path, collected_static: None) -> Iterator[dict[str, Any]]:
    port = _free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = {**os.environ, "DATABASE_URL": _database_url(), "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with error_log.open("wb") as errors:
        process = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "painhero.wsgi",
                "--config",
                str(ROOT / "painhero" / "gunicorn_conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--access-logfile",
                str(access_log),
            ],
            cwd=ROOT,
            env=env,
            stdout=errors,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/healthz") == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{error_log.read_text()}")
            time.sleep(0.1)
        yield {"base": base, "access_log": access_log, "error_log": error_log, "process": process}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorns_access_log_and_djangos_request_log_never_show_a_token_or_a_form_value(
    gunicorn: dict[str, Any],
) -> None:
    base = gunicorn["base"]
    manage, feed, invitation, referer, reset = (_token() for _ in range(5))
    _get(f"{base}/appointments/{manage}/", headers={"Referer": f"{base}/portal/feeds/{referer}.ics?key=value"})
    _get(f"{base}/appointments/{manage}/cancel/")
    _get(f"{base}/portal/feeds/{feed}.ics")
    _get(f"{base}/portal/invitations/{invitation}/")
    _get(f"{base}/portal/password/reset/MQ/{reset}/")
    _get(f"{base}/clinics/?city=Toronto&phone=4165550199")
    _get(f"{base}/book/hold/1/", data=b"patient_phone=4165550199&reason=sciatica+since+May")

    # gunicorn writes the access line after the response: poll, with a deadline, for the last one.
    deadline = time.monotonic() + 15
    while "/book/hold/1/" not in gunicorn["access_log"].read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    gunicorn["process"].terminate()
    gunicorn["process"].wait(timeout=30)
    access = gunicorn["access_log"].read_text()
    errors = gunicorn["error_log"].read_text()

    assert "/book/hold/1/" in access
    assert access.count(REDACTED) >= 6
    assert "/appointments/[redacted]/cancel/" in access
    assert f'"{base}/portal/feeds/[redacted].ics?key="' in access
    assert "/clinics/?city=&phone=" in access
    # Django warned about the pages it could not find, with the path redacted.
    assert "Not Found: /appointments/[redacted]/" in errors, errors
    for secret in (manage, feed, invitation, referer, reset, "4165550199", "sciatica", "Toronto", "value"):
        assert secret not in access, secret
        assert secret not in errors, secret
