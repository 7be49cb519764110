"""GET /api/v1/clinics/{id}/availability."""

from __future__ import annotations

import pytest
import time_machine

from clinics.models import NetworkStatus
from clinics.testing import make_service
from scheduling import cache, selectors
from scheduling.models import AvailabilityState
from scheduling.testing import local, make_open_clinic, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 12, 6, 12, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def get(client, clinic_ref, **params):
    return client.get(f"/api/v1/clinics/{clinic_ref}/availability", params)


def test_it_answers_open_times_with_the_clinics_offset_sorted_by_start(client):
    clinic, (person,), service = make_open_clinic(practitioners=1, blocks=(("09:00", "10:00"),))
    response = get(client, clinic.pk, start="2026-12-07", end="2026-12-07")
    assert response.status_code == 200
    body = response.json()
    assert body["clinic_id"] == clinic.pk
    assert body["time_zone"] == "America/Toronto"
    pairs = [("09:00", "09:30"), ("09:15", "09:45"), ("09:30", "10:00")]
    assert body["items"] == [
        {
            "start": f"2026-12-07T{a}:00-05:00",
            "end": f"2026-12-07T{b}:00-05:00",
            "practitioner_id": person.pk,
            "service_id": service.pk,
        }
        for a, b in pairs
    ]


def test_st_johns_times_carry_minus_three_thirty(client):
    clinic, _p, _s = make_open_clinic(time_zone="America/St_Johns", province="NL", blocks=(("09:00", "10:00"),))
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    body = get(client, clinic.slug, start="2026-12-07T00:00", end="2026-12-08T00:00").json()
    assert body["items"][0]["start"] == "2026-12-07T09:00:00-03:30"
    assert body["next_available"] == "2026-12-07T09:00:00-03:30"
    assert body["time_zone"] == "America/St_Johns"


def test_the_default_range_is_the_next_seven_days(client):
    clinic, _p, _s = make_open_clinic(days=(0, 1, 2, 3, 4, 5, 6), blocks=(("09:00", "09:30"),))
    body = get(client, clinic.pk).json()
    assert [item["start"][:10] for item in body["items"]] == [f"2026-12-{d:02}" for d in range(7, 14)]


