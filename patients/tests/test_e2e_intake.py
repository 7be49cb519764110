"""'Tell us what hurts' in headless Chromium, on a phone: the steps (one per screen), a reload midway, the body
map used with the keyboard, and the answer pages; axe-core on every page shown.

Screenshots are written to SCREENSHOT_DIR (default: the temporary directory) to look at.
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

import pytest

from clinics.testing import make_technique
from patients.models import Intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir())
PHONE = {"width": 390, "height": 844}
# What a booking path looks like: the search, a clinic's pages, checkout, a free consultation.
BOOKING = re.compile(r"/search|/clinics|/book|consultation|/what-hurts/")


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=os.path.join(SCREENSHOTS, f"intake-{name}.png"), full_page=True)


def _next(page: Any, expected_step: int) -> None:
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(re.compile(rf"step={expected_step}$"))
    assert page.get_by_text(f"Step {expected_step} of 7").is_visible()


def _where_by_keyboard(page: Any, axe_check: Any) -> None:
    axe_check(page, where="step 1, the body map")
    # Into the back figure's buttons with the keyboard: neck, shoulder, upper back, elbow, lower back.
    page.locator("button.body-map__spot--back-neck").focus()
    for _ in range(4):
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Lower back"
    page.keyboard.press("Space")
    spot = page.locator("button.body-map__spot--back-lower_back")
    assert spot.get_attribute("aria-pressed") == "true"
    assert page.get_by_role("checkbox", name="Lower back").is_checked()
    _shot(page, "1-where")


def _to_warning_signs(page: Any, axe_check: Any) -> None:
    _next(page, 2)
    axe_check(page, where="step 2")
    page.get_by_role("radio", name="1 to 6 weeks").check()
    page.get_by_role("radio", name="Gradually, without a clear cause").check()
    _next(page, 3)
    axe_check(page, where="step 3")
    page.locator("label[for=id_pain_now_6]").click()
    _next(page, 4)
    axe_check(page, where="step 4")
    page.get_by_label("What you cannot do").first.fill("Tying my shoes")
    page.locator("#id_score_1").select_option("3")
    _next(page, 5)

    # Midway: a reload keeps the step and the answers; Back shows the earlier ones.
    page.reload()
    assert page.get_by_text("Step 5 of 7").is_visible()
    page.get_by_role("button", name="Back").click()
    page.wait_for_url(re.compile(r"step=4$"))
    assert page.get_by_label("What you cannot do").first.input_value() == "Tying my shoes"
    assert page.locator("#id_score_1").input_value() == "3"
    _next(page, 5)

    axe_check(page, where="step 5")
    page.get_by_label("How old are you?").fill("40")
    page.get_by_label("What would you like to be able to do again?").fill("Play with my kids")
    _next(page, 6)
    axe_check(page, where="step 6, warning signs")
    _shot(page, "6-warning-signs")


def _send(page: Any, axe_check: Any) -> None:
    _next(page, 7)
    axe_check(page, where="step 7, consent")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="See my answer").click()
    page.wait_for_url(re.compile(r"/what-hurts/answer/[0-9a-f-]{36}/$"))


def test_lower_back_pain_answered_on_a_phone_is_routine_with_the_care_that_fits(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    make_technique("active-release-technique", "Active Release Technique (ART)", "Technique de relâchement actif")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/what-hurts/")
    _where_by_keyboard(page, axe_check)
    _to_warning_signs(page, axe_check)
    for radio in page.get_by_role("radio", name="No").all():
        radio.check()
    _send(page, axe_check)

    assert page.get_by_role("heading", name="Good news: no warning signs").is_visible()
    care = page.locator("#book")
    assert "physiotherapy" in care.inner_text()
    assert "chiropractic" in care.inner_text()
    assert "Active Release Technique (ART)" in care.inner_text()
    consultation = page.locator("form", has=page.get_by_role("button", name="Book a free consultation"))
    assert consultation.get_attribute("action") == f"/what-hurts/answer/{Intake.objects.get().public_id}/consult/"
    find = page.get_by_role("link", name="Physiotherapy clinics")
    assert find.get_attribute("href") == "/search/?discipline=physiotherapy&technique=active-release-technique"
    # The address carries the intake's public id only.
    intake = Intake.objects.get()
    assert page.url == f"{live_server.url}/what-hurts/answer/{intake.public_id}/"
    axe_check(page, where="the routine answer")
    _shot(page, "answer-routine")
    find.click()
    page.wait_for_url(re.compile(r"/search/"))


def test_saddle_numbness_shows_the_emergency_page_with_no_way_to_book(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/what-hurts/")
    page.get_by_role("checkbox", name="Lower back").check()
    # The body map follows the list.
    assert page.locator("button.body-map__spot--back-lower_back").get_attribute("aria-pressed") == "true"
    _to_warning_signs(page, axe_check)
    for radio in page.get_by_role("radio", name="No").all():
        radio.check()
    page.locator("input[name=cauda_equina][value=yes]").check()
    _send(page, axe_check)

    assert page.get_by_role("heading", name="Call 911 or go to the nearest emergency department now").is_visible()
    assert "bladder or bowel" in page.locator("main").inner_text()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert not [href for href in hrefs if BOOKING.search(href)], hrefs
    actions = page.eval_on_selector_all("form", "forms => forms.map(f => f.getAttribute('action'))")
    assert actions == ["/i18n/setlang/"]  # the language switch only
    assert page.get_by_text("free consultation", exact=False).count() == 0
    axe_check(page, where="the emergency answer")
    _shot(page, "answer-emergency")


def test_an_urgent_answer_shows_the_health_line_and_books_only_after_the_doctor(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    page.goto(f"{live_server.url}/what-hurts/")
    page.get_by_role("checkbox", name="Knee").check()
    _to_warning_signs(page, axe_check)
    for radio in page.get_by_role("radio", name="No").all():
        radio.check()
    page.locator("input[name=night_pain][value=yes]").check()
    _send(page, axe_check)

    assert page.get_by_role("heading", name="See a doctor first, within the next day or two").is_visible()
    assert page.get_by_role("button", name="Book a free consultation").count() == 0
    page.get_by_label("Your province or territory").select_option("ON")
    page.get_by_role("button", name="Show the health line").click()
    assert page.get_by_text("Health811").is_visible()
    axe_check(page, where="the urgent answer")
    page.get_by_role("button", name="A doctor has seen me").click()
    assert page.get_by_role("button", name="Book a free consultation").is_visible()
    assert Intake.objects.get().medical_clearance_at is not None
    _shot(page, "answer-urgent-cleared")
