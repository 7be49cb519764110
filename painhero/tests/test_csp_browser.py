"""Headless Chromium walks the main pages under the real Content-Security-Policy and sees no violation.

Every ``securitypolicyviolation`` event (recorded by a script Playwright injects before the page's own) and
every "Content Security Policy" console message fails the test, so an inline script, an ``on*=`` handler,
a ``<style>`` htmx injects or a map tile from an origin the policy forgot all show up here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clinics.models import Discipline
from clinics.testing import make_clinic, make_practitioner
from painhero.testing import PASSWORD, make_world
from portal.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + where);
});
"""


class Watch:
    """What the page said about the policy, and what it reported as violations."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        assert response.headers.get("content-security-policy"), f"{url} has no Content-Security-Policy"
        self.assert_clean(url)

    def assert_clean(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        reported = self.page.evaluate("window.__csp || []")
        assert reported == [], f"{where}: {reported}"
        assert self.console == [], f"{where}: {self.console}"


def _start(world: Any) -> str:
    zone = ZoneInfo(world.clinic.time_zone)
    day = (timezone.now().astimezone(zone) + timedelta(days=2)).date()
    start = datetime(day.year, day.month, day.day, 10, tzinfo=zone)
    return start.isoformat().replace("+", "%2B")


def test_the_public_pages_run_under_the_policy_without_a_violation(page: Any, live_server: Any) -> None:
    world = make_world()
    clinic, city = world.clinic, world.clinic.city
    watch = Watch(page)

    watch.visit(f"{live_server.url}/")
    watch.visit(f"{live_server.url}/search/?city={city.slug}")
    # The map drew its markers (Leaflet ran) and the tile layer asked for tiles the policy allows.
    page.locator("[data-results-map] .leaflet-marker-icon").first.wait_for()
    # A filter change goes through htmx and swaps the results in place.
    with page.expect_response(lambda r: "/search/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#results").evaluate("el => htmx.ajax('GET', location.href, {target: '#results'})")
    # The swapped-in results still carry their map data (a JSON script element htmx must not strip).
    page.locator("#results #map-data").wait_for(state="attached")
    watch.assert_clean("search after an htmx swap")

    watch.visit(f"{live_server.url}/clinics/{city.slug}/")
    watch.visit(f"{live_server.url}/clinics/{city.slug}/{clinic.slug}/")
    page.locator("[data-clinic-map] .leaflet-marker-icon").first.wait_for()
    # The week view pages by htmx, with its indicator on #week.
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_role("link", name="Next week").first.click()
    watch.assert_clean("clinic profile after paging the week")

    watch.visit(
        f"{live_server.url}/book/?practitioner={world.chen.pk}&service={world.service.pk}&start={_start(world)}"
    )
    assert page.locator("[data-countdown-text]").inner_text().startswith(("4:", "5:")), "the countdown script ran"
    watch.assert_clean("checkout")

    watch.visit(f"{live_server.url}/fr/")
    watch.visit(f"{live_server.url}/admin/login/")


def test_the_api_docs_page_runs_under_its_own_policy_without_a_violation(page: Any, live_server: Any) -> None:
    watch = Watch(page)
    watch.visit(f"{live_server.url}/api/v1/docs")
    page.locator(".info .title", has_text="PainHero API").wait_for()
    page.locator(".opblock").first.wait_for()  # Swagger UI fetched the OpenAPI document and drew it
    # Open an operation and its "Try it out" form: more of Swagger UI renders (schemas, highlighted JSON).
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.wait_for()
    watch.assert_clean("API docs")


def test_the_portal_runs_under_the_policy_and_its_moved_scripts_still_work(page: Any, live_server: Any) -> None:
    world = make_world()
    second = make_clinic(name="Second Physio")
    make_practitioner(clinic=second, discipline=Discipline.PHYSIOTHERAPY)
    owner = world.owner
    Membership.objects.create(user=owner, clinic=second, role=Role.OWNER)
    watch = Watch(page)

    watch.visit(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/")  # two clinics: the list to choose from
    watch.assert_clean("portal home")

    cid = world.clinic.pk
    watch.visit(f"{live_server.url}/portal/{cid}/")
    # The clinic switcher submits on change (was an inline onchange=).
    page.locator("#portal-switch").select_option(str(second.pk))
    page.wait_for_url(f"**/portal/{second.pk}/")
    watch.assert_clean("after switching clinic")

    watch.visit(f"{live_server.url}/portal/{cid}/activity/")
    with page.expect_navigation():
        page.locator("#id_user").select_option(str(owner.pk))
    assert f"user={owner.pk}" in page.url, "the activity filter submits on change (was an inline onchange=)"
    watch.assert_clean("activity filtered")

    watch.visit(f"{live_server.url}/portal/{cid}/feeds/")
    with page.expect_navigation():
        page.get_by_role("button", name="Create an address").first.click()  # the page itself creates nothing
    feed = page.locator("input.feed-url").first
    feed.click()
    selected = page.evaluate(
        "() => { const el = document.querySelector('input.feed-url'); return el.selectionEnd - el.selectionStart; }"
    )
    assert selected == len(feed.input_value()), "one click selects the whole feed address (was an inline onclick=)"
    watch.assert_clean("feeds")

    watch.visit(f"{live_server.url}/portal/{cid}/appointments/new/")
    page.locator("#id_service").select_option(str(world.service.pk))
    assert page.locator("#id_booking_service").input_value() == str(world.service.pk), "was an inline <script>"
    watch.assert_clean("new appointment")
