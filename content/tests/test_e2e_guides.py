"""Done when (issue 15), in headless Chromium: from the home page to the ART guide, in French, then to clinics
offering ART; the guide page passes axe-core in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from clinics.testing import make_city, make_clinic, make_practitioner, make_service, make_technique
from content.guide_files import guide_files_read
from content.services import guides_load
from content.tests.conftest import ART

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network() -> None:
    guides, errors = guide_files_read()
    assert not errors
    guides_load(guides=guides, now=timezone.now())
    art = make_technique(ART, "Active Release Technique (ART)", "Technique de relâchement actif (ART)")
    toronto = make_city(name="Toronto", name_fr="Toronto", slug="toronto")
    for name, techniques in (("King Street Physio", [art]), ("Queen West Massage", [])):
        clinic = make_clinic(city=toronto, name=name, slug=name.lower().replace(" ", "-"))
        practitioner = make_practitioner(clinic=clinic)
        practitioner.techniques.set(techniques)
        make_service(clinic=clinic, practitioners=[practitioner])


def french(text: str) -> str:
    with translation.override("fr"):
        return gettext(text)


def test_from_the_home_page_to_the_art_guide_in_french_to_clinics_offering_it(
    page: Any, live_server: Any, network: None, axe_check: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Guides").click()
    expect(page).to_have_url(re.compile(r"/guides/$"))
    page.get_by_role("link", name=re.compile(r"^Active Release Technique \(ART\)")).click()
    expect(page).to_have_url(re.compile(rf"/guides/{ART}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Active Release Technique"))
    axe_check(page, where="the ART guide in English")

    page.get_by_role("button", name="Français").click()
    expect(page).to_have_url(re.compile(rf"/fr/guides/{ART}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^La technique de relâchement actif"))
    axe_check(page, where="the ART guide in French")

    find = page.get_by_role("search", name=french("Find clinics offering this"))
    find.get_by_role("combobox", name=french("Your city")).fill("Toronto")
    find.get_by_role("button", name=french("Find clinics offering this")).click()

    expect(page).to_have_url(re.compile(r"/fr/search/\?.*technique=active-release-technique"))
    expect(page).to_have_url(re.compile(r"city=toronto"))
    expect(page.locator("#f-technique")).to_have_value(ART)
    results = page.locator("#results")
    expect(results.get_by_role("link", name="King Street Physio").first).to_be_visible()
    expect(results.get_by_role("link", name="Queen West Massage")).to_have_count(0)


@pytest.mark.parametrize("lang", ["", "/fr"], ids=["english", "french"])
def test_the_guide_index_search_and_city_page_pass_axe(
    page: Any, live_server: Any, network: None, axe_check: Any, lang: str
) -> None:
    page.goto(f"{live_server.url}{lang}/guides/")
    axe_check(page, where="the guide index")
    page.goto(f"{live_server.url}{lang}/guides/search/?q=x")  # the 400 with its message
    axe_check(page, where="a search too short")
    page.goto(f"{live_server.url}{lang}/guides/search/?q=art")
    axe_check(page, where="search results")
    page.goto(f"{live_server.url}{lang}/clinics/toronto/")
    axe_check(page, where="the city landing page")
