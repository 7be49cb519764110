"""The owner connects their software's feed in a browser: sets the address, fetches, maps a schedule, and sees the
openings it made and a line error (headless Chromium, axe-core)."""

from __future__ import annotations

from typing import Any

import pytest

from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import PASSWORD, make_user
from portal.models import Role
from scheduling.models import PostedOpening

from .test_interop_page import feed_server  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_connects_a_feed_maps_a_schedule_and_sees_openings_and_a_line_error(
    page: Any,
    live_server: Any,
    feed_server: str,  # noqa: F811 (the imported fixture)
    axe_check: Any,
) -> None:
    clinic = make_clinic(name="Feed Physio")
    pat = make_practitioner(clinic=clinic, first_name="Pat", last_name="Physio")
    robin = make_practitioner(clinic=clinic, first_name="Robin", last_name="Second")
    make_service(clinic=clinic, practitioners=[pat, robin])
    make_user("owner@feed.test", clinic=clinic, role=Role.OWNER)
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("owner@feed.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/")

    page.get_by_role("link", name="Your software").click()
    page.get_by_label("Address of your software's $bulk-publish manifest").fill(f"{feed_server}/$bulk-publish")
    page.get_by_role("button", name="Save the address").click()
    page.get_by_role("button", name="Fetch now").click()
    page.locator("#feed-errors").wait_for()
    assert "slots.ndjson:4 [s4]" in page.locator("#feed-errors").inner_text()
    axe_check(page, where="the software page after a fetch")

    page.get_by_label("Practitioner for sch.physio").select_option(label="Robin Second")
    page.get_by_role("button", name="Save the mapping").click()
    page.get_by_text("Mapping saved").wait_for()
    assert page.get_by_label("Practitioner for sch.physio").input_value() == str(robin.pk)
    # The first fetch gave the physiotherapy to the least booked; the mapping moves it on the next poll.
    assert sorted(PostedOpening.objects.values_list("practitioner_id", flat=True)) == [pat.pk, pat.pk]
    assert "Loaded 2" in page.locator("#feed-status").inner_text()
