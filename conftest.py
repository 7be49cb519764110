"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from painhero.testing import World

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _need(condition: bool, reason: str) -> None:
    """Skip with a reason on a developer's machine; fail in CI, where nothing may be skipped."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must run every test)")
    pytest.skip(reason)


def _on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests (marker ``postgres`` or fixture ``postgres_only``) on another database, and
    SQLite-only ones (marker ``sqlite``) on PostgreSQL: in CI they are deselected here, because CI's other run
    executes them; elsewhere they skip."""
    if not IN_CI:
        return
    on_postgres = _on_postgres()
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        wants_pg = item.get_closest_marker("postgres") or "postgres_only" in getattr(item, "fixturenames", ())
        wants_sqlite = item.get_closest_marker("sqlite") is not None
        (drop if (wants_pg and not on_postgres) or (wants_sqlite and on_postgres) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def postgres_only() -> None:
    _need(_on_postgres(), "needs PostgreSQL: run with DATABASE_URL=postgres://...")


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
    """A fresh browser page (its own cookies) for one end-to-end test, on the test world's clock.

    The server's clock (the live server runs in this process) starts at the world's NOW, Monday 7 Dec 2026
    08:00 in Toronto, and ticks from there: "in two days" is a Wednesday and "twenty minutes ago" is still
    today, whatever the day and hour the suite runs (it failed at 00:02 on a Wednesday). The browser keeps the
    real clock: cookies carry Max-Age and the hold countdown counts the seconds the server sends.
    """
    import time_machine

    from painhero.testing import NOW

    with time_machine.travel(NOW, tick=True):
        yield from _page(_browser)


def _page(_browser: Any) -> Iterator[Any]:
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


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Every test starts in English and leaves no language behind: a ``/fr/`` request activates French in
    the thread, and an email rendered after it would otherwise be French by accident."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Every test starts with an empty cache: ids and frozen clocks repeat from test to test, so an entry a
    previous test left could otherwise pass for this test's (clinics/page_cache.py)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# axe-core's impacts, worst last; a page may have "minor" and "moderate" findings, never these.
AXE_BLOCKING = ("serious", "critical")


def _axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"- {violation['id']} ({violation['impact']}): {target}\n    {violation['help']}")
    return "\n".join(lines)


def _axe_check(page: Any, *, where: str = "") -> None:
    """Run axe-core (bundled by axe-playwright-python, injected by Playwright: nothing is served to patients)
    on the page as it is now; fail with one line per offending element: rule, impact, target."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in AXE_BLOCKING]
    if blocking:
        pytest.fail(f"axe-core found serious or critical violations on {where or page.url}:\n{_axe_report(blocking)}")


@pytest.fixture
def axe_check() -> Any:
    """``axe_check(page, where="...")``: no serious or critical axe-core violation on the page as it is now."""
    return _axe_check


# The one test world (painhero/testing.py): one clinic, named people, one clock.


@pytest.fixture
def world(db: Any, time_machine: Any) -> World:
    """``painhero.testing.make_world()`` with the clock frozen at ``NOW``; a test that needs another instant (a
    DST day, a holiday) moves it with ``time_machine.move_to`` and says why."""
    from painhero.testing import NOW, make_world

    time_machine.move_to(NOW, tick=False)
    return make_world()


@pytest.fixture
def owner_client(world: World) -> Client:
    from painhero.testing import client_for

    return client_for(world.owner)


@pytest.fixture
def colleague_client(world: World) -> Client:
    from painhero.testing import client_for

    return client_for(world.colleague)


@pytest.fixture
def practitioner_client(world: World) -> Client:
    from painhero.testing import client_for

    return client_for(world.practitioner)


@pytest.fixture
def outsider_client(world: World) -> Client:
    from painhero.testing import client_for

    return client_for(world.outsider)
