"""The front desk's day, end to end in headless Chromium: post an opening, a patient books it on the public
profile, it shows on Today, the desk marks it completed. Screenshots at tablet size (1024x768)."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.models import Appointment, AppointmentSource, AppointmentStatus
from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import PASSWORD, make_user
from portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS", "")  # a folder to keep the screenshots in, for a person to look at


def test_the_front_desk_posts_an_opening_a_patient_books_it_and_the_desk_completes_it(
    page: Any, live_server: Any, tmp_path: Any
) -> None:
    clinic = make_clinic(name="Tablet Physio")
    # No working hours: the only open time anywhere is the opening the desk is about to post.
    practitioner = make_practitioner(clinic=clinic, first_name="Robin")
    make_service(clinic=clinic, practitioners=[practitioner])
    make_user("desk@tablet.test", clinic=clinic, role=Role.FRONT_DESK)
    zone = ZoneInfo(clinic.time_zone)
    day = (timezone.now().astimezone(zone) + timedelta(days=2)).date()
    shots = SCREENSHOTS or str(tmp_path)
    page.set_viewport_size({"width": 1024, "height": 768})

    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("desk@tablet.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/")

    page.goto(f"{live_server.url}/portal/{clinic.pk}/schedules/{practitioner.pk}/")
    opening_form = page.locator("form[action$='/slots/']")
    opening_form.locator("input[name='day']").fill(day.isoformat())
    opening_form.locator("input[name='start_time']").fill("10:00")
    opening_form.locator("input[name='end_time']").fill("10:30")
    with page.expect_navigation():
        opening_form.locator("button[type='submit']").click()
    page.screenshot(path=os.path.join(shots, "portal-opening-posted.png"), full_page=True)
    assert "Opening posted" in page.content()

    patient = page.context.browser.new_page()
    patient.goto(f"{live_server.url}/clinics/{clinic.city.slug}/{clinic.slug}/?week={day.isoformat()}")
    times = patient.locator("a.week__time")
    assert times.count() == 1, "the posted opening is the clinic's only open time"
    times.first.click()
    # The page holds the time as it loads (htmx): a patient sees the countdown before confirming. Confirming
    # sooner races the hold, which then counts the time as taken by someone else.
    patient.locator(".booking-hold").wait_for()
    patient.get_by_label("Full name").fill("Jo Tremblay")
    patient.get_by_label("Email").fill("jo@example.com")
    patient.get_by_label("Mobile phone").fill("416 555 0123")
    patient.get_by_label("I accept").check()
    patient.get_by_role("button", name="Confirm booking").click()
    patient.wait_for_url("**/appointments/**")
    patient.close()
    appointment = Appointment.objects.get()
    assert appointment.start == datetime.combine(day, time(10), zone)
    assert appointment.source == AppointmentSource.WEB

    page.goto(f"{live_server.url}/portal/{clinic.pk}/?day={day.isoformat()}")
    row = page.locator(f"#appt-{appointment.pk}")
    assert "Jo Tremblay" in row.inner_text() and "10:00" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024, "no sideways scrolling on a tablet"
    page.screenshot(path=os.path.join(shots, "portal-today-tablet.png"), full_page=True)

    # Two days pass: the appointment is under way (an outcome cannot be recorded days ahead).
    now = timezone.now()
    Appointment.objects.filter(pk=appointment.pk).update(
        start=now - timedelta(minutes=20), end=now + timedelta(minutes=10)
    )
    page.goto(f"{live_server.url}/portal/{clinic.pk}/")
    row = page.locator(f"#appt-{appointment.pk}")
    row.get_by_role("button", name="Arrived").click()
    page.locator(f"#appt-{appointment.pk} .badge--arrived").wait_for()
    row.get_by_role("button", name="Completed").click()
    page.locator(f"#appt-{appointment.pk} .badge--completed").wait_for()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    page.screenshot(path=os.path.join(shots, "portal-today-completed.png"), full_page=True)
