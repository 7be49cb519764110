"""In Chromium: staff move a clinic in the admin, and a patient searching soonest first near its new place finds it
at once, ahead of a clinic whose first time is later (the admin's save has the clinic's next openings recomputed;
see test_moved_clinic.py). axe-core runs on the patient's page (the admin is Django's)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from clinics.models import Clinic
from clinics.testing import make_city
from painhero.testing import PASSWORD, make_user
from scheduling import cache, search
from scheduling.testing import make_open_clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TORONTO = (43.6532, -79.3832)
OTTAWA = (45.4215, -75.6972)


def _soonest_names(page: Any, url: str) -> list[str]:
    page.goto(f"{url}/search/?city=toronto&radius_km=25&discipline=physiotherapy&sort=soonest")
    page.locator("#results-title").wait_for()
    return [name.strip() for name in page.locator(".result__name").all_inner_texts()]


def test_a_clinic_moved_in_the_admin_is_found_soonest_first_at_its_new_place(
    page: Any, live_server: Any, axe_check: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(search, "SMALL_AREA", 0)  # the walk, as in any dense area
    toronto = make_city(name="Toronto", slug="toronto", latitude=TORONTO[0], longitude=TORONTO[1])
    here, _people, _service = make_open_clinic(blocks=(("11:00", "17:00"),))
    moving, _people, _service = make_open_clinic()  # from 09:00: sooner than ``here`` every day
    Clinic.objects.filter(pk=here.pk).update(
        name="Here Physio", city=toronto, latitude=TORONTO[0], longitude=TORONTO[1]
    )
    Clinic.objects.filter(pk=moving.pk).update(name="Moving Physio", latitude=OTTAWA[0], longitude=OTTAWA[1])
    cache.next_open_times_refresh(clinic_ids=[here.pk, moving.pk], now=timezone.now())
    patient = page.context.browser.new_page()
    assert _soonest_names(patient, live_server.url) == ["Here Physio"]

    staff = make_user("ines@painhero.test")
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill("ines@painhero.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/admin/clinics/clinic/{moving.pk}/change/")
    page.get_by_label("Latitude").fill(str(TORONTO[0]))
    page.get_by_label("Longitude").fill(str(TORONTO[1]))
    page.locator("input[name='_save']").click()
    page.wait_for_url("**/admin/clinics/clinic/")
    assert "CSRF" not in page.content()

    assert _soonest_names(patient, live_server.url) == ["Moving Physio", "Here Physio"]
    axe_check(patient, where="the search after the move")
