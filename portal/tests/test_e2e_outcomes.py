"""The practitioner records a visit's outcome check-in in headless Chromium (axe-core on every page): from the row on
the day view, a first try with nothing chosen names every question, the recorded check-in moves the chart (pain 6 to
3: meaningful), the consultation page shows the same chart, and the clinic's Outcomes page counts the patient."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from booking.models import Appointment, AppointmentSource
from clinics.models import Delivery, ServiceKind
from clinics.testing import make_clinic, make_practitioner, make_service
from painhero.testing import NOW, PASSWORD, at, make_user
from patients.models import CheckInBy, Intake, OutcomeCheckIn
from patients.services import intake_create
from patients.tests.conftest import lower_back
from portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visit(practitioner: Any, service: Any, start: Any) -> Appointment:
    return Appointment.objects.create(
        clinic=practitioner.clinic,
        practitioner=practitioner,
        service=service,
        start=start,
        end=start + timedelta(minutes=service.duration_minutes),
        patient_name="Jo Tremblay",
        patient_email="jo@example.com",
        patient_phone="+14165550123",
        source=AppointmentSource.WEB,
    )


def test_the_practitioner_records_a_check_in_and_sees_it_on_the_chart_and_the_outcomes_page(
    page: Any, live_server: Any, axe_check: Any
) -> None:
    clinic = make_clinic(name="Outcome Physio")
    robin = make_practitioner(clinic=clinic, first_name="Robin", last_name="Physio")
    treatment = make_service(clinic=clinic, practitioners=[robin])
    free = make_service(
        clinic=clinic,
        practitioners=[robin],
        name="Free consultation",
        kind=ServiceKind.FREE_CONSULTATION,
        delivery=Delivery.PHONE,
        duration_minutes=15,
        price_cents=0,
    )
    make_user("robin@outcome.test", clinic=clinic, role=Role.PRACTITIONER, practitioner=robin)
    # Yesterday's free consultation carried Jo's intake (pain 6; tying shoes 3, sitting an hour 4); today at 10:00
    # the first treatment.
    consultation = _visit(robin, free, NOW - timedelta(days=1))
    created = intake_create(answers=lower_back(), language="en", consent=True, now=NOW - timedelta(days=1, hours=1))
    Intake.objects.filter(pk=created.intake.pk).update(appointment=consultation, patient_email="jo@example.com")
    visit = _visit(robin, treatment, at(10))

    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email").fill("robin@outcome.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/")

    page.locator(f"#appt-{visit.pk}").get_by_role("link", name="Outcome check-in").click()
    page.wait_for_url(f"**/portal/{clinic.pk}/appointments/{visit.pk}/check-in/")
    assert "Tying my shoes" in page.content()
    axe_check(page, where="the check-in form")

    page.get_by_role("button", name="Record the check-in").click()
    page.locator(".notice--error, .pfield__error").first.wait_for()
    assert page.locator(".pfield__error").count() == 4, "every question named"
    assert not OutcomeCheckIn.objects.exists()
    axe_check(page, where="the check-in form with its errors")

    page.get_by_role("group", name="How bad is your pain right now?").get_by_label("3", exact=True).check()
    page.get_by_role("group", name="How well can you do this today: Tying my shoes?").get_by_label(
        "6", exact=True
    ).check()
    page.get_by_role("group", name="How well can you do this today: Sitting an hour?").get_by_label(
        "7", exact=True
    ).check()
    page.get_by_role("group", name="Compared with when you started, how are you now?").get_by_label(
        "Better", exact=True
    ).check()
    page.get_by_role("button", name="Record the check-in").click()
    page.get_by_text("Check-in recorded.").wait_for()
    checkin = OutcomeCheckIn.objects.get()
    assert (checkin.nprs, checkin.psfs_1, checkin.psfs_2, checkin.groc) == (3, 6, 7, 2)
    assert checkin.recorded_by == CheckInBy.STAFF

    chart = page.locator("figure.outcome-progress")
    assert chart.locator("svg").get_attribute("data-meaningful-index") == "1"
    table = chart.locator("table")
    assert "Check-in 1" in table.inner_text() and "Yes, from here" in table.inner_text()
    axe_check(page, where="the recorded check-in with its chart")

    page.goto(f"{live_server.url}/portal/{clinic.pk}/appointments/{consultation.pk}/consultation/")
    consultation_chart = page.locator("figure.outcome-progress")
    assert "Check-in 1" in consultation_chart.locator("table").inner_text()
    assert consultation_chart.locator("svg .outcome-progress__meaningful").count() == 1
    axe_check(page, where="the consultation page with the chart")

    page.get_by_role("link", name="Outcomes", exact=True).click()
    page.wait_for_url(f"**/portal/{clinic.pk}/outcomes/")
    shares = page.locator("table.outcome-shares")
    row = shares.get_by_role("row", name="Meaningful change")
    assert "100%" in row.inner_text() and "1 of 1" in row.inner_text()
    axe_check(page, where="the Outcomes page")
