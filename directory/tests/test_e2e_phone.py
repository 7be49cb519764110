"""On a phone (390 x 844), in headless Chromium: a bookable time and a Book control come before any scrolling.

Screenshots are written to SCREENSHOT_DIR (default: the temporary directory) to look at.
"""

from __future__ import annotations

import os
import tempfile

import pytest

from clinics.models import Discipline
from clinics.testing import make_city, make_clinic, make_language, make_practitioner, make_service, make_technique
from scheduling.cache import next_open_times_refresh
from scheduling.models import BookingRules
from scheduling.testing import make_hours, toronto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir())
PHONE = {"width": 390, "height": 844}
NOW = toronto(2026, 3, 2, 8, 0)  # a Monday morning
RESULTS = 20  # a full page


@pytest.fixture
def city_of_clinics(time_machine):
    time_machine.move_to(NOW, tick=False)
    city = make_city(name="Toronto", name_fr="Toronto", slug="toronto")
    french, needling = make_language("fr", "French", "Français"), make_technique()
    clinics = []
    for n in range(RESULTS):
        clinic = make_clinic(
            city=city,
            name=f"Physio {n + 1} on a street with a rather long name",
            slug=f"physio-{n + 1}",
            latitude=city.latitude + n * 0.004,
            longitude=city.longitude,
            description="Sports injuries, back pain and rehabilitation after surgery. " * 3,
        )
        clinic.languages.add(make_language(), french)
        BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
        person = make_practitioner(clinic=clinic, first_name="Amélie", last_name=f"Tremblay {n}")
        person.techniques.add(needling)
        person.languages.add(french)
        make_hours(person)
        chiro = make_practitioner(clinic=clinic, discipline=Discipline.CHIROPRACTIC, first_name="Sam", last_name="Lee")
        make_hours(chiro)
        make_service(clinic=clinic, practitioners=[person])
        make_service(clinic=clinic, practitioners=[chiro], name="Chiropractic adjustment", discipline="chiropractic")
        clinics.append(clinic)
    next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=NOW)
    return clinics


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def test_on_a_phone_the_first_time_button_is_in_the_first_screen_of_results(page, live_server, city_of_clinics):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/clinics/toronto/")
    first_time = _box(page, ".times__time")
    assert first_time["y"] + first_time["height"] <= PHONE["height"]
    # The button says what it books.
    assert (
        "book Physiotherapy follow-up (30 min) with Amélie Tremblay" in page.locator(".times__time").first.inner_text()
    )
    # The map starts closed and opens with one tap.
    mapped = page.locator("[data-map-toggle]")
    assert mapped.evaluate("details => details.open") is False
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-results.png"))
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 8000, f"twenty results take {height} px"
    page.get_by_text("Map", exact=True).click()
    assert mapped.evaluate("details => details.open") is True
    assert _box(page, "#map")["height"] > 200
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-results-map.png"))


def test_on_a_phone_the_search_page_also_shows_a_time_first(page, live_server, city_of_clinics):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/search/?city=toronto&discipline=physiotherapy")
    first_time = _box(page, ".times__time")
    assert first_time["y"] + first_time["height"] <= PHONE["height"]
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-search.png"))


def test_on_a_phone_the_clinic_profile_has_a_book_button_in_the_first_screen(page, live_server, city_of_clinics):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/clinics/toronto/physio-1/")
    book = page.get_by_role("link", name="Book online")
    box = book.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-profile.png"))
    book.click()
    assert page.url.endswith("#availability")


def test_on_a_wide_screen_the_map_is_open_beside_the_list(page, live_server, city_of_clinics):
    page.goto(f"{live_server.url}/clinics/toronto/")
    assert page.locator("[data-map-toggle]").evaluate("details => details.open") is True
    assert _box(page, "#map")["height"] > 300
    page.screenshot(path=os.path.join(SCREENSHOTS, "desktop-results.png"))
