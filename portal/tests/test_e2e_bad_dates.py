"""A member who types 9999-12-31 in the time off form sees what to fix next to the field, in Chromium,
and the schedule page keeps working (before, PostgreSQL stored year 10000 and the page failed for good)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import PASSWORD, make_user
from portal.models import Role
from scheduling.models import TimeOff
from scheduling.testing import make_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_time_off_until_9999_shows_the_window_next_to_the_field_and_saves_nothing(page: Any, live_server: Any) -> None:
    clinic = make_clinic(name="Edge Physio")
    robin = make_practitioner(clinic=clinic, first_name="Robin")
    make_hours(robin)
    make_service(clinic=clinic, practitioners=[robin])
    make_user("desk@edge.test", clinic=clinic, role=Role.FRONT_DESK)
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("desk@edge.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/")

    schedule = f"{live_server.url}/portal/{clinic.pk}/schedules/{robin.pk}/"
    page.goto(schedule)
    form = page.locator("form[action$='/time-off/']")
    form.locator("input[name='start_date']").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    form.locator("input[name='end_date']").fill("9999-12-31")
    form.locator("input[name='end_time']").fill("23:00")
    form.locator("button[type='submit']").click()

    error = page.locator("form[action$='/time-off/'] .pfield--error:has(input[name='end_date']) .pfield__error")
    error.wait_for()
    assert "Choose a date between" in error.inner_text()
    assert not TimeOff.objects.exists()
    assert page.goto(schedule).status == 200
