"""My PainHero in headless Chromium: a patient who booked signs in with the emailed link (a page, then the
"Sign in" button), sees the appointment, downloads their data and deletes it all; axe-core on every page."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus
from booking.services import appointment_book
from notifications.services import outbox_sweep
from painhero.testing import make_world, patient
from patients.account import PatientAccount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"]+/my/sign-in/link/\?sesame=[^\s\"<]+")


def test_a_patient_signs_in_with_the_link_sees_downloads_and_deletes(
    page: Any, live_server: Any, axe_check: Any, tmp_path: Any
) -> None:
    world = make_world()
    zone = ZoneInfo(world.clinic.time_zone)
    day = (timezone.now().astimezone(zone) + timedelta(days=3)).date()
    start = datetime(day.year, day.month, day.day, 10, tzinfo=zone)
    appointment = appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=start,
        patient=patient(email="jo@example.com", note="Lower back since the move"),
        now=timezone.now(),
    ).appointment
    outbox_sweep()
    mail.outbox.clear()

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="My PainHero").click()
    page.get_by_role("heading", name="Sign in to My PainHero").wait_for()
    axe_check(page, where="the sign-in page")
    page.get_by_label("Your email").fill("Jo@Example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_text("If we have anything for this address, we sent a link").wait_for()
    axe_check(page, where="the 'check your email' page")

    # The worker's part, run here: deliver the outbox and read the email the patient got.
    assert outbox_sweep() == 1
    [email] = mail.outbox
    found = LINK.search(str(email.body))
    assert found
    link = urlsplit(found.group(0))
    page.goto(f"{live_server.url}{link.path}?{link.query}")
    page.get_by_role("button", name="Sign in").wait_for()
    axe_check(page, where="the page behind the link")
    assert PatientAccount.objects.get().verified_at is None, "opening the link signs nobody in"
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="My PainHero", exact=True).wait_for()
    axe_check(page, where="My PainHero")
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming appointments"))
    assert "Alpha Physio" in upcoming.inner_text() and "10:00" in upcoming.inner_text()
    assert (
        upcoming.get_by_role("link", name="See or change this appointment")
        .get_attribute("href")
        .endswith(f"/appointments/{appointment.manage_token}/")
    )
    page.screenshot(path=str(tmp_path / "my-painhero.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("my-painhero-") and download.suggested_filename.endswith(".json")
    download.save_as(tmp_path / "data.json")
    data = json.loads((tmp_path / "data.json").read_text())
    assert [a["note"] for a in data["appointments"]] == ["Lower back since the move"]

    page.get_by_role("link", name="Delete my data and this account").click()
    page.get_by_role("heading", name="Delete my data").wait_for()
    axe_check(page, where="the deletion's confirmation")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED, "asking changes nothing"
    page.get_by_role("button", name="Delete my data").click()
    page.get_by_role("heading", name="Your data is deleted").wait_for()
    axe_check(page, where="the deletion's answer")

    appointment = Appointment.objects.get(pk=appointment.pk)
    assert (appointment.status, appointment.note) == (AppointmentStatus.CANCELLED, "")
    assert not PatientAccount.objects.exists()
    mail.outbox.clear()
    outbox_sweep()  # the cancellation email, and the freed time handed to the waitlist (which sends nothing here)
    assert [message.to for message in mail.outbox] == [["jo@example.com"]]
    assert "cancel" in mail.outbox[0].subject.lower()
    page.goto(f"{live_server.url}/my/")
    page.get_by_role("heading", name="Sign in to My PainHero").wait_for()
