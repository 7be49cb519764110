"""The shape of a clinic search: what is asked and what comes back.

The HTML pages and the JSON API both parse their input into ``SearchParams``
and call ``directory.selectors.clinic_search``; neither queries clinics itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from clinics.models import Clinic, Service
from scheduling.selectors import OpenTime

SortOrder = Literal["recommended", "distance", "soonest", "score"]
Availability = Literal["today"]
MAX_RADIUS_KM = 250
DEFAULT_RADIUS_KM = 25
PAGE_SIZE = 20
MAX_WITHIN_DAYS = 60  # the booking horizon: nothing further ahead is precomputed
# Counting stops here: past it a patient needs a narrower search, not an exact figure, and counting
# every clinic of a big city costs more than the page itself.
COUNT_CAP = 1000
NEXT_TIMES = 3  # open times shown as buttons per clinic


class SearchError(ValueError):
    """Input a search cannot use; ``field`` names the parameter, the message says what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SearchParams:
    lat: float | None = None
    lng: float | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    city: str | None = None  # a City slug
    # Only the clinics of the city itself (its municipality), nearest its centre first, not those within
    # radius_km: what a city page and the city's count ("Toronto · 170 clinics") mean by "clinics in Toronto".
    in_city: bool = False
    discipline: str | None = None  # a Discipline value
    technique: str | None = None  # a Technique slug
    language: str | None = None  # a Language slug (ISO 639-1)
    insurer: str | None = None  # an Insurer slug
    accessible: bool = False
    available: Availability | None = None  # "today": an open time before the end of the clinic's day
    within_days: int | None = None  # an open time within this many days (1..60)
    # Recommended unless the patient chose: without a point (no distance) it is best scored first.
    sort: SortOrder = "recommended"
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class RatingFigures:
    """A clinic's published verified reviews as the quality app stores them on each change (never per search)."""

    mean: Decimal | None
    adjusted: Decimal | None  # the Bayesian average of quality/ratings.py
    count: int


@dataclass
class ClinicHit:
    clinic: Clinic  # with its city (clinic_get loads more: see its docstring)
    distance_km: float | None
    disciplines: list[str]  # Discipline values offered by active practitioners, sorted
    techniques: list[str]  # Technique slugs, sorted
    languages: list[str]  # Language slugs, sorted
    insurers: list[str] = field(default_factory=list)  # Insurer slugs billed directly, sorted
    next_available: datetime | None = None  # aware; for what was searched (discipline, technique)
    next_times: list[OpenTime] = field(default_factory=list)  # the first few, with whom to book each
    # What each of ``next_times`` books, by id: a time button names its service, length and practitioner.
    services: dict[int, Service] = field(default_factory=dict)
    practitioner_names: dict[int, str] = field(default_factory=dict)
    rating: RatingFigures | None = None  # None before the first published review


@dataclass
class SearchPage:
    params: SearchParams
    count: int
    items: list[ClinicHit]
    center: tuple[float, float] | None  # the point distances are measured from
    count_is_capped: bool = False  # more than ``count`` (= COUNT_CAP) match: say "1,000+"

    @property
    def pages(self) -> int:
        pages = max(1, -(-self.count // self.params.page_size))
        if self.count_is_capped and len(self.items) == self.params.page_size:
            # Past the counted clinics there are more: a full page always has a next one to try.
            pages = max(pages, self.params.page + 1)
        return pages
