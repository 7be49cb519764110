"""Shapes of the directory API's answers and of its clinic search query string (for the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

from clinics.schemas import documented_as


class ClinicSearchQuery(Schema):
    lat: str | None = documented_as(
        "number", "Latitude of the point to search around (-90 to 90); needs lng.", minimum=-90, maximum=90
    )
    lng: str | None = documented_as(
        "number", "Longitude of the point (-180 to 180); needs lat.", minimum=-180, maximum=180
    )
    radius_km: str | None = documented_as(
        "number", "Search radius in km, 1 to 250 (default 25).", minimum=1, maximum=250
    )
    city: str | None = documented_as("string", "A city slug (see /cities); its centre is the point.")
    discipline: str | None = documented_as(
        "string",
        "physiotherapy, chiropractic or massage_therapy.",
        enum=["physiotherapy", "chiropractic", "massage_therapy"],
    )
    technique: str | None = documented_as("string", "A technique slug, e.g. dry-needling.")
    language: str | None = documented_as("string", "An ISO 639-1 language code care is offered in, e.g. fr.")
    insurer: str | None = documented_as("string", "An insurer slug the clinic bills directly, e.g. sun-life.")
    accessible: str | None = documented_as("boolean", "Only wheelchair-accessible clinics.")
    available: str | None = documented_as(
        "string", "today: only clinics with an open time before midnight, clinic time.", enum=["today"]
    )
    within_days: str | None = documented_as(
        "integer", "Only clinics with an open time within this many days, 1 to 60.", minimum=1, maximum=60
    )
    sort: str | None = documented_as(
        "string",
        "recommended (default: distance, soonest open time and a bounded boost from the inspection score and the"
        " adjusted rating, never paid placement; without a point, best scored first), distance, soonest (next"
        " available first; clinics with nothing open follow) or score.",
        enum=["recommended", "distance", "soonest", "score"],
    )
    page: str | None = documented_as(
        "integer", "Page number, from 1; a page past the last is a 400.", minimum=1, maximum=10_000
    )
    page_size: str | None = documented_as("integer", "Clinics per page, 1 to 100 (default 20).", minimum=1, maximum=100)


class RatingOut(Schema):
    mean: float | None = Field(description="Mean of the published verified reviews, 1 to 5, to 0.01.")
    adjusted: float | None = Field(
        description="Bayesian average toward the network mean (see the How we inspect page), 1 to 5, to 0.01."
    )
    count: int = Field(description="Published verified reviews.")


class ClinicOut(Schema):
    id: int
    slug: str
    name: str
    address: str
    city: str
    city_slug: str
    province: str
    postal_code: str
    lat: float
    lng: float
    distance_km: float | None = Field(description="From the search point, to 0.1 km; null without a point.")
    disciplines: list[str]
    techniques: list[str]
    languages: list[str]
    insurers: list[str]
    wheelchair_accessible: bool
    inspection_score: int | None = Field(description="The 50-point inspection's score, 0 to 100; null if none.")
    rating: RatingOut | None = Field(description="Verified reviews; null before the first one is published.")
    phone: str
    url: str = Field(description="Path of the clinic's public page.")
    next_available: datetime | None = Field(
        description="Next open time for what was searched (any service without filters), with the clinic's "
        "UTC offset; null when nothing is open in the booking horizon."
    )


class NextTimeOut(Schema):
    start: datetime = Field(description="With the clinic's UTC offset.")
    practitioner_id: int
    service_id: int


class ClinicHitOut(ClinicOut):
    next_times: list[NextTimeOut] = Field(
        description="The next few open times, each bookable at /book/?practitioner=&service=&start="
    )


class ClinicPageOut(Schema):
    count: int = Field(description="Clinics matching, counted up to 1000 (see count_is_capped).")
    count_is_capped: bool = Field(description="More than count match: narrow the search.")
    page: int
    pages: int
    items: list[ClinicHitOut]


# A wall-clock time in the clinic's zone, as sent ("09:00:00"). JSON Schema's "time" format is RFC 3339's
# full-time, which needs a UTC offset that an opening hour does not have.
WallClock = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
            "description": "Wall-clock time in the clinic's time zone, HH:MM:SS.",
            "examples": ["09:00:00"],
        }
    ),
]


class OpeningHoursOut(Schema):
    weekday: int = Field(description="0 = Monday, 6 = Sunday", ge=0, le=6)
    opens: WallClock
    closes: WallClock


class PractitionerOut(Schema):
    id: int
    name: str
    discipline: str
    credentials: str
    college: str
    registration_number: str
    techniques: list[str]
    languages: list[str]


class ServiceOut(Schema):
    id: int
    name: str
    name_fr: str
    discipline: str
    kind: str
    delivery: str
    duration_minutes: int
    price_cents: int
    practitioner_ids: list[int]


class ClinicDetailOut(ClinicHitOut):
    description: str
    email: str
    website: str
    time_zone: str
    opening_hours: list[OpeningHoursOut]
    practitioners: list[PractitionerOut]
    services: list[ServiceOut]
