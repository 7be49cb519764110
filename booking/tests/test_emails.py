"""The emails a patient gets, read as rendered: the clinic's wall-clock time in every Canadian zone,
links from SITE_URL, and everything in the language the patient booked in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client, override_settings

from booking.models import Actor, Appointment
from booking.services import appointment_book, appointment_cancel, appointment_reschedule
from clinics.models import Clinic, Practitioner, Service
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from notifications.services import outbox_sweep
from painhero.formats import zone_name
from painhero.testing import patient
from scheduling.testing import EVERY_DAY, make_hours

SITE = "https://painhero.example"

# One city per Canadian zone (St. John's is UTC-3:30; Regina and Whitehorse keep one offset all year).
ZONES = [
    ("St. John's", "NL", "America/St_Johns"),
    ("Stewiacke", "NS", "America/Halifax"),
    ("Toronto", "ON", "America/Toronto"),
    ("Winnipeg", "MB", "America/Winnipeg"),
    ("Regina", "SK", "America/Regina"),
    ("Edmonton", "AB", "America/Edmonton"),
    ("Vancouver", "BC", "America/Vancouver"),
    ("Whitehorse", "YT", "America/Whitehorse"),
]
# A Wednesday in standard time and one after the spring change (14 March 2027); neither is a holiday.
DAYS = [(2027, 3, 3), (2027, 3, 24)]
# The emails are read on both sides of the spring change, so this file's clock is not the world's: it sits on the
# Tuesday before the first day, close enough that both days are bookable.
NOW = datetime(2027, 3, 2, 14, 0, tzinfo=UTC)


@dataclass
class Place:
    clinic: Clinic
    practitioner: Practitioner
    service: Service
    zone: ZoneInfo


def make_place(city: str, province: str, zone: str) -> Place:
    clinic = make_clinic(city=make_city(name=city, name_fr=city, province=province, time_zone=zone))
    practitioner = make_practitioner(clinic=clinic)
    service = make_service(clinic=clinic, practitioners=[practitioner])
    make_hours(practitioner, days=EVERY_DAY, blocks=(("08:00", "18:00"),))
    return Place(clinic=clinic, practitioner=practitioner, service=service, zone=ZoneInfo(zone))


def local(place: Place, day: tuple[int, int, int], hour: int, minute: int = 0) -> datetime:
    return datetime(*day, hour, minute, tzinfo=place.zone)


def book(place: Place, start: datetime, **extra: Any) -> Appointment:
    return appointment_book(
        practitioner=place.practitioner, service=place.service, start=start, patient=patient(), now=NOW, **extra
    ).appointment


def book_move_cancel(appointment: Appointment, start: datetime) -> list[EmailMultiAlternatives]:
    """The three emails, each delivered right after its change (the worker renders what is current)."""
    confirmed = delivered()
    # By the clinic: the patient's own online window has closed this close to the visit.
    appointment_reschedule(appointment=appointment, start=start, now=NOW, actor=Actor.STAFF, source="portal")
    moved = delivered()
    appointment_cancel(appointment=appointment, now=NOW, actor=Actor.STAFF, source="portal")
    cancelled = delivered()
    return [*confirmed, *moved, *cancelled]


def delivered() -> list[EmailMultiAlternatives]:
    """Deliver the outbox as the worker does, and return what went out since the last call."""
    outbox_sweep(now=NOW)
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent  # type: ignore[return-value]


def html_of(message: EmailMultiAlternatives) -> str:
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return str(html)


def ics_of(message: EmailMultiAlternatives) -> tuple[str, Any]:
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    raw = content.decode() if isinstance(content, bytes) else content
    return raw, icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]


@pytest.fixture
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.mark.parametrize("day", DAYS, ids=["standard-time", "daylight-time"])
@pytest.mark.parametrize(("city", "province", "zone"), ZONES, ids=[z[2] for z in ZONES])
def test_every_email_shows_the_clinics_wall_clock_time_in_its_zone(
    db: Any, frozen: None, city: str, province: str, zone: str, day: tuple[int, int, int]
) -> None:
    place = make_place(city, province, zone)
    appointment = book(place, local(place, day, 9, 30))
    confirmed, moved, cancelled = book_move_cancel(appointment, local(place, day, 11))

    for message in (confirmed, html_of(confirmed)):
        text = message if isinstance(message, str) else message.body
        assert f"9:30 AM – 10:00 AM ({zone_name(zone)})" in text
    for text in (moved.body, html_of(moved)):
        assert f"11:00 AM – 11:30 AM ({zone_name(zone)})" in text
        assert ", 9:30 AM" in text, "the time it was moved from, also on the clinic's clock"
    assert "Was: Wednesday" in moved.body and ", 9:30 AM\n" in moved.body
    for text in (cancelled.body, html_of(cancelled)):
        assert f"11:00 AM – 11:30 AM ({zone_name(zone)})" in text

    expected = [(confirmed, 9, 30, "CONFIRMED"), (moved, 11, 0, "CONFIRMED"), (cancelled, 11, 0, "CANCELLED")]
    for message, hour, minute, status in expected:
        raw, event = ics_of(message)
        assert f"DTSTART;TZID={zone}:{day[0]}{day[1]:02d}{day[2]:02d}T{hour:02d}{minute:02d}00" in raw
        assert f"BEGIN:VTIMEZONE\r\nTZID:{zone}" in raw, "the zone's rules travel with the file"
        assert event.decoded("dtstart") == local(place, day, hour, minute)
        assert str(event["status"]) == status


def test_a_halifax_visit_at_930_is_not_shown_at_830_eastern_time(db: Any, frozen: None) -> None:
    place = make_place("Stewiacke", "NS", "America/Halifax")
    book(place, local(place, DAYS[0], 9, 30))
    [message] = delivered()
    assert "8:30" not in message.body and "8:30" not in html_of(message)
    assert "Wednesday, March 3, 2027, 9:30 AM – 10:00 AM (Atlantic time)" in message.body


@override_settings(SITE_URL=SITE)
def test_every_link_in_the_emails_and_the_calendar_file_starts_with_site_url(db: Any, frozen: None) -> None:
    place = make_place("Toronto", "ON", "America/Toronto")
    appointment = book(place, local(place, DAYS[0], 10))
    appointment_cancel(appointment=appointment, now=NOW, actor=Actor.STAFF, source="portal")
    manage = f"{SITE}/appointments/{appointment.manage_token}/"
    for message in delivered():
        assert manage in message.body
        assert f'href="{manage}"' in html_of(message)
        assert "127.0.0.1" not in message.body + html_of(message)
        _raw, event = ics_of(message)
        assert str(event["url"]) == manage
        assert manage in str(event["description"])


@override_settings(SITE_URL="http://localhost:8123")
def test_the_api_answers_a_manage_url_on_site_url_whatever_the_host_header(db: Any, frozen: None) -> None:
    place = make_place("Toronto", "ON", "America/Toronto")
    response = Client(HTTP_HOST="testserver").post(
        "/api/v1/appointments",
        {
            "practitioner_id": place.practitioner.pk,
            "service_id": place.service.pk,
            "start": local(place, DAYS[0], 10).isoformat(),
            "patient": {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "416 555 0123"},
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )
    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get()
    assert response.json()["manage_url"] == f"http://localhost:8123/appointments/{appointment.manage_token}/"


@override_settings(SITE_URL=SITE)
def test_a_french_booking_gets_french_emails_calendar_files_and_fr_links(db: Any, frozen: None) -> None:
    place = make_place("Stewiacke", "NS", "America/Halifax")
    appointment = book(place, local(place, DAYS[0], 9, 30), language="fr")
    assert appointment.language == "fr"
    confirmed, moved, cancelled = book_move_cancel(appointment, local(place, DAYS[0], 11))
    manage = f"{SITE}/fr/appointments/{appointment.manage_token}/"

    assert confirmed.subject.startswith("Votre rendez-vous est confirmé")
    assert moved.subject.startswith("Votre rendez-vous a été déplacé")
    assert cancelled.subject.startswith("Votre rendez-vous est annulé")
    assert "mercredi 3 mars 2027, 9 h 30 – 10 h 00 (l’heure de l’atlantique)" in confirmed.body.lower()
    assert "Suivi en physiothérapie" in confirmed.body  # the service's French name
    for message in (confirmed, moved, cancelled):
        assert manage in message.body and f'href="{manage}"' in html_of(message)
        assert "What to bring" not in message.body and "Where" not in html_of(message)
        _raw, event = ics_of(message)
        assert str(event["summary"]).startswith("Suivi en physiothérapie")
        assert str(event["description"]).startswith("Gérer votre rendez-vous")
        assert str(event["url"]) == manage


def test_an_english_booking_stays_english_while_the_worker_runs_in_french(db: Any, frozen: None) -> None:
    from django.utils import translation

    place = make_place("Toronto", "ON", "America/Toronto")
    book(place, local(place, DAYS[0], 10), language="en")
    with translation.override("fr"):
        [message] = delivered()
    assert message.subject.startswith("Your appointment is confirmed")
    assert "/fr/" not in message.body


@pytest.mark.parametrize(
    ("extra", "language"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9"}, "fr"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-CA"}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-CA", "body": {"language": "fr"}}, "fr"),
        ({"body": {"language": "FR-ca"}}, "fr"),
    ],
    ids=["accept-language-fr", "accept-language-en", "language-field-wins", "language-field-any-case"],
)
def test_the_api_stores_the_patients_language_from_the_body_or_accept_language(
    db: Any, frozen: None, extra: dict[str, Any], language: str
) -> None:
    place = make_place("Toronto", "ON", "America/Toronto")
    body = {
        "practitioner_id": place.practitioner.pk,
        "service_id": place.service.pk,
        "start": local(place, DAYS[0], 10).isoformat(),
        "patient": {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "416 555 0123"},
    } | extra.pop("body", {})
    response = Client().post(
        "/api/v1/appointments", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **extra
    )
    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get()
    assert appointment.language == language
    assert ("/fr/appointments/" in response.json()["manage_url"]) == (language == "fr")


def test_the_api_refuses_a_language_it_cannot_write_in_with_a_clear_422(db: Any, frozen: None) -> None:
    place = make_place("Toronto", "ON", "America/Toronto")
    response = Client().post(
        "/api/v1/appointments",
        {
            "practitioner_id": place.practitioner.pk,
            "service_id": place.service.pk,
            "start": local(place, DAYS[0], 10).isoformat(),
            "patient": {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "416 555 0123"},
            "language": "de",
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "language: use one of en, fr."
    assert not Appointment.objects.exists()


def test_the_french_booking_form_stores_french(db: Any, frozen: None) -> None:
    place = make_place("Stewiacke", "NS", "America/Halifax")
    client = Client()
    start = local(place, DAYS[0], 9, 30).isoformat().replace("+", "%2B")
    url = f"/fr/book/?practitioner={place.practitioner.pk}&service={place.service.pk}&start={start}"
    form = client.get(url).context["form"]
    details = {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "902 555 0123", "first_visit": "1"}
    response = client.post(url, details | {"consent": "on", "form_token": form.initial["form_token"]})
    assert response.status_code == 302, response.context["form"].errors
    appointment = Appointment.objects.get()
    assert appointment.language == "fr"
    assert response["Location"].startswith(f"/fr/appointments/{appointment.manage_token}/")
    [message] = delivered()
    assert message.subject.startswith("Votre rendez-vous est confirmé")
    assert "9 h 30 – 10 h 00 (l’heure de l’Atlantique)" in message.body
    assert f"/fr/appointments/{appointment.manage_token}/" in message.body


def test_the_database_refuses_an_unknown_language(db: Any) -> None:
    from django.db import IntegrityError, transaction

    place = make_place("Toronto", "ON", "America/Toronto")
    appointment = book(place, local(place, DAYS[0], 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(language="de")
