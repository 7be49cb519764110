"""Next available on search: soonest first, "available today / within N days", the open times as booking links.

A fixed clock throughout: Monday 2 March 2026, 8:00 in Toronto. Clinics' next openings are computed for
that moment by the availability engine (``next_open_times_refresh``); the search only reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from booking.services import appointment_book
from booking.tests.conftest import patient
from clinics.models import Discipline, ServiceKind
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from directory import selectors
from directory.search import SearchError, SearchParams
from directory.selectors import clinic_params_parse, clinic_search
from scheduling.cache import next_open_times_refresh
from scheduling.models import AvailabilityState, BookingRules, NextOpenTime
from scheduling.testing import make_hours, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 3, 2, 8, 0)  # a Monday
CENTRE = (43.6532, -79.3832)


def clinic_with_hours(name: str, *, north_km: float, days: tuple[int, ...], discipline: str = Discipline.PHYSIOTHERAPY):
    """A clinic ``north_km`` north of CENTRE whose one practitioner works 9-12 and 13-17 on ``days``."""
    city = make_city(slug=f"city-of-{name.lower()}")
    clinic = make_clinic(
        city=city, name=name, slug=name.lower(), latitude=CENTRE[0] + north_km / 111.2, longitude=CENTRE[1]
    )
    person = make_practitioner(clinic=clinic, discipline=discipline)
    if days:
        make_hours(person, days=days)
    # No minimum notice: a time stays bookable until it starts (so 9:01 hides 9:00).
    BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
    service = make_service(clinic=clinic, practitioners=[person], discipline=discipline, kind=ServiceKind.TREATMENT)
    return clinic, person, service


@pytest.fixture
def network():
    """Early: open today, 5 km away. Wednesday: open from Wednesday, nearest. Closed: no hours, 2 km away."""
    early = clinic_with_hours("Early", north_km=5, days=(0, 1, 2, 3, 4))
    wednesday = clinic_with_hours("Wednesday", north_km=0, days=(2,))
    closed = clinic_with_hours("Closed", north_km=2, days=())
    next_open_times_refresh(clinic_ids=[c.pk for c, _, _ in (early, wednesday, closed)], now=NOW)
    return {"early": early, "wednesday": wednesday, "closed": closed}


def search(now: datetime = NOW, **params):
    return clinic_search(params=SearchParams(lat=CENTRE[0], lng=CENTRE[1], radius_km=25, **params), now=now)


def names(page) -> list[str]:
    return [hit.clinic.name for hit in page.items]


def test_soonest_puts_the_earliest_open_time_first_and_clinics_without_times_last(network):
    assert names(search(sort="distance")) == ["Wednesday", "Closed", "Early"]
    assert names(search(sort="soonest")) == ["Early", "Wednesday", "Closed"]


def test_soonest_pages_go_on_past_the_clinics_with_times(network):
    pages = [names(search(sort="soonest", page=n, page_size=1)) for n in (1, 2, 3)]
    assert pages == [["Early"], ["Wednesday"], ["Closed"]]
    with pytest.raises(SearchError) as error:
        search(sort="soonest", page=4, page_size=1)
    assert error.value.field == "page"


def test_each_hit_has_its_next_available_time_and_the_next_three(network):
    hits = {hit.clinic.name: hit for hit in search().items}
    early = hits["Early"]
    assert early.next_available == toronto(2026, 3, 2, 9, 0)
    assert [t.start for t in early.next_times] == [toronto(2026, 3, 2, 9, m) for m in (0, 15, 30)]
    assert hits["Wednesday"].next_available == toronto(2026, 3, 4, 9, 0)
    assert hits["Closed"].next_available is None
    assert hits["Closed"].next_times == []


def test_a_time_names_the_practitioner_and_prefers_the_treatment_over_an_initial_assessment(network):
    clinic, person, treatment = network["early"]
    # Created later, so with a higher id: the preference, not the id, must pick it.
    treatment.delete()
    make_service(clinic=clinic, practitioners=[person], kind=ServiceKind.INITIAL, name="Initial assessment")
    follow_up = make_service(clinic=clinic, practitioners=[person], kind=ServiceKind.FOLLOW_UP)
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    (hit,) = [h for h in search().items if h.clinic == clinic]
    assert {(t.practitioner_id, t.service_id) for t in hit.next_times} == {(person.pk, follow_up.pk)}


def test_available_today_and_within_days_filter_on_the_next_open_time(network):
    assert names(search(available="today")) == ["Early"]
    assert names(search(within_days=2)) == ["Early"]  # Wednesday 9:00 is 49 hours away
    assert names(search(within_days=3)) == ["Wednesday", "Early"]
    assert names(search(within_days=3, sort="soonest")) == ["Early", "Wednesday"]
    assert search(available="today").count == 1


def test_today_ends_at_midnight_on_the_clinics_clock(network):
    clinic, *_ = network["early"]
    late_evening = toronto(2026, 3, 2, 17, 0)  # Early's Monday is over: its next time is Tuesday 9:00
    next_open_times_refresh(clinic_ids=[clinic.pk], now=late_evening)
    assert names(search(now=late_evening, available="today")) == []
    assert names(search(now=late_evening, within_days=1)) == ["Early"]


def test_the_discipline_searched_decides_the_next_available_time(network):
    clinic, *_ = network["wednesday"]
    masseuse = make_practitioner(clinic=clinic, discipline=Discipline.MASSAGE_THERAPY)
    make_hours(masseuse, days=(0,))
    make_service(clinic=clinic, practitioners=[masseuse], discipline=Discipline.MASSAGE_THERAPY)
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    any_kind = {hit.clinic.name: hit.next_available for hit in search().items}
    physio = {hit.clinic.name: hit.next_available for hit in search(discipline="physiotherapy").items}
    assert any_kind["Wednesday"] == toronto(2026, 3, 2, 9, 0)  # the massage therapist, today
    assert physio["Wednesday"] == toronto(2026, 3, 4, 9, 0)


def test_time_passing_hides_a_time_that_has_started_without_any_write(network):
    def first_time(now):
        return {hit.clinic.name: hit.next_available for hit in search(now=now).items}["Early"]

    assert first_time(toronto(2026, 3, 2, 9, 0)) == toronto(2026, 3, 2, 9, 0)
    rows = NextOpenTime.objects.count()
    assert first_time(toronto(2026, 3, 2, 9, 1)) == toronto(2026, 3, 2, 9, 15)
    assert NextOpenTime.objects.count() == rows  # read from the same rows: nothing was recomputed


def test_a_booking_moves_the_next_available_time_on_the_next_search(network, django_capture_on_commit_callbacks):
    clinic, person, service = network["early"]
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            practitioner=person, service=service, start=toronto(2026, 3, 2, 9, 0), patient=patient(), now=NOW
        )
    (hit,) = [h for h in search().items if h.clinic == clinic]
    # 9:00-9:30 is taken, so 9:15 is too (it would overlap).
    assert hit.next_available == toronto(2026, 3, 2, 9, 30)


def test_stale_clinics_of_the_page_are_recomputed_on_the_spot():
    clinic, *_ = clinic_with_hours("Never computed", north_km=1, days=(0,))
    assert not AvailabilityState.objects.filter(clinic=clinic).exists()
    (hit,) = search().items
    assert hit.next_available == toronto(2026, 3, 2, 9, 0)
    assert AvailabilityState.objects.get(clinic=clinic).fresh_until > NOW


def test_the_count_stops_at_the_cap_and_says_so(network, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    page = search(page_size=2, sort="distance")
    assert (page.count, page.count_is_capped) == (2, True)
    assert page.pages == 2  # a full page: there may be more, so a next page is offered
    last = search(page=2, page_size=2, sort="distance")
    assert names(last) == ["Early"]


@pytest.mark.parametrize("page_size", [1, 3])
def test_queries_do_not_grow_with_the_page_of_next_times(network, page_size, django_assert_max_num_queries):
    # the area's size and then the walk or (a small area like this one) its clinics' first starts; on a page it
    # does not fill, the clinics without times; the count, freshness, last shown starts, their rows, languages,
    # insurers, practitioners
    with django_assert_max_num_queries(11):
        page = search(sort="soonest", discipline="physiotherapy", page_size=page_size)
    assert len(page.items) == page_size
    # nearest first looks in up to three growing circles within 25 km: two queries more at most
    with django_assert_max_num_queries(11):
        search(sort="distance", page_size=page_size)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"available": "tomorrow"}, "available"),
        ({"within_days": "0"}, "within_days"),
        ({"within_days": "61"}, "within_days"),
        ({"within_days": "soon"}, "within_days"),
    ],
)
def test_bad_availability_parameters_say_what_to_fix(query, field):
    with pytest.raises(SearchError) as error:
        clinic_params_parse(query)
    assert error.value.field == field


def test_availability_parameters_parse():
    params = clinic_params_parse({"available": "today", "within_days": "14", "sort": "soonest"})
    assert (params.available, params.within_days, params.sort) == ("today", 14, "soonest")


# --- the API and the pages --------------------------------------------------------------------------------------


def test_the_api_gives_next_available_and_times_with_the_clinics_offset(client, network, time_machine):
    time_machine.move_to(NOW, tick=False)
    body = client.get("/api/v1/clinics", {"lat": CENTRE[0], "lng": CENTRE[1], "sort": "soonest"}).json()
    first = body["items"][0]
    _, person, service = network["early"]
    assert first["next_available"] == "2026-03-02T09:00:00-05:00"
    assert first["next_times"] == [
        {"start": f"2026-03-02T09:{m}:00-05:00", "practitioner_id": person.pk, "service_id": service.pk}
        for m in ("00", "15", "30")
    ]
    assert body["items"][-1]["next_available"] is None
    assert body["count_is_capped"] is False
    detail = client.get(f"/api/v1/clinics/{first['id']}").json()
    assert detail["next_available"] == "2026-03-02T09:00:00-05:00"


def test_the_api_speaks_newfoundland_time(client, time_machine):
    city = make_city(
        slug="st-johns",
        name="St. John's",
        province="NL",
        latitude=47.56,
        longitude=-52.71,
        time_zone="America/St_Johns",
    )
    clinic = make_clinic(city=city)
    person = make_practitioner(clinic=clinic)
    make_hours(person, days=(0, 1, 2, 3, 4))
    make_service(clinic=clinic, practitioners=[person])
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday, 8:30 in St. John's
    next_open_times_refresh(clinic_ids=[clinic.pk], now=now)
    time_machine.move_to(now, tick=False)
    body = client.get("/api/v1/clinics", {"city": "st-johns", "within_days": "3"}).json()
    assert body["items"][0]["next_available"] == "2026-12-02T10:30:00-03:30"  # after the 120 minutes' notice


def test_the_api_refuses_bad_availability_parameters(client, network):
    response = client.get("/api/v1/clinics", {"lat": CENTRE[0], "lng": CENTRE[1], "within_days": "90"})
    assert response.status_code == 400
    assert response.json()["field"] == "within_days"


def test_the_page_says_when_and_links_each_time_to_booking(client, network, time_machine):
    time_machine.move_to(NOW, tick=False)
    response = client.get(reverse("directory:search"), {"lat": CENTRE[0], "lng": CENTRE[1], "sort": "soonest"})
    html = response.content.decode()
    assert "Today 9:00 AM" in html and "in 1 hour" in html
    assert "Wed Mar 4, 9:00 AM" in html
    assert "No online booking in the next 60 days — call the clinic." in html
    _, person, service = network["early"]
    (group,) = response.context["booking_links"][network["early"][0].pk]
    assert (group["service"], group["minutes"], group["practitioner"]) == (service.name, 30, person.full_name)
    links = group["times"]
    assert [link["start"] for link in links] == [toronto(2026, 3, 2, 9, m) for m in (0, 15, 30)]
    url = urlsplit(links[0]["url"])
    assert url.path == reverse("booking:start")
    assert parse_qs(url.query) == {
        "practitioner": [str(person.pk)],
        "service": [str(service.pk)],
        "start": ["2026-03-02T09:00:00-05:00"],
    }
    assert links[0]["url"].replace("&", "&amp;") in html
    # The link works: it opens the booking form for that time (a GET holds nothing).
    started = client.get(links[0]["url"])
    assert started.status_code == 200


def test_the_filters_keep_their_state_in_the_form(client, network, time_machine):
    time_machine.move_to(NOW, tick=False)
    query = {"lat": CENTRE[0], "lng": CENTRE[1], "available": "today", "within_days": "5"}
    html = client.get(reverse("directory:search"), query).content.decode()
    assert '<option value="today" selected>' in html
    assert '<option value="5" selected>' in html  # a typed value stays selectable


def test_the_count_heading_says_plus_when_capped(client, network, monkeypatch, time_machine):
    time_machine.move_to(NOW, tick=False)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    html = client.get(reverse("directory:search"), {"lat": CENTRE[0], "lng": CENTRE[1]}).content.decode()
    assert "2+ clinics within 25 km" in html


def test_a_later_day_is_said_as_a_date(network):
    wednesday = {hit.clinic.name: hit for hit in search().items}["Wednesday"]
    assert wednesday.next_available - NOW > timedelta(days=2)
