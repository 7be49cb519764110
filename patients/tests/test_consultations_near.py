"""The soonest free consultations near the patient (issue 12): nearest clinics first, the circle widening for a
patient far from any, and a place that cannot be read said plainly."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from booking.tests.test_free_consultation import free_consultation
from clinics.testing import make_city, make_clinic, make_practitioner
from painhero.testing import NOW, World
from patients.consultation import free_consultations_soonest
from patients.tests.test_booking_with_intake import _answered
from scheduling.testing import make_hours

HALIFAX = (44.64533, -63.57239)
TRURO = (45.36685, -63.26538)  # about 85 km north of Halifax


@pytest.fixture
def halifax(world: World) -> Any:
    """A Halifax clinic with a free consultation, beside the world's Toronto clinic (which offers one too)."""
    city = make_city(
        name="Halifax", name_fr="Halifax", province="NS", time_zone="America/Halifax",
        latitude=HALIFAX[0], longitude=HALIFAX[1], slug="halifax", population=400_000,
    )  # fmt: skip
    clinic = make_clinic(name="Harbour Physio", city=city)
    therapist = make_practitioner(clinic=clinic, first_name="Nora", last_name="Scotia")
    make_hours(therapist, blocks=(("08:00", "18:00"),))
    free_consultation(clinic, [therapist])
    free_consultation(world.clinic, [world.chen])
    return clinic


def _names(offers: list[Any]) -> list[str]:
    return [offer.clinic.name for offer in offers]


def test_without_a_place_every_province_is_offered(halifax: Any) -> None:
    offers = free_consultations_soonest(disciplines=[], province="", now=NOW)
    assert sorted(_names(offers)) == ["Alpha Physio", "Harbour Physio"]


def test_near_halifax_the_halifax_clinic_is_offered_and_toronto_1200_km_away_is_not(halifax: Any) -> None:
    offers = free_consultations_soonest(disciplines=[], province="", near=HALIFAX, now=NOW)
    assert _names(offers) == ["Harbour Physio"]
    assert offers[0].distance_km is not None and offers[0].distance_km < 1


def test_a_patient_far_from_any_clinic_gets_the_nearest_as_the_circle_widens(halifax: Any) -> None:
    offers = free_consultations_soonest(disciplines=[], province="", near=TRURO, now=NOW)
    assert _names(offers) == ["Harbour Physio"]
    assert offers[0].distance_km is not None and 70 < offers[0].distance_km < 100


def test_near_a_place_the_province_is_not_asked(halifax: Any) -> None:
    """A patient near a border may be nearest a clinic across it: the place wins over the province."""
    offers = free_consultations_soonest(disciplines=[], province="ON", near=HALIFAX, now=NOW)
    assert _names(offers) == ["Harbour Physio"]


def test_the_page_takes_a_typed_city_and_says_whose_nearest_it_shows(client: Client, halifax: Any) -> None:
    record = _answered(client)
    page = client.get(f"/what-hurts/answer/{record.public_id}/consultations/?where=halif")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Harbour Physio" in html and "Alpha Physio" not in html
    assert "nearest to Halifax" in html and "km away" in html


def test_the_page_takes_a_position_from_near_me(client: Client, halifax: Any) -> None:
    record = _answered(client)
    page = client.get(f"/what-hurts/answer/{record.public_id}/consultations/?lat={TRURO[0]}&lng={TRURO[1]}")
    assert "Harbour Physio" in page.content.decode() and "Alpha Physio" not in page.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("where=Atlantis", "We could not find a Canadian city called “Atlantis”"),
        ("lat=abc&lng=1", "Your position could not be read"),
        ("lat=nan&lng=nan", "Your position could not be read"),
        ("lat=95&lng=10", "Your position could not be read"),
    ],
)
def test_a_place_that_cannot_be_read_is_said_and_every_clinic_still_shown(
    client: Client, halifax: Any, query: str, message: str
) -> None:
    record = _answered(client)
    page = client.get(f"/what-hurts/answer/{record.public_id}/consultations/?{query}")
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html
    assert "Harbour Physio" in html and "Alpha Physio" in html


def test_the_answer_pages_button_carries_the_place_to_the_consultations(client: Client, halifax: Any) -> None:
    record = _answered(client)
    chosen = client.post(f"/what-hurts/answer/{record.public_id}/consult/", {"city": "halifax", "province": "XX"})
    assert chosen.status_code == 302
    assert chosen["Location"].endswith("/consultations/?city=halifax")
    assert "Alpha Physio" not in client.get(chosen["Location"]).content.decode()
