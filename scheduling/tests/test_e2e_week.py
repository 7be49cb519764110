"""A patient browses a clinic's weeks of open times with htmx and books one (headless Chromium)."""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.models import Hold
from scheduling.testing import make_open_clinic
from scheduling.week import monday_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def _shots(tmp_path: Path) -> Path:
    # SCREENSHOTS_DIR keeps them for a person to look at; by default they go with the test's temporary files.
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_patient_goes_to_next_week_without_a_reload_and_books_a_time(page: Any, live_server: Any, tmp_path: Path):
    clinic, (alex, _sam), service = make_open_clinic(
        time_zone="America/St_Johns", province="NL", practitioners=2, days=EVERY_DAY
    )
    zone = ZoneInfo(clinic.time_zone)
    next_week = monday_of(timezone.now().astimezone(zone).date()) + timedelta(days=7)
    shots = _shots(tmp_path)

    page.goto(f"{live_server.url}/clinics/{clinic.city.slug}/{clinic.slug}/")
    assert "Times are in Newfoundland time" in page.locator("#week").inner_text()
    page.locator("#availability").screenshot(path=str(shots / "week-desktop.png"))
    # A full reload would lose this.
    page.evaluate("window.weekMarker = 'still here'")

    page.locator("#week-next").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/?week={next_week.isoformat()}&service={service.pk}")
    title = f"Week of {next_week:%A}, {next_week:%B} {next_week.day}"
    page.get_by_role("heading", name=title).wait_for()
    assert page.evaluate("window.weekMarker") == "still here", "htmx swapped the week in, no reload"
    assert page.evaluate("document.activeElement.id") == "week-next", "the keyboard stays where it was"

    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#availability").screenshot(path=str(shots / "week-phone.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"

    first = page.locator(".week__time").first
    label = first.get_attribute("aria-label")
    assert label.startswith("Book ") and " at 9:00 AM with " in label
    first.click()
    page.wait_for_url("**/book/?**")
    page.locator("[data-countdown-text]").wait_for()  # the booking page holds the time by POST as it opens
    hold = Hold.objects.get()
    held = hold.start.astimezone(zone)
    # The first time of the week (Monday, unless a holiday closes it) at 9:00 on the clinic's wall clock.
    assert next_week <= held.date() < next_week + timedelta(days=7) and held.time() == time(9)
    assert f"{held:%A}, {held:%B} {held.day}" in label
    assert hold.practitioner_id == alex.pk and hold.service_id == service.pk
    page.screenshot(path=str(shots / "booking-phone.png"), full_page=True)


def test_an_empty_week_leads_to_the_next_open_time_and_the_practitioner_can_be_chosen(
    page: Any, live_server: Any, tmp_path: Path
):
    zone = ZoneInfo("America/Toronto")
    today = timezone.now().astimezone(zone).date()
    later = monday_of(today) + timedelta(days=21)
    clinic, (_alex, sam), service = make_open_clinic(practitioners=2, days=EVERY_DAY, valid_from=later)
    shots = _shots(tmp_path)

    page.goto(f"{live_server.url}/clinics/{clinic.city.slug}/{clinic.slug}/")
    page.evaluate("window.weekMarker = 'still here'")
    status = page.locator(".week__status")
    assert "Nothing open this week." in status.inner_text()
    page.locator("#availability").screenshot(path=str(shots / "week-empty-desktop.png"))

    page.locator("#week-next-open").click()
    page.wait_for_url(f"**/?week={later.isoformat()}&service={service.pk}")
    page.get_by_role("heading", name=f"Week of {later:%A}, {later:%B} {later.day}").wait_for()

    page.get_by_label("Practitioner", exact=True).select_option(label=sam.full_name)
    page.wait_for_url(f"**/?week={later.isoformat()}&service={service.pk}&practitioner={sam.pk}")
    labels = page.locator(".week__time").evaluate_all("links => links.map(a => a.getAttribute('aria-label'))")
    assert labels and all(label.endswith(f"with {sam.full_name}") for label in labels)
    assert page.evaluate("window.weekMarker") == "still here"
    page.locator("#availability").screenshot(path=str(shots / "week-practitioner-desktop.png"))
