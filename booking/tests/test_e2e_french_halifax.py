"""Done when: a patient books in French at a Halifax clinic in Chromium, gets a French email with the clinic's
own time and a link on SITE_URL, opens it and cancels."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from booking.availability import open_times
from booking.models import Appointment, AppointmentStatus
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from notifications.services import outbox_sweep
from scheduling.testing import EVERY_DAY, make_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HALIFAX = ZoneInfo("America/Halifax")


def test_a_patient_books_in_french_in_halifax_reads_the_email_and_cancels_from_its_link(
    page: Any, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    clinic = make_clinic(
        city=make_city(name="Stewiacke", name_fr="Stewiacke", province="NS", time_zone="America/Halifax"),
        name="Physio Stewiacke",
    )
    practitioner = make_practitioner(clinic=clinic)
    service = make_service(clinic=clinic, practitioners=[practitioner])
    make_hours(practitioner, days=EVERY_DAY, blocks=(("08:00", "18:00"),))
    now = timezone.now()
    # The first open time from two days ahead: past the 24-hour window, so it can still be cancelled online.
    opening = open_times(
        clinic=clinic, service=service, start=now + timedelta(days=2), end=now + timedelta(days=9), now=now
    )[0]
    local = opening.start.astimezone(HALIFAX)
    end = local + timedelta(minutes=service.duration_minutes)
    wall_clock = f"{local.hour} h {local:%M} – {end.hour} h {end:%M} (l’heure de l’Atlantique)"

    page.goto(
        f"{live_server.url}/fr/book/?practitioner={practitioner.pk}&service={service.pk}"
        f"&start={opening.start.isoformat().replace('+', '%2B')}"
    )
    page.get_by_label("Nom complet").fill("Josée Tremblay")
    page.get_by_label("Courriel").fill("josee@example.com")
    page.get_by_label("Téléphone cellulaire").fill("902 555 0123")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Confirmer la réservation").click()
    page.wait_for_url("**/fr/appointments/**")
    assert "C’est réservé" in page.content()
    appointment = Appointment.objects.get()
    assert appointment.language == "fr" and appointment.start == opening.start

    # The worker's part, run here: deliver the outbox and read what the patient got.
    assert outbox_sweep() == 1
    [email] = mail.outbox
    assert isinstance(email, mail.EmailMultiAlternatives)
    assert email.subject.startswith("Votre rendez-vous est confirmé")
    assert wall_clock in email.body
    link = f"{live_server.url}/fr/appointments/{appointment.manage_token}/"
    html = email.alternatives[0][0]
    assert isinstance(html, str)
    assert link in email.body and f'href="{link}"' in html

    page.goto(link)
    page.get_by_role("link", name="Annuler ce rendez-vous").click()
    page.get_by_role("button", name=re.compile(r"annuler|cancel", re.IGNORECASE)).click()
    page.wait_for_url(f"**/fr/appointments/{appointment.manage_token}/")
    assert "Votre rendez-vous est annulé" in page.content()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert outbox_sweep() == 2  # the cancellation, and the freed time handed to the waitlist
    assert len(mail.outbox) == 2
    cancelled = mail.outbox[1]
    assert cancelled.subject.startswith("Votre rendez-vous est annulé") and wall_clock in cancelled.body
