"""axe-core walks every main page, in English and in French, and finds no serious or critical violation.

The pages are the ones a patient and a clinic's staff see: home, search with its map, cities, a city, a clinic
profile with its week view (on a Wednesday, so the week has past days), checkout (fresh and after a failed
submit), the confirmation, the manage page, the cancel confirmation, the portal's sign-in, Today, calendar,
schedules and services, and the error pages. ``axe_check`` (conftest.py) lists what it found: rule, impact,
target.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from booking.models import Appointment, AppointmentSource
from booking.services import appointment_book
from painhero.testing import PASSWORD, make_world, patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Wednesday 2 December 2026, 09:00 in Toronto: Monday and Tuesday of the week shown are past days.
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
LANGUAGES = ["", "/fr"]


@pytest.fixture
def clock(time_machine: Any) -> None:
    # Ticking: the live server, the browser and the holds all see time pass normally from NOW.
    time_machine.move_to(NOW, tick=True)


def _start(world: Any, *, days: int = 1, hour: int = 10) -> datetime:
    zone = ZoneInfo(world.clinic.time_zone)
    day = (timezone.now().astimezone(zone) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def _book_url(world: Any, start: datetime) -> str:
    return (
        f"/book/?practitioner={world.chen.pk}&service={world.service.pk}&start={start.isoformat().replace('+', '%2B')}"
    )


def _visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{url}: {response and response.status}"


@pytest.mark.parametrize("lang", LANGUAGES, ids=["english", "french"])
def test_the_public_pages_have_no_serious_accessibility_violation(
    page: Any, live_server: Any, axe_check: Any, clock: None, lang: str
) -> None:
    world = make_world()
    clinic, city = world.clinic, world.clinic.city
    site = f"{live_server.url}{lang}"

    _visit(page, f"{site}/")
    axe_check(page, where="home")

    _visit(page, f"{site}/search/?city={city.slug}")
    page.locator("[data-results-map] .leaflet-marker-icon").first.wait_for()
    axe_check(page, where="search results with the map")

    _visit(page, f"{site}/clinics/")
    axe_check(page, where="cities index")

    _visit(page, f"{site}/clinics/{city.slug}/")
    axe_check(page, where="city page")

    _visit(page, f"{site}/clinics/{city.slug}/{clinic.slug}/")
    page.locator("[data-clinic-map] .leaflet-marker-icon").first.wait_for()
    axe_check(page, where="clinic profile with its week view")

    _visit(page, f"{site}{_book_url(world, _start(world))}")
    page.locator("[data-countdown-text]").wait_for()
    axe_check(page, where="checkout")

    page.locator("button[type='submit']").last.click()  # nothing filled in: the form comes back with errors
    page.locator("[data-error-summary]").wait_for()
    axe_check(page, where="checkout after a failed submit")

    booked = appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=_start(world, days=2),
        patient=patient(),
        now=timezone.now(),
    ).appointment
    _visit(page, f"{site}/appointments/{booked.manage_token}/?booked=1")
    axe_check(page, where="confirmation")

    _visit(page, f"{site}/appointments/{booked.manage_token}/")
    axe_check(page, where="manage")

    _visit(page, f"{site}/appointments/{booked.manage_token}/cancel/")
    axe_check(page, where="cancel confirmation")


@pytest.mark.parametrize("lang", LANGUAGES, ids=["english", "french"])
def test_the_portal_pages_have_no_serious_accessibility_violation(
    page: Any, live_server: Any, axe_check: Any, clock: None, lang: str
) -> None:
    world = make_world()
    appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=_start(world, days=0, hour=15),
        patient=patient(),
        now=timezone.now(),
    )
    # Booked by the front desk for a patient who phoned and gave no number: no empty tel: link on Today.
    start = _start(world, days=0, hour=16)
    Appointment.objects.create(
        clinic=world.clinic,
        practitioner=world.lee,
        service=world.service,
        start=start,
        end=start + timedelta(minutes=world.service.duration_minutes),
        source=AppointmentSource.PORTAL,
        patient_name="Sam Nophone",
        patient_email="sam@example.com",
        patient_phone="",
    )
    site = f"{live_server.url}{lang}"
    cid = world.clinic.pk

    _visit(page, f"{site}/portal/sign-in/")
    axe_check(page, where="portal sign-in")
    page.locator("input[name='email']").fill(world.owner.email)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(f"**/portal/{cid}/")

    _visit(page, f"{site}/portal/{cid}/")
    assert page.locator(".appt").count() == 2, "Today lists both appointments, with their actions"
    axe_check(page, where="portal Today")
    _visit(page, f"{site}/portal/{cid}/calendar/")
    axe_check(page, where="portal calendar")
    _visit(page, f"{site}/portal/{cid}/schedules/")
    axe_check(page, where="portal schedules")
    _visit(page, f"{site}/portal/{cid}/schedules/{world.chen.pk}/")
    axe_check(page, where="portal schedule of one practitioner")
    _visit(page, f"{site}/portal/{cid}/services/")
    axe_check(page, where="portal services")


def _serve(body: str, status: int) -> Any:
    def handler(route: Any, _request: Any) -> None:
        route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")

    return handler


def _error_page(template: str, language: str) -> str:
    request = RequestFactory().get("/")
    with translation.override(language):
        return render_to_string(template, {"request_path": "/"}, request=request)


@pytest.mark.parametrize("lang", LANGUAGES, ids=["english", "french"])
def test_the_error_pages_have_no_serious_accessibility_violation(
    page: Any, live_server: Any, axe_check: Any, lang: str
) -> None:
    _visit(page, f"{live_server.url}{lang}/no-such-page/")
    axe_check(page, where="404")
    # 403, the expired form, 500 and 503 are rendered here and served at a live address, so the page's
    # stylesheet and scripts load from the live server as they would in production.
    for template, status in (("403.html", 403), ("403_csrf.html", 403), ("500.html", 500), ("503.html", 503)):
        body = _error_page(template, "fr" if lang else "en")
        address = f"{live_server.url}/__error/{status}/{template}"
        page.route(address, _serve(body, status))
        page.goto(address)
        axe_check(page, where=template)


def test_a_failed_booking_submit_moves_focus_to_a_summary_that_links_each_error_to_its_field(
    page: Any, live_server: Any, clock: None
) -> None:
    world = make_world()
    _visit(page, f"{live_server.url}{_book_url(world, _start(world))}")
    page.locator("[data-countdown-text]").wait_for()
    page.get_by_label("Full name").fill("Jo Tremblay")
    page.get_by_label("Mobile phone").fill("12")  # too short to be a phone number; the email is left empty

    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_load_state("load")

    summary = page.get_by_role("alert").filter(has_text="Email")
    assert page.evaluate("document.activeElement.dataset.errorSummary") is not None, "focus is on the summary"
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    links = summary.get_by_role("link")
    assert [link.get_attribute("href") for link in links.all()] == ["#id_email", "#id_phone", "#id_consent"]
    assert page.get_by_label("Full name").input_value() == "Jo Tremblay", "what was typed is kept"

    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "id_phone", "the link takes the keyboard to the field"


def test_every_checkout_field_is_described_by_elements_that_exist(page: Any, live_server: Any, clock: None) -> None:
    world = make_world()
    _visit(page, f"{live_server.url}{_book_url(world, _start(world))}")
    page.locator("[data-countdown-text]").wait_for()
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_load_state("load")

    described = page.evaluate(
        """() => [...document.querySelectorAll("form [aria-describedby]")].map(el => [
            el.id, el.getAttribute("aria-describedby").split(/\\s+/).map(id => [id, !!document.getElementById(id)])
        ])"""
    )
    assert {name for name, _ids in described} >= {"id_name", "id_email", "id_phone", "id_note", "id_consent"}
    missing = [(name, ref) for name, ids in described for ref, found in ids if not found]
    assert missing == [], f"aria-describedby points at ids that do not exist: {missing}"
    # The phone's description is its help and its error, so a screen reader reads both on focus.
    assert [ref for name, ids in described if name == "id_phone" for ref, _ in ids] == [
        "id_phone_helptext",
        "id_phone_error",
    ]


def test_axe_check_fails_with_the_rule_the_impact_and_the_target_of_each_violation(page: Any, axe_check: Any) -> None:
    # Today's old phone link for a patient with no number: an empty <a href="tel:">.
    page.set_content('<html lang="en"><title>t</title><main><a class="appt__phone" href="tel:"></a></main></html>')
    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(page, where="an empty link")
    assert "- link-name (serious): a\n    Links must have discernible text" in str(failure.value)
