"""One formatter per kind of value, in the active language: prices, phones, and moments in a clinic's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import translation

from painhero import formats

NBSP = "\u00a0"
TORONTO = ZoneInfo("America/Toronto")
# 12:45 UTC is 7:45 in Toronto on Thursday 3 December 2026.
MOMENT = datetime(2026, 12, 3, 12, 45, tzinfo=UTC)


@pytest.mark.parametrize(("language", "expected"), [("en", "$70.00"), ("fr", f"70,00{NBSP}$")])
def test_a_price_is_written_the_way_each_language_writes_dollars(language: str, expected: str) -> None:
    with translation.override(language):
        assert formats.price(7000) == expected


def test_a_canadian_phone_number_reads_nationally_and_dials_internationally() -> None:
    assert formats.phone("+14163003694") == "(416) 300-3694"
    assert formats.phone_uri("+14163003694") == "tel:+1-416-300-3694"


def test_no_phone_gives_no_number_to_dial() -> None:
    assert formats.phone("") == "" and formats.phone(None) == ""
    assert formats.phone_uri("") == "" and formats.phone_uri(None) == ""


@pytest.mark.parametrize(
    ("language", "time", "full"),
    [
        ("en", "7:45 AM", "Thursday, December 3, 2026, 7:45 AM"),
        ("fr", "7 h 45", "jeudi 3 décembre 2026, 7 h 45"),
    ],
)
def test_a_moment_is_written_on_the_clinics_wall_clock(language: str, time: str, full: str) -> None:
    with translation.override(language):
        assert formats.time_in_zone(MOMENT, TORONTO) == time
        assert formats.datetime_in_zone(MOMENT, "America/Toronto") == full


def test_a_zone_is_named_the_way_people_say_it() -> None:
    with translation.override("en"):
        assert formats.zone_name(TORONTO) == "Eastern time"
        assert formats.zone_name("America/St_Johns") == "Newfoundland time"
        assert formats.zone_name("Europe/Paris") == "Paris", "a zone not listed is named by its city"
        assert formats.with_zone("7:45 AM", TORONTO) == "7:45 AM (Eastern time)"


def test_templates_use_the_same_formatters_through_the_formats_library() -> None:
    template = engines["django"].from_string(
        "{% load formats %}{{ cents|price }} · {{ tel|phone }} · {{ at|time_in:zone }} · {{ zone|zone_name }}"
    )
    with translation.override("fr"):
        html = template.render({"cents": 7000, "tel": "+14163003694", "at": MOMENT, "zone": "America/Toronto"})
    assert html == f"70,00{NBSP}$ · (416) 300-3694 · 7 h 45 · l’heure de l’Est"
