"""Issue 14's "done when", in Chromium: an inspector admits an applicant after passing every gate; it then appears
in search; a patient's visit is marked completed, the invitation arrives, the patient reviews; the clinic replies;
the profile shows the new count. axe-core runs on every page a patient or the clinic sees (the admin is Django's)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from clinics.models import Clinic, NetworkStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver
from painhero.testing import PASSWORD, book, make_user, make_world
from quality.invitations import INVITE_KIND
from quality.models import Inspection, InspectionStatus
from quality.rubric import POINTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEW_LINK = re.compile(r"https?://\S+/appointments/[^/\s]+/review/")


def _sign_in(page: Any, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_admitted_applicant_is_found_booked_reviewed_and_answered(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    world = make_world()
    clinic = world.clinic
    Clinic.objects.filter(pk=clinic.pk).update(network_status=NetworkStatus.APPLICANT, inspection_score=None)
    city_page = f"{live_server.url}/clinics/{clinic.city.slug}/"
    browser = page.context.browser
    patient = browser.new_page()
    patient.goto(city_page)
    assert clinic.name not in patient.locator("main").inner_text()  # an applicant is not listed

    # The inspector: the queue, start, every inspector point passed with its evidence, save, finish.
    inspector = make_user("ines@painhero.test")
    inspector.is_staff = inspector.is_superuser = True
    inspector.save(update_fields=["is_staff", "is_superuser"])
    _sign_in(page, f"{live_server.url}/admin/", "ines@painhero.test")
    page.goto(f"{live_server.url}/admin/quality/clinictoinspect/?needs=applicants")
    page.locator(f"input[name='_selected_action'][value='{clinic.pk}']").check()
    page.locator("select[name='action']").select_option("start")
    page.locator("button[name='index']").first.click()
    page.wait_for_url("**/admin/quality/inspection/*/change/")
    rows = page.locator("select[name$='-passed']:not([disabled]):not([name*='__prefix__'])")
    inspector_points = sum(1 for point in POINTS.values() if not point.computed)
    assert rows.count() == inspector_points
    for i in range(inspector_points):
        rows.nth(i).select_option("true")
    evidence = page.locator("textarea[name$='-evidence']:not([disabled]):not([name*='__prefix__'])")
    for i in range(evidence.count()):
        evidence.nth(i).fill("Seen on site, 3 December.")
    page.locator("input[name='_save']").click()
    page.wait_for_url("**/admin/quality/inspection/")
    inspection = Inspection.objects.get(clinic=clinic)
    assert inspection.points.filter(computed=False, passed=True).count() == inspector_points
    page.locator(f"input[name='_selected_action'][value='{inspection.pk}']").check()
    page.locator("select[name='action']").select_option("finish")
    page.locator("button[name='index']").first.click()
    page.get_by_text("now In the network").wait_for()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FINISHED and inspection.gates_passed

    # It appears in search, with its score.
    patient.goto(city_page)
    patient.get_by_role("link", name=clinic.name).first.wait_for()
    axe_check(patient, where="the city page with the admitted clinic")

    # A visit that took place; the desk marks it completed in the portal.
    appointment = book(world, timezone.now() - timedelta(minutes=30), patient_email="jo@example.com")
    desk = browser.new_page()
    _sign_in(desk, f"{live_server.url}/portal/sign-in/", "desk@alpha.test")
    desk.wait_for_url(f"**/portal/{clinic.pk}/")
    desk.locator(f"#appt-{appointment.pk}").get_by_role("button", name="Completed").click()
    desk.locator(f"#appt-{appointment.pk} .badge--completed").wait_for()

    # The invitation goes out (the worker's part, run here at its time) and the patient reviews through it.
    [invite] = OutboxMessage.objects.filter(kind=INVITE_KIND)
    mail.outbox.clear()
    assert outbox_deliver(message_id=invite.pk, now=invite.not_before)
    [email] = mail.outbox
    link = REVIEW_LINK.search(str(email.body))
    assert link and email.to == ["jo@example.com"]
    patient.goto(f"{live_server.url}{urlsplit(link.group(0)).path}")
    axe_check(patient, where="the review form")
    patient.get_by_role("group", name="Your visit overall").get_by_label("4", exact=True).check()
    patient.get_by_label("In your own words (optional)").fill("On time, and a plan I understood.")
    patient.get_by_role("button", name="Send my review").click()
    patient.locator("[data-review-published]").wait_for()

    # The clinic replies.
    desk.goto(f"{live_server.url}/portal/{clinic.pk}/reviews/")
    axe_check(desk, where="the portal's Reviews page")
    desk.get_by_label("Your public reply").fill("Thank you for your visit.")
    desk.get_by_role("button", name="Publish the reply").click()
    desk.locator(".portal-message--success").wait_for()

    # The profile shows the new count, the review and the reply.
    patient.goto(f"{live_server.url}/clinics/{clinic.city.slug}/{clinic.slug}/")
    reviews = patient.locator("#reviews")
    assert "1 verified review" in reviews.locator("[data-rating-summary]").inner_text()
    assert "On time, and a plan I understood." in reviews.inner_text()
    assert "Thank you for your visit." in reviews.locator("[data-reply]").inner_text()
    axe_check(patient, where="the clinic page with its review and reply")
