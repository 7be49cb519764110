"""The owner connects their software's feed in a browser: sets the address, fetches, maps a schedule, and sees the
openings it made and a line error; then the feed changes and a second fetch moves the openings: a withdrawn time
is no longer bookable, a new one is, a booked one stays and is flagged (headless Chromium, axe-core)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import Appointment
from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import NOW, PASSWORD, make_user
from portal.models import Role
from scheduling.models import PostedOpening
from scheduling.selectors import open_times_list

from .test_interop_page import feed_server  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_connects_a_feed_maps_a_schedule_and_sees_openings_and_a_line_error(
    page: Any,
    live_server: Any,
    feed_server: str,  # noqa: F811 (the imported fixture)
    axe_check: Any,
    tmp_path: Path,
) -> None:
    clinic = make_clinic(name="Feed Physio")
    pat = make_practitioner(clinic=clinic, first_name="Pat", last_name="Physio")
    robin = make_practitioner(clinic=clinic, first_name="Robin", last_name="Second")
    service = make_service(clinic=clinic, practitioners=[pat, robin])
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

    # A patient books Pat's 09:30 (the feed's s2). Then the clinic's software changes its feed: s1 (09:00) and s2
    # leave it, s10 (15:00) is new; the physiotherapy now goes to Robin, as mapped.
    toronto = ZoneInfo("America/Toronto")
    nine, half_past, three = (datetime(2026, 12, 8, h, m, tzinfo=toronto) for h, m in ((9, 0), (9, 30), (15, 0)))
    Appointment.objects.create(
        clinic=clinic,
        practitioner=pat,
        service=service,
        start=half_past,
        end=half_past + timedelta(minutes=30),
        patient_name="Kim Booked",
        patient_email="kim@example.com",
    )
    (tmp_path / "slots.ndjson").write_text(
        '{"resourceType":"Slot","id":"s10","schedule":{"reference":"Schedule/sch.physio"},"status":"free",'
        '"start":"2026-12-08T15:00:00-05:00","end":"2026-12-08T15:30:00-05:00"}\n'
    )
    with time_machine.travel(NOW + timedelta(minutes=2), tick=True):  # past the once-a-minute limit
        page.reload()
        page.get_by_role("button", name="Fetch now").click()
        page.get_by_text("withdrawn 1").wait_for()
        status = page.locator("#feed-status").inner_text()
        assert "Loaded 1" in status and "kept because booked 1" in status, status
        assert "[s2]" in page.locator("#feed-kept").inner_text()  # flagged to the clinic
        axe_check(page, where="the software page after the feed changed")

        now = NOW + timedelta(minutes=2)
        times = open_times_list(clinic=clinic, start=nine - timedelta(hours=1), end=three + timedelta(hours=1), now=now)
        assert [(t.start, t.practitioner_id) for t in times] == [(three, robin.pk)]
        assert Appointment.objects.get(start=half_past).status == "booked"  # the booked time never went

        def link(who: Any, start: datetime) -> str:
            return (
                f"{live_server.url}/book/?practitioner={who.pk}&service={service.pk}"
                f"&start={start.isoformat().replace('+', '%2B')}"
            )

        def book_at(who: Any, start: datetime) -> None:
            page.goto(link(who, start))
            page.get_by_label("Full name").fill("Jo Tremblay")
            page.get_by_label("Email").fill("jo@example.com")
            page.get_by_label("Mobile phone").fill("416 555 0123")
            page.locator("input[name=consent]").check()
            page.get_by_role("button", name="Confirm booking").click()

        page.goto(link(pat, nine))  # withdrawn with the feed: its booking link answers that it is gone
        page.get_by_role("heading", name="This time was just taken").wait_for()
        assert page.get_by_label("Full name").count() == 0
        book_at(robin, three)  # new in the feed
        page.wait_for_url("**/appointments/**")
        assert "You're booked" in page.content()
        assert Appointment.objects.filter(practitioner=robin, start=three).exists()
