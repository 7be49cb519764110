from __future__ import annotations

import csv
import io
from datetime import UTC
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from booking.emails import appointment_email_build
from painhero.testing import World, at, day
from portal.auth_services import calendar_feed_get
from portal.models import AuditEntry, CalendarFeed

from .conftest import Visits

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")


def test_the_csv_export_lists_the_clinics_appointments_in_its_zone_without_notes(
    colleague_client: Client, world: World, visits: Visits
) -> None:
    visits.colleague_appointment.patient_name = "=HYPERLINK(evil)"
    visits.colleague_appointment.save()
    response = colleague_client.get(f"/portal/{world.clinic.pk}/exports/appointments.csv?start={day(-1)}&end={day()}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["patient"] for r in rows] == ["Ada Alpha", "'=HYPERLINK(evil)"]
    assert rows[0]["start"] == at(10).isoformat()
    assert "knee" not in response.content.decode()
    assert AuditEntry.objects.filter(action="appointments.exported", user=world.colleague).count() == 1


def test_the_csv_export_refuses_a_backwards_range_with_a_message(colleague_client: Client, world: World) -> None:
    response = colleague_client.get(f"/portal/{world.clinic.pk}/exports/appointments.csv?start={day(3)}&end={day(-1)}")
    assert response.status_code == 400
    assert "before the start date" in response.content.decode()


def test_a_practitioner_cannot_export(practitioner_client: Client, world: World) -> None:
    url = f"/portal/{world.clinic.pk}/exports/appointments.csv?start={day(-1)}&end={day()}"
    assert practitioner_client.get(url).status_code == 404


def test_a_practitioners_feed_has_their_appointments_and_no_patient_details(
    practitioner_client: Client, world: World
) -> None:
    feeds = f"/portal/{world.clinic.pk}/feeds/"
    assert "Create an address" in practitioner_client.get(feeds).content.decode()
    assert not CalendarFeed.objects.exists()  # looking at the page creates nothing (no GET changes state)
    created = practitioner_client.post(f"{feeds}{world.chen.pk}/reissue/", follow=True).content.decode()
    assert "The calendar address is ready." in created
    feed = CalendarFeed.objects.get(practitioner=world.chen)
    assert f"/portal/feeds/{feed.token}.ics" in practitioner_client.get(feeds).content.decode()
    assert not CalendarFeed.objects.filter(practitioner=world.lee).exists()  # a practitioner sees only theirs
    response = Client().get(f"/portal/feeds/{feed.token}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    # The same summary as the patient's email attachment (booking.ics): the service and the clinic.
    assert [str(e["summary"]) for e in events] == ["Physiotherapy follow-up — Alpha Physio"]
    body = response.content.decode()
    assert "Ada" not in body and "knee" not in body and "ada@example.org" not in body


def test_reissuing_a_feed_revokes_the_old_address(owner_client: Client, world: World) -> None:
    old = CalendarFeed.objects.create(practitioner=world.chen).token
    assert owner_client.post(f"/portal/{world.clinic.pk}/feeds/{world.chen.pk}/reissue/").status_code == 302
    new = CalendarFeed.objects.get(practitioner=world.chen).token
    assert new != old
    assert Client().get(f"/portal/feeds/{old}.ics").status_code == 404
    assert Client().get(f"/portal/feeds/{new}.ics").status_code == 200
    assert AuditEntry.objects.filter(action="calendar_feed.reissued").count() == 1


def test_the_owner_reads_the_activity_paginated_and_filtered_by_user(
    owner_client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    AuditEntry.objects.bulk_create(
        [AuditEntry(clinic=world.clinic, user=world.colleague, action="x.desk", summary=f"desk {n}") for n in range(55)]
        + [AuditEntry(clinic=world.clinic, user=world.owner, action="x.owner", summary="owner did it")]
        + [AuditEntry(clinic=world.other_clinic, user=world.outsider, action="x.b", summary="bravo did it")]
    )
    url = f"/portal/{world.clinic.pk}/activity/"
    with django_assert_max_num_queries(10):
        first = owner_client.get(url).content.decode()
    assert "Page 1 of 2" in first and "bravo did it" not in first
    only_owner = owner_client.get(f"{url}?user={world.owner.pk}").content.decode()
    assert "owner did it" in only_owner and "desk 3" not in only_owner
    assert "bravo did it" not in owner_client.get(f"{url}?user={world.outsider.pk}").content.decode()


def test_the_feed_and_the_patients_email_describe_an_appointment_with_the_same_event(
    world: World, visits: Visits
) -> None:
    appointment = visits.appointment
    message = appointment_email_build("created", {"appointment_id": appointment.pk})
    assert message is not None
    (_name, attachment, _mimetype) = message.attachments[0]
    token = calendar_feed_get(practitioner=world.chen).token
    feed = Client().get(f"/portal/feeds/{token}.ics").content

    def fields(ics: bytes | str) -> dict[str, Any]:
        (event,) = [
            e
            for e in Calendar.from_ical(ics).walk("VEVENT")
            if str(e["uid"]) == f"appointment-{appointment.pk}@painhero"
        ]
        return {
            "uid": str(event["uid"]),
            "dtstart": event.decoded("dtstart").astimezone(UTC),
            "dtend": event.decoded("dtend").astimezone(UTC),
            "summary": str(event["summary"]),
            "location": str(event["location"]),
        }

    from_email, from_feed = fields(attachment), fields(feed)
    assert from_email == from_feed
    assert from_feed["dtstart"] == appointment.start == at(10)
    assert from_feed["summary"] == "Physiotherapy follow-up — Alpha Physio"
    assert from_feed["location"].startswith(world.clinic.address)
