"""What every part of the public API shares: id and text bounds, the error answer, query-parameter documentation.

The directory, scheduling and booking endpoints all use these; each app's own answer shapes live beside its API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

# The largest id the databases can hold (a signed 64-bit integer): a bigger one is a 422, never a 500.
MAX_ID = 2**63 - 1
# No text the API takes may hold a NUL character (PostgreSQL cannot store one): 400 in a URL, 422 in a body.
NO_NUL = "^[^\\x00]*$"


def plain(schema: dict[str, Any]) -> Any:
    """A ``json_schema_extra`` that replaces a field's whole schema with ``schema``.

    For an optional query parameter: it is absent or has a value, never JSON ``null``, so the document says
    ``{"type": "integer"}`` rather than ``anyOf: [integer, null]`` (which a client would send as "null").
    """

    def replace(generated: dict[str, Any]) -> None:
        generated.clear()
        generated.update(schema)

    return replace


def documented_as(kind: str, description: str, **extra: Any) -> Any:
    """A query parameter received as text and checked by ``clinic_params_parse``, documented as ``kind``.

    Typing them as strings keeps every bad value on one path (``SearchError`` -> 400 with
    the parser's message) instead of half of them being caught earlier by pydantic.
    """
    if kind == "string":
        extra.setdefault("minLength", 1)
        extra.setdefault("pattern", NO_NUL)
    return Field(None, json_schema_extra=plain({"type": kind, "description": description, **extra}))


class AlternativeOut(Schema):
    start: datetime = Field(description="With the clinic's UTC offset.")
    end: datetime
    practitioner_id: int
    service_id: int


class ErrorOut(Schema):
    """Every error answer of the API has this shape."""

    detail: str = Field(description="What is wrong and how to fix it.")
    field: str | None = Field(None, description="The query parameter to change, for a 400 from a search.")
    errors: list[dict[str, Any]] | None = Field(
        None, description="For a 422 from request validation: each problem, with `loc`, `msg` and `type`."
    )
    alternatives: list[AlternativeOut] | None = Field(
        None, description="For a 409 when the time was just taken: nearby open times to offer instead."
    )


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error part of an operation's ``response=`` map: each status it can answer, with ``ErrorOut``."""
    return dict.fromkeys(codes, ErrorOut)


# Every operation can answer 422 (a parameter or body of the wrong type or out of range, from ninja's
# validation) and 400 (a NUL byte in the request, refused by middleware before any view).
ALWAYS = (400, 422)
