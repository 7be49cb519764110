"""Liveness, readiness, and what people and API clients see while the database is unreachable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django.utils import translation

from notifications.models import WorkerHeartbeat

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A /fr/ request leaves French active in this thread; later tests expect the language they found."""
    previous = translation.get_language()
    yield
    translation.activate(previous)


@contextmanager
def database_down() -> Iterator[None]:
    """Every query fails as it does when PostgreSQL is gone (Django wraps the driver's error the same way)."""

    def refuse(*args: Any) -> None:
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def client() -> Client:
    # A server error must come back as a response, as a browser would see it, not as an exception.
    return Client(raise_request_exception=False)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _beat(seconds_ago: int) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="w1", started_at=NOW - timedelta(hours=1), beat_at=NOW - timedelta(seconds=seconds_ago)
    )


def test_healthz_says_ok_even_when_the_database_is_down(client: Client) -> None:
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_is_ok_when_the_database_answers_migrations_are_applied_and_a_worker_beat_recently(
    client: Client, clock: Any
) -> None:
    _beat(seconds_ago=15)
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "migrations": True,
        "worker": True,
    }


def test_readyz_answers_503_naming_the_worker_when_no_heartbeat_is_recent(client: Client, clock: Any) -> None:
    _beat(seconds_ago=120)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"]
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["worker"] == {"ok": False, "reason": "no worker heartbeat in the last 60 seconds"}


def test_readyz_answers_503_when_the_database_is_unreachable_without_saying_where_it_is(client: Client) -> None:
    with database_down():
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "reason": "database unavailable"}
    assert "5432" not in response.content.decode()


def test_a_page_answers_a_branded_503_with_retry_after_while_the_database_is_down(client: Client) -> None:
    with database_down():
        response = client.get("/clinics/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "PainHero is briefly unavailable" in page
    assert 'class="site-header"' in page  # the site's own layout, not Django's bare page
    assert 'href="/"' in page


def test_the_503_page_is_in_french_under_fr(client: Client) -> None:
    with database_down():
        response = client.get("/fr/clinics/")
    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert 'href="/fr/"' in page


def test_the_api_answers_a_json_problem_with_retry_after_while_the_database_is_down(client: Client) -> None:
    with database_down():
        response = client.get("/api/v1/cities", {"q": "Tor"})
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert "try again" in response.json()["detail"]


def test_an_error_that_is_not_an_outage_still_answers_the_branded_500(client: Client) -> None:
    def broken(*args: Any) -> None:
        raise ValueError("a bug, not an outage")

    with connection.execute_wrapper(broken):
        response = client.get("/clinics/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
