"""Search items carry the clinic's inspection score and its stored rating (issue 14), read in the page's query."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinics.testing import make_city, make_clinic
from directory.schemas import ClinicPageOut
from painhero.testing import NOW
from quality.models import ClinicRating

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return make_city(name="Toronto", slug="toronto", latitude=43.65, longitude=-79.38)


def test_a_search_item_has_the_score_and_the_stored_rating(client, city):
    rated = make_clinic(city=city, name="Rated", latitude=43.651, longitude=-79.38, inspection_score=88)
    ClinicRating.objects.create(clinic=rated, count=12, mean=Decimal("4.75"), adjusted=Decimal("4.50"), updated_at=NOW)
    make_clinic(city=city, name="Unrated", latitude=43.652, longitude=-79.38, inspection_score=None)
    body = client.get("/api/v1/clinics", {"lat": 43.65, "lng": -79.38, "sort": "distance"}).json()
    by_name = {item["name"]: item for item in body["items"]}
    assert by_name["Rated"]["inspection_score"] == 88
    assert by_name["Rated"]["rating"] == {"mean": 4.75, "adjusted": 4.5, "count": 12}
    assert by_name["Unrated"]["inspection_score"] is None
    assert by_name["Unrated"]["rating"] is None
    assert body == ClinicPageOut.model_validate(body).model_dump(mode="json")


def test_a_rating_row_without_any_published_review_shows_as_none(client, city):
    clinic = make_clinic(city=city, name="Emptied", latitude=43.651, longitude=-79.38)
    ClinicRating.objects.create(clinic=clinic, count=0, mean=None, adjusted=None, updated_at=NOW)
    body = client.get("/api/v1/clinics", {"lat": 43.65, "lng": -79.38}).json()
    assert body["items"][0]["rating"] is None


def test_a_clinics_record_has_its_rating_too(client, city):
    clinic = make_clinic(city=city, name="Rated", slug="rated", latitude=43.651, longitude=-79.38)
    ClinicRating.objects.create(clinic=clinic, count=3, mean=Decimal("5.00"), adjusted=Decimal("4.43"), updated_at=NOW)
    assert client.get("/api/v1/clinics/rated").json()["rating"] == {"mean": 5.0, "adjusted": 4.43, "count": 3}
