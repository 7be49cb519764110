"""Strand protection end to end in headless Chromium at tablet size: the desk takes a day off for a
practitioner with a booked visit, is shown the visit, cancels it; then sees the week in the calendar."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.models import Appointment, AppointmentSource, AppointmentStatus
from clinics.testing import make_clinic, make_practitioner, make_service
from notifications.models import OutboxMessage
from painhero.testing import PASSWORD, make_user
from portal.models import Role
from scheduling.models import TimeOff
from scheduling.testing import make_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS", "")


def test_the_desk_takes_a_day_off_over_a_booked_visit_and_cancels_it(
    page: Any, live_server: Any, tmp_path: Any
) -> None:
    clinic = make_clinic(name="Tablet Physio")
    robin = make_practitioner(clinic=clinic, first_name="Robin")
    make_hours(robin, days=(0, 1, 2, 3, 4, 5, 6))
    service = make_service(clinic=clinic, practitioners=[robin])
    make_user("desk@tablet.test", clinic=clinic, role=Role.FRONT_DESK)
    zone = ZoneInfo(clinic.time_zone)
    day = (timezone.now().astimezone(zone) + timedelta(days=3)).date()
    start = datetime.combine(day, time(10), tzinfo=zone)
    visit = Appointment.objects.create(
        clinic=clinic,
        practitioner=robin,
        service=service,
        start=start,
        end=start + timedelta(minutes=30),
        source=AppointmentSource.WEB,
        patient_name="Jo Tremblay",
        patient_email="jo@example.com",
    )
    shots = SCREENSHOTS or str(tmp_path)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("desk@tablet.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/")

    page.goto(f"{live_server.url}/portal/{clinic.pk}/schedules/{robin.pk}/")
    form = page.locator("form[action$='/time-off/']")
    form.locator("input[name='start_date']").fill(day.isoformat())
    form.locator("input[name='end_date']").fill(day.isoformat())
    form.locator("input[name='reason']").fill("Course")
    form.locator("button[type='submit']").click()
    page.get_by_text("This change would leave booked visits without a time").wait_for()
    page.screenshot(path=os.path.join(shots, "portal-manage-stranded.png"), full_page=True)
    assert "Jo Tremblay" in page.locator("#stranded").inner_text()
    assert not TimeOff.objects.exists(), "nothing is saved before the desk chooses"

    page.get_by_role("button", name="cancel these visits").click()
    page.get_by_text("each patient gets an email").wait_for()
    page.screenshot(path=os.path.join(shots, "portal-manage-schedule.png"), full_page=True)
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CANCELLED
    assert TimeOff.objects.get().reason == "Course"
    assert OutboxMessage.objects.filter(kind="booking.cancelled", payload__appointment_id=visit.pk).exists()

    page.goto(f"{live_server.url}/portal/{clinic.pk}/calendar/?view=week&date={day.isoformat()}")
    assert page.locator(".calendar-item--time_off").count() >= 1
    page.get_by_role("link", name="Later").click()
    page.wait_for_url("**date=*")
    page.screenshot(path=os.path.join(shots, "portal-manage-calendar.png"), full_page=True)
    assert page.locator("h1", has_text="Calendar").count() == 1, "htmx swapped the calendar, not the page"
