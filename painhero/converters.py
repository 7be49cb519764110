"""Identifiers in URLs and query strings: positive integers that fit the database's 64-bit keys.

``<int:...>`` takes any run of digits, so ``/portal/99999999999999999999/`` reached the database and
failed there (SQLite cannot bind an integer past 64 bits: a 500). ``<id:...>`` matches the same digits
but turns anything outside 1..2**63-1 into "no such page" (404), before a view runs.
"""

from __future__ import annotations

import re

from django.urls import register_converter

ID_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def id_parse(raw: str | None) -> int | None:
    """The id ``raw`` names (ASCII digits, 1..2**63-1), or None: ``"²"``, ``"٣"`` and ``"1e9"`` are not ids."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= ID_MAX else None


class IdConverter:
    # Any digits match, so that ``reverse()`` never fails on a big number; ``to_python`` refuses it (404).
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        parsed = id_parse(value)
        if parsed is None:
            raise ValueError(value)
        return parsed

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")
