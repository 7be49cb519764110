"""In Chromium: the desk posts an extra opening on a day the clinic says it is closed, sees the warning
naming that day's posted hours, and posts it only by pressing "Post it anyway"."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from clinics.models import OpeningHours
from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import PASSWORD, make_user
from portal.models import Role
from scheduling.models import PostedOpening
from scheduling.testing import make_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_opening_on_a_closed_sunday_is_posted_only_after_the_desk_confirms_the_warning(
    page: Any, live_server: Any
) -> None:
    clinic = make_clinic(name="Weekday Physio", time_zone="America/Toronto")
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=clinic, weekday=d, opens=time(8), closes=time(20)) for d in range(5)
    )
    robin = make_practitioner(clinic=clinic, first_name="Robin")
    make_hours(robin)
    make_service(clinic=clinic, practitioners=[robin])
    make_user("desk@weekday.test", clinic=clinic, role=Role.FRONT_DESK)
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("desk@weekday.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/")

    page.goto(f"{live_server.url}/portal/{clinic.pk}/schedules/{robin.pk}/")
    today = timezone.now().astimezone(timezone.get_default_timezone()).date()
    sunday = today + timedelta(days=7 + (6 - today.weekday()))
    form = page.locator("form[action$='/slots/']")
    form.locator("input[name='day']").fill(sunday.isoformat())
    form.locator("input[name='start_time']").fill("10:00")
    form.locator("input[name='end_time']").fill("11:00")
    form.get_by_role("button", name="Save").click()

    warning = page.locator("[data-outside-hours]")
    warning.wait_for()
    assert "This opening is outside the clinic's posted hours (Sunday closed)." in warning.inner_text()
    assert not PostedOpening.objects.exists()

    warning.get_by_role("button", name="Post it anyway").click()
    page.get_by_text("Opening posted for Robin").wait_for()
    assert PostedOpening.objects.filter(practitioner=robin).count() == 1
    assert page.locator("[data-outside-hours]").count() == 0
