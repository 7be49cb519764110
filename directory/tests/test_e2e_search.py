"""End to end in headless Chromium: find a clinic from the home page, filter, open it, read it in French."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import time

import pytest

from clinics.models import Discipline, OpeningHours
from clinics.testing import make_city, make_clinic, make_language, make_practitioner, make_service, make_technique

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at after a run (layout checks are by eye, not by pixels).
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir())


@pytest.fixture
def network():
    toronto = make_city(name="Toronto", name_fr="Toronto", slug="toronto")
    make_city(name="Montreal", name_fr="Montréal", slug="montreal", province="QC", latitude=45.5, longitude=-73.6)
    french = make_language("fr", "French", "Français")
    physio = make_clinic(
        city=toronto,
        name="King Street Physio",
        slug="king-street-physio",
        wheelchair_accessible=True,
        inspection_score=94,
        latitude=43.6487,
        longitude=-79.3854,
        description="Sports injuries, back pain and rehabilitation after surgery.",
    )
    physio.languages.add(make_language(), french)
    therapist = make_practitioner(
        clinic=physio,
        first_name="Amélie",
        last_name="Tremblay",
        college="College of Physiotherapists of Ontario",
        registration_number="12345",
    )
    therapist.techniques.add(make_technique())
    make_service(clinic=physio, practitioners=[therapist])
    make_service(
        clinic=physio,
        name="Initial assessment",
        name_fr="Évaluation initiale",
        duration_minutes=60,
        price_cents=12000,
        kind="initial",
    )
    for weekday in range(5):
        OpeningHours.objects.create(clinic=physio, weekday=weekday, opens=time(8), closes=time(19))
    chiro = make_clinic(
        city=toronto, name="Queen West Chiropractic", latitude=43.6447, longitude=-79.4025, inspection_score=81
    )
    make_practitioner(clinic=chiro, discipline=Discipline.CHIROPRACTIC, credentials="DC")
    return physio


def test_a_patient_finds_filters_opens_and_reads_a_clinic_in_french(page, live_server, network):
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    city_box = page.get_by_role("combobox", name="City")
    city_box.press_sequentially("toro")
    option = page.get_by_role("option", name=re.compile("Toronto"))
    expect(option).to_be_visible()
    city_box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    city_box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?city=toronto"))
    results = page.locator("#results")
    expect(results.get_by_role("heading", name="2 clinics within 25 km of Toronto")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(2)

    # A filter updates the results in place (no page load) and puts itself in the URL.
    page.wait_for_load_state()  # htmx wires the form up on DOMContentLoaded
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Discipline", exact=True).select_option("physiotherapy")
    expect(results.get_by_role("heading", name="1 clinic within 25 km of Toronto")).to_be_visible()
    expect(page).to_have_url(re.compile(r"discipline=physiotherapy"))
    assert page.evaluate("window.stillTheSamePage") is True
    expect(results.get_by_role("link", name="Queen West Chiropractic")).to_have_count(0)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)

    page.screenshot(path=f"{SCREENSHOTS}/painhero-results-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SCREENSHOTS}/painhero-results-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The back button brings the unfiltered results back.
    page.go_back()
    expect(page).not_to_have_url(re.compile("discipline"))
    expect(results.get_by_role("heading", name="2 clinics within 25 km of Toronto")).to_be_visible()
    page.wait_for_load_state()  # the back button reloaded the page; let htmx watch history again
    page.go_forward()
    expect(results.get_by_role("heading", name="1 clinic within 25 km of Toronto")).to_be_visible()

    results.get_by_role("link", name="King Street Physio").first.click()
    expect(page).to_have_url(re.compile(r"/clinics/toronto/king-street-physio/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("King Street Physio")
    expect(page.get_by_text("$95.00")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/painhero-clinic-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SCREENSHOTS}/painhero-clinic-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Français").click()
    expect(page).to_have_url(re.compile(r"/fr/clinics/toronto/king-street-physio/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Heures d\u2019ouverture")).to_be_visible()
    expect(page.get_by_text("95,00 $")).to_be_visible()
    expect(page.get_by_text("Puncture sèche")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/painhero-clinic-fr.png", full_page=True)


def test_near_me_explains_when_location_is_refused_and_the_city_box_still_works(page, live_server, network):
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")  # the test context grants no geolocation permission
    page.get_by_role("button", name="Near me").click()
    expect(page.locator("[data-geo-status]")).to_contain_text("can\u2019t use your location")
    expect(page.get_by_role("combobox", name="City")).to_be_focused()
    page.get_by_role("combobox", name="City").fill("Montréal")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search/\?city=montreal"))
    expect(page.get_by_text("No clinics within 25 km of Montreal match these filters.")).to_be_visible()
