"""Issue 13's "done when", as one journey in headless Chromium (axe-core on every page):

after a free consultation, the practitioner writes a tapering plan from the "Lower back pain" template in the portal
and sends it; the patient opens the emailed link, books every visit in one step and receives one email with one
``.ics`` holding them all; the first visit's check-in link is emailed, the patient answers it, and the chart on the
plan page (and in My PainHero) shows the result, marked meaningful (pain 6 -> 3).
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus
from notifications.services import outbox_sweep
from painhero.testing import PASSWORD, make_world
from patients.careplan_models import CarePlan, CarePlanStatus
from patients.careplan_testing import consultation_make
from patients.models import IntakeAccess, OutcomeCheckIn
from patients.outcomes_checkins import CHECKIN_LEAD
from patients.tests.test_e2e_my_painhero import LINK as SIGN_IN_LINK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN_LINK = re.compile(r"https?://[^\s\"<]+(/care-plan/[^/\s\"<]+/)")
CHECKIN_LINK = re.compile(r"https?://[^\s\"<]+(/check-in/[A-Za-z0-9_-]+/)")


def _jo_emails() -> list[Any]:
    return [m for m in mail.outbox if "jo@example.com" in m.to]


def _templates_seed() -> None:
    from django.apps import apps

    seed = importlib.import_module("patients.migrations.0004_seed_care_plan_templates").seed
    seed(apps, None)


def test_issue_13_done_when_a_plan_booked_in_one_step_then_a_check_in_moves_the_chart(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    world = make_world()
    _templates_seed()  # a browser test's database is flushed between tests: the migration's rows may be gone
    now = timezone.now()
    consultation_make(world, start=now - timedelta(days=1))  # Jo's, with a pain-6 intake
    outbox_sweep()
    mail.outbox.clear()

    # 1. The practitioner writes the plan from the template and sends it.
    therapist = page.context.browser.new_page()
    therapist.set_viewport_size({"width": 1280, "height": 900})
    therapist.goto(f"{live_server.url}/portal/sign-in/")
    therapist.get_by_label("Email").fill("chen@alpha.test")
    therapist.get_by_label("Password").fill(PASSWORD)
    therapist.get_by_role("button", name="Sign in").click()
    therapist.wait_for_url(f"**/portal/{world.clinic.pk}/")
    therapist.goto(f"{live_server.url}/portal/{world.clinic.pk}/consultations/")
    axe_check(therapist, where="the portal's consultations")
    therapist.get_by_role("link", name="Write a care plan for Jo Tremblay").click()
    therapist.get_by_role("heading", name="Care plan for Jo Tremblay").wait_for()
    therapist.get_by_role("link", name="Lower back pain").click()
    therapist.wait_for_url(re.compile(r"\?template="))
    axe_check(therapist, where="writing a care plan from a template")
    therapist.get_by_label("Working impression").fill("Mechanical low back pain, no nerve signs")
    therapist.get_by_label("Cost estimate for the whole plan ($)").fill("900")
    phases = therapist.locator("fieldset.careplan-phase")
    assert phases.count() == 3, "the template's taper: 3 a week, then 2, then 1"
    for n in range(3):
        phases.nth(n).get_by_label("Service").select_option(str(world.service.pk))
    therapist.get_by_role("button", name="Save and preview").click()
    therapist.wait_for_url(re.compile(r"/care-plans/\d+/$"))
    axe_check(therapist, where="the plan's preview")
    therapist.get_by_role("button", name="Send to patient").click()
    therapist.get_by_text("The plan is on its way to the patient by email.").wait_for()
    axe_check(therapist, where="the plan sent")
    therapist.close()
    plan = CarePlan.objects.get()
    assert plan.status == CarePlanStatus.SENT and plan.expected_visits == 12

    # 2. The patient opens the emailed link and books every visit in one step.
    outbox_sweep()
    [plan_email] = _jo_emails()
    found = PLAN_LINK.search(str(plan_email.body))
    assert found, "the plan's email holds its link"
    mail.outbox.clear()
    page.goto(f"{live_server.url}{found.group(1)}")
    page.get_by_role("heading", name="Proposed visits").wait_for()
    axe_check(page, where="the plan page with its proposed times")
    assert "No check-in yet" in page.locator(".careplan-progress").inner_text()
    page.get_by_role("button", name="Book all 12 visits").click()
    page.get_by_role("heading", name="Your visits").wait_for()
    axe_check(page, where="the booked plan")
    visits = list(Appointment.objects.filter(series__isnull=False).order_by("start"))
    assert len(visits) == 12 and all(v.status == AppointmentStatus.BOOKED for v in visits)
    assert page.get_by_role("link", name=re.compile("Move or cancel this visit")).count() == 12

    # ... and receives one email, with one calendar file holding every visit.
    outbox_sweep()
    [confirmation] = _jo_emails()
    [ics] = [a for a in confirmation.attachments if str(a[0]).endswith(".ics")]
    assert str(ics[1] if isinstance(ics[1], str) else ics[1].decode()).count("BEGIN:VEVENT") == 12
    mail.outbox.clear()

    # ... and cancels one visit (the last) through its own link: the others stay booked.
    href = page.get_by_role("link", name=re.compile("Move or cancel this visit")).nth(11).get_attribute("href")
    page.goto(f"{live_server.url}{urlsplit(str(href)).path}")  # the link is absolute, to SITE_URL
    page.get_by_role("link", name="Cancel this appointment").click()
    axe_check(page, where="cancelling one visit of the plan")
    page.get_by_role("button", name="Yes, cancel my appointment").click()
    page.get_by_text("Your appointment is cancelled").wait_for()
    statuses = [v.status for v in Appointment.objects.filter(series__isnull=False).order_by("start")]
    assert statuses == [AppointmentStatus.BOOKED] * 11 + [AppointmentStatus.CANCELLED]
    mail.outbox.clear()

    # 3. The first visit's check-in link leaves hours before it (the worker, run at that time); Jo answers it.
    outbox_sweep(now=visits[0].start - CHECKIN_LEAD)
    [invitation] = [m for m in _jo_emails() if CHECKIN_LINK.search(str(m.body))]  # the reminders leave too
    assert "pain" not in invitation.subject.lower() and "back" not in invitation.subject.lower()
    found = CHECKIN_LINK.search(str(invitation.body))
    assert found, "the invitation holds the one-time link"
    page.goto(f"{live_server.url}{found.group(1)}")
    page.get_by_role("heading", name="One-minute check-in").wait_for()
    axe_check(page, where="the check-in")
    page.locator("input[name=nprs][value='3']").check()
    page.locator("input[name=psfs_1][value='6']").check()
    page.locator("input[name=psfs_2][value='7']").check()
    page.locator("input[name=groc][value='2']").check()
    page.get_by_role("button", name="Send my check-in").click()
    page.get_by_role("heading", name="Thank you: your check-in is recorded").wait_for()
    axe_check(page, where="the check-in's thank-you page")
    assert OutcomeCheckIn.objects.filter(appointment=visits[0], taken_at__isnull=False, nprs=3).exists()

    # 4. The chart on the plan page shows it: the start at 6, the check-in at 3, meaningful from there.
    page.goto(f"{live_server.url}{PLAN_LINK.search(str(plan_email.body)).group(1)}")  # type: ignore[union-attr]
    page.get_by_role("heading", name="Your progress").wait_for()
    progress = page.locator(".careplan-progress")
    table = progress.locator("table").inner_text()
    assert "Start" in table and "Check-in 1" in table and "Yes, from here" in table
    assert progress.locator("svg[role=img]").count() == 1
    assert progress.locator("svg").get_attribute("data-meaningful-index") == "1"
    axe_check(page, where="the plan page with the chart")

    # 5. My PainHero lists the plan; its page shows the plan, its visits and the same chart.
    page.goto(f"{live_server.url}/my/")
    page.get_by_label("Your email").fill("jo@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_text("If we have anything for this address, we sent a link").wait_for()
    mail.outbox.clear()
    outbox_sweep()
    found = SIGN_IN_LINK.search(str(_jo_emails()[0].body))
    assert found
    link = urlsplit(found.group(0))
    page.goto(f"{live_server.url}{link.path}?{link.query}")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="My PainHero", exact=True).wait_for()
    axe_check(page, where="My PainHero with a care plan")
    page.get_by_role("link", name=re.compile("Your plan at Alpha Physio")).click()
    page.get_by_role("heading", name="Your care plan at Alpha Physio").wait_for()
    axe_check(page, where="the care plan in My PainHero")
    assert page.get_by_role("link", name="See or change this appointment").count() == 12
    assert "Yes, from here" in page.locator(".careplan-progress table").inner_text()
    assert IntakeAccess.objects.filter(intake=plan.intake, where="patients:my_care_plan").count() == 1
