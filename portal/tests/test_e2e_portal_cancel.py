"""Cancelling from Today in headless Chromium: a question first, an optional reason, with and without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from booking.models import AppointmentEvent, AppointmentStatus, EventKind
from painhero.testing import PASSWORD, World, day

from .conftest import Visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def side(world: World, visits: Visits) -> Visits:
    # The world's clock (the server's) is frozen at 8:00 in Toronto, before the 10:00 visit (the browser's is its
    # own); the front desk signs in as the world's colleague.
    return visits


def sign_in(page: Any, live_server: Any, side: Any) -> None:
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("desk@alpha.test")  # the world's colleague
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{side.appointment.clinic_id}/")


def cancel_with_reason(page: Any, side: Any) -> None:
    row = page.locator(f"#appt-{side.appointment.pk}")
    confirm = row.get_by_role("button", name="Yes, cancel this appointment")
    assert not confirm.is_visible(), "nothing is cancelled in one click"
    row.get_by_text("Cancel…").click()
    row.get_by_label("Reason (optional, kept in the appointment's history)").fill("Patient has the flu")
    confirm.click()


def assert_cancelled_with_reason(side: Any) -> None:
    side.appointment.refresh_from_db()
    assert side.appointment.status == AppointmentStatus.CANCELLED
    event = AppointmentEvent.objects.get(appointment=side.appointment, kind=EventKind.CANCELLED)
    assert event.reason == "Patient has the flu"
    side.colleague_appointment.refresh_from_db()
    assert side.colleague_appointment.status == AppointmentStatus.BOOKED


def test_the_desk_confirms_a_cancellation_and_gives_a_reason(page: Any, live_server: Any, side: Any) -> None:
    sign_in(page, live_server, side)
    cancel_with_reason(page, side)
    page.locator(f"#appt-{side.appointment.pk} .badge--cancelled").wait_for()
    assert_cancelled_with_reason(side)


def test_the_cancel_question_works_without_javascript(page: Any, live_server: Any, side: Any) -> None:
    context = page.context.browser.new_context(java_script_enabled=False, locale="en-CA")
    try:
        plain = context.new_page()
        plain.set_default_timeout(10_000)
        sign_in(plain, live_server, side)
        cancel_with_reason(plain, side)
        plain.wait_for_url(f"**/portal/{side.appointment.clinic_id}/?day={day()}")
        assert plain.locator(f"#appt-{side.appointment.pk} .badge--cancelled").is_visible()
        assert_cancelled_with_reason(side)
    finally:
        context.close()
