"""The search and clinic endpoints write their answers themselves (painhero.json.json_response): each answer
must be exactly what validating it through its documented schema and ninja's encoder would have written."""

from __future__ import annotations

import json
from datetime import time
from typing import Any

import pytest
import time_machine
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from clinics.models import OpeningHours
from clinics.testing import make_city, make_clinic, make_insurer, make_language, make_practitioner, make_service
from directory.schemas import ClinicDetailOut, ClinicPageOut
from scheduling.cache import next_open_times_refresh
from scheduling.testing import make_hours, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 3, 2, 8, 0)  # a Monday


def as_ninja_wrote_it(schema: type[BaseModel], body: dict[str, Any]) -> Any:
    """``body`` validated by ``schema`` and written as ninja did: unknown keys dropped, types coerced."""
    return json.loads(json.dumps(schema.model_validate(body).model_dump(), cls=NinjaJSONEncoder))


@pytest.fixture
def clinic():
    city = make_city(name="Montréal", slug="montreal", time_zone="America/Toronto", latitude=45.5, longitude=-73.6)
    clinic = make_clinic(city=city, name="Clinique Jean-Talon", slug="jean-talon", latitude=45.51, longitude=-73.6)
    clinic.languages.add(make_language("fr", "French", "Français"))
    clinic.insurers.add(make_insurer())
    person = make_practitioner(clinic=clinic, first_name="Élise", last_name="Côté")
    make_hours(person)
    OpeningHours.objects.create(clinic=clinic, weekday=0, opens=time(9), closes=time(17, 30))
    make_service(clinic=clinic, practitioners=[person])
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    return clinic


@time_machine.travel(NOW, tick=False)
def test_a_search_answers_what_its_schema_would_have_written(client, clinic):
    response = client.get("/api/v1/clinics", {"lat": 45.5, "lng": -73.6, "sort": "soonest"})
    body = response.json()
    assert body["items"][0]["next_times"], "the case that matters: times with the clinic's offset"
    assert body["items"][0]["next_available"] == "2026-03-02T10:00:00-05:00"  # after the default notice
    assert body == as_ninja_wrote_it(ClinicPageOut, body)


@time_machine.travel(NOW, tick=False)
def test_a_clinics_record_answers_what_its_schema_would_have_written(client, clinic):
    body = client.get(f"/api/v1/clinics/{clinic.slug}").json()
    assert (
        body["next_times"]
        and body["opening_hours"][0]["closes"] == "17:30:00"
        and body["practitioners"][0]["name"] == "Élise Côté"
    )
    assert body == as_ninja_wrote_it(ClinicDetailOut, body)
