"""Links the portal sends out of the site (feed addresses, invitations, password resets) start with SITE_URL,
whatever Host the request named; feeds give times in the clinic's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client, override_settings
from icalendar import Calendar

from booking.models import Appointment, AppointmentSource
from painhero.testing import World, client_for
from portal.auth_services import calendar_feed_get
from portal.models import Invitation, Role

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")

SITE = "https://painhero.example"

ZONES = [
    "America/St_Johns",
    "America/Halifax",
    "America/Toronto",
    "America/Winnipeg",
    "America/Regina",
    "America/Edmonton",
    "America/Vancouver",
    "America/Whitehorse",
]


@override_settings(SITE_URL=SITE)
def test_the_feeds_page_gives_the_feed_address_on_site_url(world: World) -> None:
    token = calendar_feed_get(practitioner=world.chen).token
    page = client_for(world.practitioner).get(f"/portal/{world.clinic.pk}/feeds/", HTTP_HOST="localhost")
    assert f"{SITE}/portal/feeds/{token}.ics" in page.content.decode()
    assert "http://localhost/portal/feeds/" not in page.content.decode()


@pytest.mark.parametrize("zone", ZONES)
def test_a_feed_gives_each_appointment_on_the_clinics_clock_with_its_zone(world: World, zone: str) -> None:
    clinic = world.clinic
    clinic.time_zone = zone
    clinic.save(update_fields=["time_zone"])
    Appointment.objects.filter(practitioner=world.chen).delete()
    start = datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo(zone))
    Appointment.objects.create(
        clinic=clinic,
        practitioner=world.chen,
        service=world.service,
        start=start,
        end=datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo(zone)),
        source=AppointmentSource.WEB,
        patient_name="Ada Alpha",
        patient_email="ada@example.org",
    )
    token = calendar_feed_get(practitioner=world.chen).token
    body = Client().get(f"/portal/feeds/{token}.ics").content.decode()
    assert f"DTSTART;TZID={zone}:20261203T093000" in body
    assert f"DTEND;TZID={zone}:20261203T100000" in body
    assert f"BEGIN:VTIMEZONE\r\nTZID:{zone}" in body
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert event.decoded("dtstart") == start


@override_settings(SITE_URL=SITE)
def test_an_invitation_email_links_to_site_url(
    owner_client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/portal/{world.clinic.pk}/staff/",
            {"email": "new@alpha.test", "role": Role.FRONT_DESK},
            HTTP_HOST="localhost",
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert f"{SITE}/portal/invitations/{invitation.token}/" in mail.outbox[0].body
    assert "http://localhost" not in mail.outbox[0].body


@override_settings(SITE_URL=SITE)
def test_a_password_reset_email_links_to_site_url_not_to_the_host_header(world: World) -> None:
    response = Client().post("/portal/password/reset/", {"email": "desk@alpha.test"}, HTTP_HOST="localhost")
    assert response.status_code == 302
    [message] = mail.outbox
    link = next(line for line in message.body.splitlines() if "/portal/password/reset/" in line)
    assert link.startswith(f"{SITE}/portal/password/reset/")
    assert "localhost" not in message.body
