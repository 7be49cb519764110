"""A patient books with the keyboard alone on a phone-sized screen (headless Chromium)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.models import Appointment, Hold
from painhero.testing import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_books_by_keyboard_on_a_phone(page: Any, live_server: Any, tmp_path: Any) -> None:
    world = make_world()
    zone = ZoneInfo(world.clinic.time_zone)
    # Two days ahead, 10:00 clinic time: inside working hours and past the minimum notice, whatever today is.
    day = (timezone.now().astimezone(zone) + timedelta(days=2)).date()
    start = datetime(day.year, day.month, day.day, 10, tzinfo=zone)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(
        f"{live_server.url}/book/?practitioner={world.chen.pk}&service={world.service.pk}"
        f"&start={start.isoformat().replace('+', '%2B')}"
    )
    # The page holds the time itself, by POST, as it opens (the link's GET held nothing).
    page.locator("[data-countdown-text]").wait_for()
    assert page.locator("[data-countdown-text]").inner_text().startswith(("4:", "5:"))
    assert Hold.objects.get().start == start
    page.get_by_label("Full name").focus()
    page.keyboard.type("Jo Tremblay")
    page.keyboard.press("Tab")
    page.keyboard.type("jo@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("416 555 0123")
    page.get_by_label("I accept").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Confirm booking").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/appointments/**")
    assert "You're booked" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    appointment = Appointment.objects.get()
    assert appointment.start == start and appointment.patient_phone == "+14165550123"
    page.screenshot(path=str(tmp_path / "confirmed-phone.png"), full_page=True)
