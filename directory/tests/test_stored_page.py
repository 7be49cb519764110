"""The whole clinic page, stored for visitors without a session (directory/page_cache.py, CLINIC_PAGE_CACHE_SECONDS).

A stored page is read with one query (the clinic's stamp); every write that changes the open times replaces the
token it is stored under, so the next visit shows the change; time alone (midnight, the minimum notice, a lapsing
hold) bounds how long it is kept; each visitor gets their own CSRF token; someone with a session gets a live page.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Appointment
from booking.services import appointment_book, appointment_cancel, hold_create
from directory import page_cache
from painhero.testing import NOW, SLOT, World, at, patient
from scheduling.services import time_off_add

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="(\w+)"')


@pytest.fixture(autouse=True)
def _stored(settings, world, time_machine):
    settings.CLINIC_PAGE_CACHE_SECONDS = 30
    # Half a minute past NOW: at NOW exactly the first time shown (10:00) sits on its two-hour notice and leaves
    # the page the next instant, so a page rendered then is true for no time at all and is not stored.
    time_machine.move_to(NOW + timedelta(seconds=30), tick=False)


def url(world: World) -> str:
    page = reverse("directory:detail", kwargs={"city_slug": world.clinic.city.slug, "clinic_slug": world.clinic.slug})
    # chen alone, so a time chen loses leaves the page (with "any practitioner", lee would still offer it)
    return f"{page}?service={world.service.pk}&practitioner={world.chen.pk}"


def offers(html: str, moment) -> bool:
    return quote(moment.isoformat(), safe="") in html


def visit(client: Client, world: World) -> str:
    response = client.get(url(world))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visit_is_the_stored_page_read_with_one_query(world, client, django_assert_num_queries):
    first = visit(client, world)
    assert offers(first, SLOT)
    with django_assert_num_queries(1):  # the clinic's stamp (its version); the rest is the cache
        again = visit(Client(), world)
    assert CSRF.sub("", again) == CSRF.sub("", first)


def test_with_the_setting_at_zero_every_visit_is_rendered(world, client, settings, django_assert_max_num_queries):
    settings.CLINIC_PAGE_CACHE_SECONDS = 0
    visit(client, world)
    with pytest.raises(pytest.fail.Exception), django_assert_max_num_queries(1):
        visit(Client(), world)


def test_each_visitor_gets_their_own_csrf_token_and_the_language_switch_works(world):
    visit(Client(), world)  # stored
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = visit(visitor, world)
        assert page_cache.CSRF_PLACEHOLDER not in html
        found = CSRF.search(html)
        assert found is not None
        token = found.group(1)
        tokens.append(token)
        answer = visitor.post(reverse("set_language"), {"language": "fr", "next": "/fr/", "csrfmiddlewaretoken": token})
        assert answer.status_code == 302, "the stored page's form posts with this visitor's token"
    assert tokens[0] != tokens[1]


def test_a_booking_takes_its_time_off_the_stored_page_at_once(world, django_capture_on_commit_callbacks):
    assert offers(visit(Client(), world), SLOT)
    with django_capture_on_commit_callbacks(execute=True):
        booked = appointment_book(
            practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW
        ).appointment
    assert not offers(visit(Client(), world), SLOT)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked, now=NOW, source="web")
    assert offers(visit(Client(), world), SLOT), "a cancellation gives it back at once too"


def test_a_hold_takes_its_time_off_the_stored_page(world, django_capture_on_commit_callbacks):
    assert offers(visit(Client(), world), SLOT)
    with django_capture_on_commit_callbacks(execute=True):
        hold_create(practitioner=world.chen, service=world.service, start=SLOT, now=NOW, owner_key="someone")
    assert not offers(visit(Client(), world), SLOT)


def test_a_schedule_change_shows_on_the_next_visit(world, django_capture_on_commit_callbacks):
    assert offers(visit(Client(), world), SLOT)
    with django_capture_on_commit_callbacks(execute=True):
        time_off_add(practitioner=world.chen, start=SLOT - timedelta(hours=1), end=SLOT + timedelta(hours=2), now=NOW)
    assert not offers(visit(Client(), world), SLOT)


def test_a_visitor_with_a_session_gets_a_page_of_their_own(world, owner_client):
    assert offers(visit(Client(), world), SLOT)  # stored
    # Written past the services (no token replaced): only a page rendered for this request can know of it.
    Appointment.objects.create(
        clinic=world.clinic,
        practitioner=world.chen,
        service=world.service,
        start=SLOT,
        end=SLOT + timedelta(minutes=world.service.duration_minutes),
        patient_name="Written directly",
        patient_email="direct@example.com",
        consented_at=NOW,
    )
    assert offers(visit(Client(), world), SLOT), "a visitor without a session gets the stored page"
    assert not offers(visit(owner_client, world), SLOT), "someone signed in gets a page rendered for them"


def test_a_page_is_kept_no_longer_than_time_alone_leaves_it_true(world):
    clinic = world.clinic.pk

    def seconds(now, first_time_leaves_at=None):
        return page_cache.stored_page_seconds(
            clinic_id=clinic, zone=TORONTO, first_time_leaves_at=first_time_leaves_at, now=now
        )

    assert seconds(NOW) == 30  # CLINIC_PAGE_CACHE_SECONDS
    # the first time shown reaches its notice in 10 seconds; exactly on it, the page is not worth storing
    first_leaves = SLOT - timedelta(hours=2)
    assert seconds(first_leaves - timedelta(seconds=10), first_leaves) == 10
    assert seconds(first_leaves, first_leaves) == 0
    # midnight in the clinic's zone: "Today" moves
    assert seconds(at(23, 59) + timedelta(seconds=45)) == 15
    # a hold lapsing gives its time back without a write
    hold = hold_create(practitioner=world.lee, service=world.service, start=SLOT, now=NOW, owner_key="x")
    assert seconds(hold.expires_at - timedelta(seconds=12)) == 12
    assert seconds(hold.expires_at) == 30, "a lapsed hold bounds nothing"


def test_each_language_has_its_own_stored_page(world):
    english_url = url(world)  # reversed in English: after a French request the test's thread speaks French
    pages = [Client().get(path).content.decode() for path in (english_url, "/fr" + english_url, english_url)]
    assert ['<html lang="en"' in pages[0], '<html lang="fr"' in pages[1], '<html lang="en"' in pages[2]] == [True] * 3


def test_a_first_visit_reads_the_clinics_stamp_once(world, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def stamps() -> int:
        with CaptureQueriesContext(connection) as queries:
            visit(Client(), world)
        return sum('"practitioners_active"' in q["sql"] for q in queries.captured_queries)

    assert stamps() == 1  # stored: the lookup's stamp serves the render too
    settings.CLINIC_PAGE_CACHE_SECONDS = 0
    assert stamps() == 1
