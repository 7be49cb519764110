"""In Chromium: the How we inspect page and a clinic's inspection breakdown, read and checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from painhero.testing import NOW, make_user, make_world
from quality.services import inspection_finish, inspection_start

from .conftest import decide_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["", "/fr"], ids=["english", "french"])
def test_a_patient_reads_the_breakdown_then_the_50_points(
    page: Any, live_server: Any, axe_check: Any, lang: str
) -> None:
    world = make_world()
    inspector = make_user("ines@painhero.test")
    inspection = inspection_start(clinic=world.clinic, inspector=inspector, now=NOW)
    decide_all(inspection, inspector, safety_records=False)
    inspection_finish(inspection=inspection, by=inspector, now=NOW)
    page.goto(f"{live_server.url}{lang}/clinics/{world.clinic.city.slug}/{world.clinic.slug}/")
    breakdown = page.locator(".inspection-breakdown")
    assert breakdown.locator("tbody tr").count() == 10
    axe_check(page, where=f"{lang or '/en'} clinic page with its inspection breakdown")
    breakdown.locator("a[href$='/how-we-inspect/']").click()
    page.wait_for_url(f"**{lang}/how-we-inspect/")
    assert page.locator("li[id^='point-']").count() == 50
    axe_check(page, where=f"{lang or '/en'} How we inspect")
