"""In Chromium, with axe-core on every page: the desk marks a visit completed, the invitation email arrives, the
patient reviews through its link, the clinic replies in the portal, and the clinic page shows it all."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.services import outbox_deliver
from painhero.testing import PASSWORD, book, make_world
from quality.invitations import INVITE_KIND
from quality.models import Review, ReviewReply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/appointments/[^/\s]+/review/")


def test_a_completed_visit_is_reviewed_through_the_invitation_and_answered_by_the_clinic(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    world = make_world()
    now = timezone.now()
    appointment = book(world, now - timedelta(minutes=20), patient_name="Jo Tremblay", patient_email="jo@example.com")

    # The desk marks the visit completed on Today.
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("desk@alpha.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{world.clinic.pk}/")
    page.locator(f"#appt-{appointment.pk}").get_by_role("button", name="Completed").click()
    page.locator(f"#appt-{appointment.pk} .badge--completed").wait_for()

    # The worker's part, run here: the invitation waits until hours after the visit, then goes out once.
    [message] = OutboxMessage.objects.filter(kind=INVITE_KIND)
    assert message.not_before is not None and message.not_before >= appointment.end + timedelta(hours=3)
    assert outbox_deliver(message_id=message.pk, now=message.not_before) is True
    [email] = mail.outbox
    assert email.to == ["jo@example.com"]
    found = LINK.search(str(email.body))
    assert found, "the invitation links the review form"
    link = urlsplit(found.group(0))

    patient = page.context.browser.new_page()
    patient.goto(f"{live_server.url}{link.path}")
    axe_check(patient, where="the review form")
    patient.get_by_role("button", name="Send my review").click()
    patient.locator("[data-error-summary]").wait_for()
    assert "Choose 1 to 5 for your visit overall." in patient.locator("[data-error-summary]").inner_text()
    axe_check(patient, where="the review form with an error")
    patient.get_by_role("group", name="Your visit overall").get_by_label("5", exact=True).check()
    patient.get_by_role("group", name="Listened to you").get_by_label("4", exact=True).check()
    patient.get_by_label("In your own words (optional)").fill("Clear plan, and the exercises help.")
    patient.get_by_role("button", name="Send my review").click()
    patient.locator("[data-review-published]").wait_for()
    axe_check(patient, where="the review sent")
    review = Review.objects.get()
    assert (review.rating, review.listened, review.appointment_id) == (5, 4, appointment.pk)

    # The clinic replies in the portal.
    page.goto(f"{live_server.url}/portal/{world.clinic.pk}/reviews/")
    assert "Clear plan, and the exercises help." in page.locator(f"#review-{review.pk}").inner_text()
    axe_check(page, where="the portal's Reviews page")
    page.get_by_label("Your public reply").fill("Thank you, Jo. Keep up the exercises!")
    page.get_by_role("button", name="Publish the reply").click()
    page.locator(".portal-message--success").wait_for()
    assert ReviewReply.objects.get().text == "Thank you, Jo. Keep up the exercises!"

    # The clinic page: the new count, the review and the reply.
    patient.goto(f"{live_server.url}/clinics/{world.clinic.city.slug}/{world.clinic.slug}/")
    reviews = patient.locator("#reviews")
    summary = reviews.locator("[data-rating-summary]").inner_text()
    assert "1 verified review" in summary and "raw mean 5.00" in summary
    assert "Clear plan, and the exercises help." in reviews.inner_text()
    assert "Thank you, Jo. Keep up the exercises!" in reviews.locator("[data-reply]").inner_text()
    axe_check(patient, where="the clinic page with its review")
