"""Search answers near a point, kept in the shared cache (directory/search_cache.py, SEARCH_CACHE_SECONDS).

A repeated search is read from the cache without a query; every write that changes what it shows (a booking, a
hold, a cancellation, a schedule change, the clinic's record) replaces its area's token, so the next search is
computed; a write in another area leaves it standing; time alone bounds how long it is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils.dateparse import parse_datetime

from booking.models import Actor
from booking.services import appointment_book, appointment_cancel, hold_create
from directory import search_cache
from directory.search import SearchParams
from painhero.testing import NOW, World, patient
from scheduling.models import NextOpenTime
from scheduling.services import time_off_add

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/clinics"
QUERY = {"lat": "43.6532", "lng": "-79.3832", "radius_km": "25", "sort": "soonest"}


@pytest.fixture(autouse=True)
def _kept(settings, world, time_machine):
    settings.SEARCH_CACHE_SECONDS = 10
    # Half a minute past NOW: at NOW exactly the first time shown (10:00) sits on its two-hour notice and leaves
    # the answer the next instant, so an answer computed then is true for no time at all and is not kept.
    time_machine.move_to(NOW + timedelta(seconds=30), tick=False)


def search(query: dict[str, str] | None = None) -> dict[str, Any]:
    response = Client().get(SEARCH, query or QUERY)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def times_of(body: dict[str, Any], clinic_id: int) -> list[tuple[str, int]]:
    for item in body["items"]:
        if item["id"] == clinic_id:
            return [(t["start"], t["practitioner_id"]) for t in item["next_times"]]
    return []


def first_time(world: World, body: dict[str, Any]) -> tuple[datetime, int]:
    start, practitioner_id = times_of(body, world.clinic.pk)[0]
    parsed = parse_datetime(start)
    assert parsed is not None
    return parsed, practitioner_id


def test_a_repeated_search_is_read_from_the_cache_without_a_query(world, django_assert_num_queries):
    first = search()
    assert times_of(first, world.clinic.pk), "the clinic has open times to show"
    with django_assert_num_queries(0):
        again = search()
    assert again == first


def test_with_the_setting_at_zero_every_search_is_computed(world, settings, django_assert_max_num_queries):
    settings.SEARCH_CACHE_SECONDS = 0
    search()
    with pytest.raises(pytest.fail.Exception), django_assert_max_num_queries(0):
        search()


def test_a_booking_in_the_area_shows_on_the_next_search(world, django_capture_on_commit_callbacks):
    start, practitioner_id = first_time(world, search())
    assert practitioner_id == world.chen.pk
    with django_capture_on_commit_callbacks(execute=True):
        booked = appointment_book(
            practitioner=world.chen, service=world.service, start=start, patient=patient(), now=NOW
        ).appointment
    after = search()
    assert (start.isoformat().replace("+00:00", "Z"), world.chen.pk) not in times_of(after, world.clinic.pk)
    assert first_time(world, after) == (start, world.lee.pk), "lee still has that time"
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked, now=NOW, actor=Actor.STAFF, source="portal")
    assert first_time(world, search()) == (start, world.chen.pk), "a cancellation gives it back at once too"


def test_a_hold_and_a_schedule_change_show_on_the_next_search(world, django_capture_on_commit_callbacks):
    start, _ = first_time(world, search())
    with django_capture_on_commit_callbacks(execute=True):
        hold_create(practitioner=world.chen, service=world.service, start=start, now=NOW, owner_key="someone")
    assert first_time(world, search()) == (start, world.lee.pk)
    with django_capture_on_commit_callbacks(execute=True):
        time_off_add(practitioner=world.lee, start=start - timedelta(hours=1), end=start + timedelta(hours=3), now=NOW)
    assert first_time(world, search())[0] > start, "neither can take that time now"


def test_the_clinics_record_changed_shows_on_the_next_search(world, django_capture_on_commit_callbacks):
    search()
    with django_capture_on_commit_callbacks(execute=True):
        world.clinic.name = "Alpha Physio and Massage"
        world.clinic.save()
    names = {item["id"]: item["name"] for item in search()["items"]}
    assert names[world.clinic.pk] == "Alpha Physio and Massage"


def test_a_write_in_another_area_leaves_toronto_read_from_the_cache(
    world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    world.other_clinic.latitude, world.other_clinic.longitude = 49.2827, -123.1207
    world.other_clinic.save()
    search({**QUERY, "lat": "49.2827", "lng": "-123.1207"})  # computes Bravo's next open times
    first = search()
    start = NextOpenTime.objects.filter(clinic=world.other_clinic).order_by("start").values_list("start", flat=True)[0]
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            practitioner=world.other_practitioner, service=world.other_service, start=start, patient=patient(), now=NOW
        )
    with django_assert_num_queries(0):
        assert search() == first


def test_an_answer_is_kept_no_longer_than_time_alone_leaves_it_true(world, settings, time_machine):
    settings.SEARCH_CACHE_SECONDS = 60
    search()  # computes the clinics' next open times
    ids = [world.clinic.pk, world.other_clinic.pk]
    leaves = NextOpenTime.objects.filter(clinic_id__in=ids).order_by("bookable_until")[0].bookable_until
    assert search_cache.answer_seconds(clinic_ids=ids, now=leaves - timedelta(seconds=20)) == 20
    assert search_cache.answer_seconds(clinic_ids=ids, now=leaves - timedelta(hours=1)) == 60, "at most the setting"
    assert search_cache.answer_seconds(clinic_ids=[], now=NOW) == 60
    start, _ = first_time(world, search())
    hold = hold_create(
        practitioner=world.chen, service=world.service, start=start + timedelta(days=1), now=NOW, owner_key="someone"
    )
    later = hold.expires_at - timedelta(seconds=15)
    next_leaves = (
        NextOpenTime.objects.filter(clinic_id__in=ids, bookable_until__gte=later)
        .order_by("bookable_until")[0]
        .bookable_until
    )
    assert next_leaves - later > timedelta(seconds=15), "the hold lapses first"
    assert search_cache.answer_seconds(clinic_ids=ids, now=later) == 15, "a lapsing hold gives its time back"


def test_only_searches_around_a_point_within_50_km_are_kept(world):
    near = SearchParams(lat=43.65, lng=-79.38, radius_km=25)
    assert search_cache.answer_key(near) is not None
    assert search_cache.answer_key(SearchParams(lat=43.65, lng=-79.38, radius_km=250)) is None
    assert search_cache.answer_key(SearchParams(city="toronto")) is None
    assert search_cache.answer_key(SearchParams(lat=43.65, lng=-79.38, city="toronto", in_city=True)) is None
    other = SearchParams(lat=43.65, lng=-79.38, radius_km=25, discipline="physiotherapy")
    assert search_cache.answer_key(other) != search_cache.answer_key(near), "the parameters are part of the key"
