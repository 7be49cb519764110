"""The owner reads the clinic's inspection report in a browser: the empty state, then a finished inspection with
failed points, what to fix for one and the portal page its advice links to (headless Chromium, axe-core)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import PASSWORD, make_user
from portal.models import Role
from quality.rubric import POINTS
from quality.services import inspection_finish, inspection_start, point_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_sees_the_empty_report_then_a_finished_one_with_what_to_fix(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    clinic = make_clinic(name="Report Physio")
    make_service(clinic=clinic, practitioners=[make_practitioner(clinic=clinic)])
    make_user("owner@report.test", clinic=clinic, role=Role.OWNER)
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("owner@report.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/")

    page.get_by_role("link", name="Inspection").click()
    page.get_by_role("heading", name="Inspection report").wait_for()
    assert "has not been inspected yet" in page.content()
    axe_check(page, where="the inspection report before any inspection")

    inspector = make_user("ines@painhero.test")
    now = timezone.now()
    inspection = inspection_start(clinic=clinic, inspector=inspector, now=now)
    for point_id, point in POINTS.items():
        if not point.computed:
            failed = point_id in ("complaints-process", "experience-accessibility")
            note = "No written process was shown." if failed else "Seen on site."
            point_record(
                inspection=inspection, point_id=point_id, passed=not failed, by=inspector, now=now, evidence=note
            )
    finished = inspection_finish(inspection=inspection, by=inspector, now=now)

    page.reload()
    assert f"{finished.score} out of 100" in page.locator("main").inner_text()
    page.locator("#fix-complaints-process").get_by_text("No written process was shown.").wait_for()
    page.get_by_role("link", name="what to fix").first.click()
    assert "#fix-" in page.url
    axe_check(page, where="the inspection report with failed points")

    # The accessibility point's row links to its fix; the fix gives the advice and the page to act on.
    access = POINTS["experience-accessibility"]
    page.locator("tr", has_text=str(access.label)).get_by_role("link", name="what to fix").click()
    assert page.url.endswith("#fix-experience-accessibility")
    fix = page.locator("#fix-experience-accessibility")
    fix.get_by_text(str(access.fix)).wait_for()
    assert fix.get_by_text(str(access.fix)).is_visible()
    assert page.locator("#fix-complaints-process").get_by_role("link").count() == 0  # no portal page for that one
    fix.get_by_role("link", name="Go to Clinic profile").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/profile/")
    page.get_by_role("heading", name="Clinic profile").wait_for()
