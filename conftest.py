"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _need(condition: bool, reason: str) -> None:
    """Skip with a reason on a developer's machine; fail in CI, where nothing may be skipped."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must run every test)")
    pytest.skip(reason)


@pytest.fixture
def postgres_only(settings: Any) -> None:
    from django.db import connection

    _need(connection.vendor == "postgresql", "needs PostgreSQL: run with DATABASE_URL=postgres://...")


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    _need(os.path.exists(CHROMIUM) or shutil.which("chromium") is not None, f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls made by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(_browser: Any) -> Iterator[Any]:
    """A fresh browser page (its own cookies) for one end-to-end test."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-CA")
    # The sandbox has no internet: answer map tiles and any other outside request at once.
    context.route("**/*", _only_local)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _only_local(route: Any) -> None:
    url = route.request.url
    if url.startswith(("http://localhost", "http://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()
