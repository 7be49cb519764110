"""The free consultation in headless Chromium: lower back pain answered, "routine", a free phone consultation booked
from the answer page carrying the intake; then its practitioner reads the answers in the portal, and the read is
in the audit trail. axe-core on every page the patient and the practitioner see."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from booking.models import Appointment
from clinics.models import Delivery, ServiceKind
from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import PASSWORD, make_user
from patients.models import Intake, IntakeAccess
from patients.tests.test_e2e_intake import PHONE, _send, _to_warning_signs
from portal.models import Role
from scheduling.testing import EVERY_DAY, make_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_routine_lower_back_books_a_free_phone_consultation_that_its_practitioner_reads(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    clinic = make_clinic(name="Harbour Physio")
    robin = make_practitioner(clinic=clinic, first_name="Robin", last_name="Hart")
    make_hours(robin, days=EVERY_DAY, blocks=(("00:00", "23:45"),))
    make_service(
        clinic=clinic,
        practitioners=[robin],
        name="Free consultation by phone",
        kind=ServiceKind.FREE_CONSULTATION,
        delivery=Delivery.PHONE,
        duration_minutes=15,
        price_cents=0,
    )
    make_user("robin@harbour.test", clinic=clinic, role=Role.PRACTITIONER, practitioner=robin)

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/what-hurts/")
    page.get_by_role("checkbox", name="Lower back").check()
    _to_warning_signs(page, axe_check)
    for radio in page.get_by_role("radio", name="No").all():
        radio.check()
    _send(page, axe_check)
    assert page.get_by_role("heading", name="Good news: no warning signs").is_visible()
    intake = Intake.objects.get()
    assert intake.triage == "routine"

    page.get_by_role("button", name="Book a free consultation").click()
    page.wait_for_url(re.compile(r"/consultations/"))
    assert "no obligation" in page.locator("main").inner_text()
    axe_check(page, where="the soonest free consultations")
    offer = page.locator(".consultation-offers li.panel", has_text="Harbour Physio")
    offer.locator(".consultation-times a").first.click()
    page.wait_for_url(re.compile(r"/book/\?"))
    page.locator(".booking-hold").wait_for()
    assert "Your answers to" in page.locator("main").inner_text()
    assert "the therapist calls you" in page.locator("main").inner_text()
    axe_check(page, where="the free consultation's booking form")
    page.get_by_label("Full name").fill("Jo Tremblay")
    page.get_by_label("Email").fill("jo@example.com")
    page.get_by_label("Mobile phone").fill("416 555 0123")
    page.get_by_label("I accept").check()
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url("**/appointments/**")
    axe_check(page, where="the booked free consultation")

    appointment = Appointment.objects.get()
    intake.refresh_from_db()
    assert intake.appointment_id == appointment.pk, "the booking carries the intake"
    assert appointment.service.kind == ServiceKind.FREE_CONSULTATION

    therapist = page.context.browser.new_page()
    therapist.set_viewport_size({"width": 1024, "height": 768})
    therapist.goto(f"{live_server.url}/portal/sign-in/")
    therapist.get_by_label("Email").fill("robin@harbour.test")
    therapist.get_by_label("Password").fill(PASSWORD)
    therapist.get_by_role("button", name="Sign in").click()
    therapist.wait_for_url(f"**/portal/{clinic.pk}/")
    day = appointment.start.astimezone(ZoneInfo(clinic.time_zone)).date()
    therapist.goto(f"{live_server.url}/portal/{clinic.pk}/?day={day.isoformat()}")
    therapist.locator(f"#appt-{appointment.pk}").get_by_role("link", name="Free consultation: details").click()
    therapist.wait_for_url(re.compile(r"/consultation/$"))
    answers = therapist.locator("main").inner_text()
    assert "What the patient told us" in answers and "Tying my shoes" in answers
    axe_check(therapist, where="the consultation in the portal")
    access = IntakeAccess.objects.get(intake=intake, where="portal:appointment_consultation")
    assert access.role == Role.PRACTITIONER and access.user_id is not None
    therapist.close()
