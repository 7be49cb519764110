"""Issue 12's "done when", as one journey in headless Chromium (axe-core on every page):

a patient with lower back pain answers the intake and gets "routine"; picks their city on the consultations page
and books a free phone consultation near them; signs in to My PainHero with the link from the console email, sees
the consultation and downloads their data; the consultation's practitioner reads the intake in the portal, the
audit trail records it, and the patient sees that read in their access report. Another patient answers "yes" to
the saddle-numbness question and gets the emergency page, with no way to book.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from booking.models import Appointment
from clinics.models import Delivery, ServiceKind
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from notifications.services import outbox_sweep
from painhero.testing import PASSWORD, make_user
from patients.models import Intake, IntakeAccess
from patients.tests.test_e2e_intake import BOOKING, PHONE, _send, _to_warning_signs
from patients.tests.test_e2e_my_painhero import LINK
from portal.models import Role
from scheduling.testing import EVERY_DAY, make_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _clinic_with_a_free_phone_consultation(name: str, city: Any, therapist: tuple[str, str]) -> Any:
    clinic = make_clinic(name=name, city=city)
    practitioner = make_practitioner(clinic=clinic, first_name=therapist[0], last_name=therapist[1])
    make_hours(practitioner, days=EVERY_DAY, blocks=(("00:00", "23:45"),))
    make_service(
        clinic=clinic,
        practitioners=[practitioner],
        name="Free consultation by phone",
        kind=ServiceKind.FREE_CONSULTATION,
        delivery=Delivery.PHONE,
        duration_minutes=15,
        price_cents=0,
    )
    return clinic, practitioner


def test_issue_12_done_when_in_one_journey(page: Any, live_server: Any, axe_check: Any, tmp_path: Any) -> None:
    halifax = make_city(
        name="Halifax", name_fr="Halifax", province="NS", time_zone="America/Halifax",
        latitude=44.64533, longitude=-63.57239, slug="halifax", population=400_000,
    )  # fmt: skip
    toronto = make_city(name="Toronto", name_fr="Toronto", slug="toronto")
    clinic, robin = _clinic_with_a_free_phone_consultation("Harbour Physio", halifax, ("Robin", "Hart"))
    _clinic_with_a_free_phone_consultation("Lakeshore Physio", toronto, ("Sam", "Lake"))
    make_user("robin@harbour.test", clinic=clinic, role=Role.PRACTITIONER, practitioner=robin)

    # 1. The intake: lower back, no warning signs, "routine".
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

    # 2. A free phone consultation near them: the city typed, Halifax's clinic shown and Toronto's not.
    page.get_by_role("button", name="Book a free consultation").click()
    page.wait_for_url(re.compile(r"/consultations/"))
    page.get_by_label("Your city").fill("Halifax")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"where=Halifax"))
    offers = page.locator(".consultation-offers").inner_text()
    assert "Harbour Physio" in offers and "Lakeshore Physio" not in offers
    assert "km away" in offers
    axe_check(page, where="the free consultations near the patient")
    page.locator(".consultation-offers li.panel", has_text="Harbour Physio").locator(
        ".consultation-times a"
    ).first.click()
    page.wait_for_url(re.compile(r"/book/\?"))
    page.locator(".booking-hold").wait_for()
    page.get_by_label("Full name").fill("Jo Tremblay")
    page.get_by_label("Email").fill("jo@example.com")
    page.get_by_label("Mobile phone").fill("902 555 0123")
    page.get_by_label("I accept").check()
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url("**/appointments/**")
    axe_check(page, where="the booked free consultation")
    appointment = Appointment.objects.get()
    intake.refresh_from_db()
    assert intake.appointment_id == appointment.pk, "the booking carries the intake"
    outbox_sweep()
    mail.outbox.clear()

    # 3. My PainHero: the link from the console email, the consultation, the download.
    page.goto(f"{live_server.url}/my/")
    page.get_by_label("Your email").fill("jo@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_text("If we have anything for this address, we sent a link").wait_for()
    assert outbox_sweep() == 1
    [email] = mail.outbox
    found = LINK.search(str(email.body))
    assert found, "the email holds the sign-in link"
    link = urlsplit(found.group(0))
    page.goto(f"{live_server.url}{link.path}?{link.query}")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="My PainHero", exact=True).wait_for()
    axe_check(page, where="My PainHero")
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming appointments"))
    assert "Harbour Physio" in upcoming.inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    download_info.value.save_as(tmp_path / "data.json")
    data = json.loads((tmp_path / "data.json").read_text())
    assert [a["clinic"] for a in data["appointments"]] == ["Harbour Physio"] or "Harbour Physio" in json.dumps(data)
    assert len(data["intakes"]) == 1, "the download holds the intake"

    # 4. The practitioner reads the intake in the portal; the audit trail records it.
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
    assert "What the patient told us" in therapist.locator("main").inner_text()
    axe_check(therapist, where="the consultation in the portal")
    therapist.close()
    access = IntakeAccess.objects.get(intake=intake, where="portal:appointment_consultation")
    assert access.role == Role.PRACTITIONER and access.user_id is not None

    # ... and the patient sees that read in their access report.
    page.reload()
    page.get_by_role("heading", name="My PainHero", exact=True).wait_for()
    report = page.locator("section", has=page.get_by_role("heading", name="Who has read your answers")).inner_text()
    assert "Clinic staff" in report and "Practitioner" in report
    assert "the consultation's page in the clinic's portal" in report

    # 5. Another patient, saddle numbness: the emergency page, and no way to book.
    other = page.context.browser.new_page()
    other.set_viewport_size(PHONE)
    other.goto(f"{live_server.url}/what-hurts/")
    other.get_by_role("checkbox", name="Lower back").check()
    _to_warning_signs(other, axe_check)
    for radio in other.get_by_role("radio", name="No").all():
        radio.check()
    other.locator("input[name=cauda_equina][value=yes]").check()
    _send(other, axe_check)
    assert other.get_by_role("heading", name="Call 911 or go to the nearest emergency department now").is_visible()
    hrefs = other.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert not [href for href in hrefs if BOOKING.search(href)], hrefs
    assert other.get_by_text("free consultation", exact=False).count() == 0
    axe_check(other, where="the emergency answer")
    other.close()
    assert Appointment.objects.count() == 1
