"""A patient joins the waitlist from a clinic's page and from a search, then leaves it, in a real browser."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from booking.models import WaitlistEntry, WaitlistStatus
from notifications.services import outbox_sweep
from painhero.testing import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_joins_from_the_clinic_page_fixes_a_mistake_and_leaves_from_the_email(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    world = make_world()
    needed_by = (timezone.now() + timedelta(days=10)).date()
    page.goto(f"{live_server.url}/clinics/{world.clinic.city.slug}/{world.clinic.slug}/")
    page.get_by_role("link", name="No time that suits you? Tell me if something earlier opens").click()
    page.get_by_role("heading", name="Tell me if something earlier opens").wait_for()
    axe_check(page, where="the clinic's waitlist form")

    page.get_by_label("Practitioner").select_option(label=world.chen.full_name)
    page.get_by_label("Needed by").fill(needed_by.isoformat())
    page.get_by_label("Mornings (7 a.m. to noon)").check()
    page.get_by_label("Full name").fill("Rosa Waiting")
    page.get_by_label("Email").fill("rosa@")  # a mistake
    page.get_by_label("Mobile phone").fill("416 555 0199")
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_role("heading", name="Please fix this to join the waitlist:").wait_for()
    assert not WaitlistEntry.objects.exists()
    axe_check(page, where="the waitlist form with an error")

    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_text("You are on the waitlist. We sent you an email with your link.").wait_for()
    axe_check(page, where="the waitlist entry's page")
    entry = WaitlistEntry.objects.get()
    assert (entry.clinic_id, entry.practitioner_id, entry.windows) == (
        world.clinic.pk,
        world.chen.pk,
        [{"from": "07:00", "to": "12:00"}],
    )

    outbox_sweep()
    [email] = mail.outbox
    [leave_path] = re.findall(r"https?://[^/\s]+(/waitlist/\S+/leave/)", str(email.body))
    page.goto(live_server.url + leave_path)
    page.get_by_role("heading", name="Leave the waitlist?").wait_for()
    axe_check(page, where="the leave confirmation")
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING, "opening the link changes nothing"
    page.get_by_role("button", name="Yes, leave the waitlist").click()
    page.get_by_text("You have left the waitlist.").wait_for()
    assert "CSRF" not in page.content()
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT


def test_a_patient_joins_the_waitlist_near_a_search(page: Any, live_server: Any, axe_check: Any) -> None:
    world = make_world()
    needed_by = (timezone.now() + timedelta(days=5)).date()
    page.goto(f"{live_server.url}/search/?city={world.clinic.city.slug}&discipline=physiotherapy")
    page.get_by_role("link", name="Nothing soon enough? Tell me if something earlier opens nearby").click()
    page.get_by_role("heading", name="Tell me if something earlier opens").wait_for()
    axe_check(page, where="the area waitlist form")
    page.get_by_label("How far you would travel").select_option(label="Within 10 km")
    page.get_by_label("Needed by").fill(needed_by.isoformat())
    page.get_by_label("Full name").fill("Rosa Waiting")
    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_label("Mobile phone").fill("416 555 0199")
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_text("You are on the waitlist.").wait_for()
    entry = WaitlistEntry.objects.get()
    assert (entry.clinic_id, entry.radius_km, entry.discipline) == (None, 10, "physiotherapy")