def test_a_clinic_can_be_named_by_slug_and_filtered_by_service(client):
    clinic, (person,), service = make_open_clinic(blocks=(("09:00", "10:00"),))
    make_service(clinic=clinic, practitioners=[person], name="Long", duration_minutes=60)
    body = get(client, clinic.slug, service=service.pk, start="2026-12-07", end="2026-12-07").json()
    assert {item["service_id"] for item in body["items"]} == {service.pk}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-12-10", "end": "2026-12-08"}, "end must be after start"),
        ({"start": "2026-12-07", "end": "2027-03-01"}, "at most 60 days"),
        ({"service": 999999}, "offers no service 999999"),
        ({"practitioner": 999999}, "No practitioner 999999"),
        ({"discipline": "surgery"}, "discipline must be one of"),
        ({"start": "next tuesday"}, "start must be a date"),
    ],
)
def test_bad_input_gets_a_400_that_says_what_to_fix(client, params, message):
    clinic, _p, _s = make_open_clinic()
    response = get(client, clinic.pk, **params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_a_service_of_another_clinic_is_unknown_here(client):
    clinic, _p, _s = make_open_clinic()
    _other, _p, other_service = make_open_clinic()
    assert get(client, clinic.pk, service=other_service.pk).status_code == 400


def test_an_unknown_or_unlisted_clinic_is_404(client):
    assert get(client, "no-such-clinic").status_code == 404
    clinic, _p, _s = make_open_clinic()
    clinic.network_status = NetworkStatus.SUSPENDED
    clinic.save()
    assert get(client, clinic.pk).status_code == 404


def test_a_time_in_the_query_may_carry_an_offset(client):
    clinic, _p, _s = make_open_clinic(blocks=(("09:00", "10:00"),))
    start = local("America/Toronto", 2026, 12, 7, 9, 30).isoformat()
    body = get(client, clinic.pk, start=start, end="2026-12-07").json()
    assert [item["start"][11:16] for item in body["items"]] == ["09:30"]


# --- Paging -----------------------------------------------------------------------------------------------------


def walk(client, clinic_ref, **params):
    """Every page from the first, following ``next``: (items in order, number of pages)."""
    body = get(client, clinic_ref, **params).json()
    items, pages = list(body["items"]), 1
    while body["next"]:
        assert pages < 100, "the next links do not end"
        response = client.get(body["next"])
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        pages += 1
    return items, pages


def test_paging_walks_every_open_time_exactly_once(client):
    clinic, people, _service = make_open_clinic(practitioners=3, days=(0, 1, 2), blocks=(("09:00", "11:00"),))
    make_service(clinic=clinic, practitioners=people[:2], name="Long", duration_minutes=60)
    whole = get(client, clinic.pk, start="2026-12-07", end="2026-12-09", limit=500).json()
    assert whole["next"] is None
    assert len(whole["items"]) > 40  # three practitioners share every start: pages cut inside one start
    items, pages = walk(client, clinic.pk, start="2026-12-07", end="2026-12-09", limit=7)
    assert pages == -(-len(whole["items"]) // 7)
    assert items == whole["items"]


def test_the_default_request_pages_the_default_window(client):
    clinic, _people, _s = make_open_clinic(practitioners=4, days=(0, 1, 2, 3, 4, 5, 6), blocks=(("09:00", "12:00"),))
    first = get(client, clinic.pk).json()
    assert len(first["items"]) == 100
    assert first["next"].startswith(f"/api/v1/clinics/{clinic.pk}/availability?")
    assert first["next_available"] == first["items"][0]["start"]
    items, _pages = walk(client, clinic.pk)
    # 4 practitioners x 7 days x 11 starts of a 30-minute service from 09:00 to 11:30, a quarter hour apart.
    assert len(items) == 4 * 7 * 11
    assert {item["start"][:10] for item in items} == {f"2026-12-{d:02}" for d in range(7, 14)}


def test_the_next_link_keeps_the_filters_and_the_window(client):
    clinic, (_first, second), service = make_open_clinic(practitioners=2, blocks=(("09:00", "12:00"),))
    items, pages = walk(client, clinic.pk, practitioner_id=second.pk, service=service.pk, end="2026-12-08", limit=3)
    assert pages > 2
    assert {item["practitioner_id"] for item in items} == {second.pk}
    assert {item["start"][:10] for item in items} == {"2026-12-07", "2026-12-08"}
    assert items == get(client, clinic.pk, practitioner_id=second.pk, end="2026-12-08", limit=500).json()["items"]


def test_practitioner_id_gives_only_that_practitioners_times(client):
    clinic, (first, _second), _s = make_open_clinic(practitioners=2, blocks=(("09:00", "10:00"),))
    body = get(client, clinic.pk, practitioner_id=first.pk, start="2026-12-07", end="2026-12-07").json()
    assert len(body["items"]) == 3
    assert {item["practitioner_id"] for item in body["items"]} == {first.pk}


def test_a_practitioner_id_of_another_clinic_or_none_is_a_422_that_says_so(client):
    clinic, _p, _s = make_open_clinic()
    _other, (elsewhere,), _s2 = make_open_clinic()
    for unknown in (elsewhere.pk, 999999):
        response = get(client, clinic.pk, practitioner_id=unknown)
        assert response.status_code == 422
        assert f"no practitioner {unknown} works at this clinic" in response.json()["detail"]


@pytest.mark.parametrize("limit", [0, -1, 501, "many"])
def test_a_limit_out_of_range_is_a_422(client, limit):
    clinic, _p, _s = make_open_clinic()
    response = get(client, clinic.pk, limit=limit)
    assert response.status_code == 422
    assert "limit" in response.content.decode()


@pytest.mark.parametrize("cursor", ["yesterday", "1.2", "1.2.3.4", "-5.1.1"])
def test_a_malformed_cursor_is_a_422(client, cursor):
    clinic, _p, _s = make_open_clinic()
    response = get(client, clinic.pk, cursor=cursor)
    assert response.status_code == 422
    assert "cursor" in response.content.decode()


def test_the_limits_hold_at_both_ends(client):
    clinic, _p, _s = make_open_clinic(practitioners=2, days=(0, 1, 2, 3, 4, 5, 6), blocks=(("08:00", "18:00"),))
    one = get(client, clinic.pk, limit=1).json()
    assert len(one["items"]) == 1
    assert one["next"] is not None
    most = get(client, clinic.pk, limit=500).json()
    assert len(most["items"]) == 500
    assert most["items"][:1] == one["items"]


def test_a_cursor_past_the_window_gives_an_empty_last_page(client):
    clinic, _p, _s = make_open_clinic(blocks=(("09:00", "10:00"),))
    body = get(client, clinic.pk, start="2026-12-07", end="2026-12-07", cursor="4102444800.1.1").json()
    assert body["items"] == []
    assert body["next"] is None


def test_paging_is_documented_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/clinics/{clinic_ref}/availability"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"practitioner_id", "limit", "cursor", "start", "end", "service", "discipline"} <= names
    assert set(operation["responses"]) >= {"200", "400", "404", "422"}
    answer = schema["components"]["schemas"]["AvailabilityOut"]
    assert "next" in answer["required"]
    assert "next page" in answer["properties"]["next"]["description"]


def test_with_the_next_open_times_fresh_the_first_page_is_the_same_and_computes_only_its_practitioners(
    client, monkeypatch
):
    clinic, people, _service = make_open_clinic(
        practitioners=12, days=(0, 1, 2, 3, 4, 5, 6), blocks=(("09:00", "11:00"),)
    )
    make_service(clinic=clinic, practitioners=people[5:], name="Long", duration_minutes=60)
    everything, _pages = walk(client, clinic.pk, limit=500)  # no cache yet: everyone computed
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    asked = []
    real = selectors.open_times_list

    def spy(**kwargs):
        asked.append(kwargs.get("practitioner_ids"))
        return real(**kwargs)

    monkeypatch.setattr(selectors, "open_times_list", spy)
    body = get(client, clinic.pk, limit=10).json()
    assert body["items"] == everything[:10]
    assert body["next_available"] == everything[0]["start"]
    # Twelve practitioners share every start: only those with the first eleven times (one more than the page)
    # are computed, once.
    first = sorted({item["practitioner_id"] for item in everything[:11]})
    assert asked == [first]
    assert len(first) < len(people)
    items, _pages = walk(client, clinic.pk, limit=10)
    assert items == everything


def test_a_stale_cache_is_not_trusted_for_the_first_page(client, monkeypatch):
    clinic, _people, _s = make_open_clinic(practitioners=6, blocks=(("09:00", "11:00"),))
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    AvailabilityState.objects.filter(clinic_id=clinic.pk).update(fresh_until=NOW)
    asked = []
    real = selectors.open_times_list

    def recording(**kwargs):
        asked.append(kwargs.get("practitioner_ids"))
        return real(**kwargs)

    monkeypatch.setattr(selectors, "open_times_list", recording)
    get(client, clinic.pk, limit=3)
    assert asked and all(pids is None for pids in asked)
