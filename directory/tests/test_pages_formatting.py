"""How the pages write prices, phone numbers and times in English and Canadian French."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import translation

from directory.templatetags.clinic_tags import clock, money, phone_national, phone_uri

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("language", "cents", "expected"),
    [
        ("en", 9500, "$95.00"),
        ("en", 129505, "$1,295.05"),
        ("en", 0, "$0.00"),
        ("fr", 9500, f"95,00{NBSP}$"),
        ("fr", 129505, f"1{NNBSP}295,05{NBSP}$"),
    ],
)
def test_money_is_written_the_way_each_language_writes_dollars(language, cents, expected):
    with translation.override(language):
        assert money(cents) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", time(8), "8 a.m."),
        ("en", time(17, 30), "5:30 p.m."),
        ("fr", time(8), f"8{NBSP}h"),
        ("fr", time(17, 30), f"17{NBSP}h{NBSP}30"),
    ],
)
def test_clock_times_follow_the_language(language, value, expected):
    with translation.override(language):
        assert clock(value) == expected


def test_canadian_phone_numbers_are_shown_nationally_and_dialled_internationally():
    assert phone_national("+14165550123") == "(416) 555-0123"
    assert phone_uri("+14165550123") == "tel:+1-416-555-0123"


def test_foreign_and_unparseable_numbers_do_not_break_the_page():
    assert phone_national("+33142685300") == "+33 1 42 68 53 00"
    assert phone_national("call us") == "call us"
    assert phone_uri("call us") == ""
