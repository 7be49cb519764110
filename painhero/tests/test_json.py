"""painhero.json: orjson writes what ninja's json.dumps encoder wrote, value for value and format for format."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from clinics.models import Discipline
from painhero.json import CONTENT_TYPE, dumps, json_response

TORONTO = ZoneInfo("America/Toronto")


class Point(BaseModel):
    lat: float
    when: datetime


VALUES = {
    "a time on a clinic's clock": datetime(2026, 3, 2, 9, 30, tzinfo=TORONTO),
    "microseconds, cut to milliseconds": datetime(2026, 3, 2, 9, 30, 1, 123456, tzinfo=TORONTO),
    "UTC, written with Z": datetime(2026, 3, 2, 14, 30, tzinfo=UTC),
    "UTC with microseconds": datetime(2026, 3, 2, 14, 30, 0, 500, tzinfo=UTC),
    "a date": date(2026, 3, 2),
    "a wall-clock time": time(9, 0),
    "a time with microseconds": time(9, 0, 0, 250000),
    "a duration": timedelta(minutes=45),
    "a decimal": Decimal("12.50"),
    "a lazy translation": gettext_lazy("Distance"),
    "a choice": Discipline.PHYSIOTHERAPY,
    "a uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "accents and quotes": "Centre de physiothérapie « Jean-Talon » \u2019 \u2028",
    "a float": 43.6532,
    "a rounded distance": round(22.18, 1),
    "none": None,
    "a model": Point(lat=43.5, when=datetime(2026, 3, 2, 9, 0, 0, 1000, tzinfo=TORONTO)),
    "int keys": {1: "one", 20: ["twenty"]},
    "nested": [{"start": datetime(2026, 3, 2, 9, 0, tzinfo=TORONTO), "ids": [1, 2]}],
}


def test_every_value_reads_back_as_ninjas_encoder_wrote_it():
    for name, value in VALUES.items():
        before = json.loads(json.dumps({"v": value}, cls=NinjaJSONEncoder))
        assert json.loads(dumps({"v": value})) == before, name


def test_datetimes_keep_djangos_format():
    assert dumps(VALUES["microseconds, cut to milliseconds"]) == b'"2026-03-02T09:30:01.123-05:00"'
    assert dumps(VALUES["UTC, written with Z"]) == b'"2026-03-02T14:30:00Z"'


def test_the_response_is_utf8_json():
    response = json_response({"name": "Montréal"}, status=201)
    assert (response.status_code, response["Content-Type"]) == (201, CONTENT_TYPE)
    assert json.loads(response.content) == {"name": "Montréal"}


def test_the_api_answers_with_this_renderer(client):
    response = client.get("/api/v1/clinics", {"page": "0"})  # an error answer goes through the renderer
    assert response["Content-Type"] == CONTENT_TYPE
    assert b": " not in response.content  # orjson's compact separators, not json.dumps' ", " and ": "
