"""GET /api/v1/clinics/{id}/availability."""

from __future__ import annotations

import pytest
import time_machine

from clinics.models import NetworkStatus
from clinics.testing import make_service
from scheduling import cache
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
