"""The shape of a clinic search: what is asked and what comes back.

The HTML pages and the JSON API both parse their input into ``SearchParams``
and call ``clinics.selectors.clinic_search``; neither queries clinics itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from clinics.models import Clinic

SortOrder = Literal["distance", "soonest", "score"]
MAX_RADIUS_KM = 250
DEFAULT_RADIUS_KM = 25
PAGE_SIZE = 20


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
    discipline: str | None = None  # a Discipline value
    technique: str | None = None  # a Technique slug
    language: str | None = None  # a Language slug (ISO 639-1)
    insurer: str | None = None  # an Insurer slug
    accessible: bool = False
    sort: SortOrder = "distance"
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass
class ClinicHit:
    clinic: Clinic  # with city, languages and insurers prefetched (clinic_get loads more: see its docstring)
    distance_km: float | None
    disciplines: list[str]  # Discipline values offered by active practitioners, sorted
    techniques: list[str]  # Technique slugs, sorted
    languages: list[str]  # Language slugs, sorted
    next_available: datetime | None = None  # filled by the availability issue
    next_times: list[datetime] = field(default_factory=list)


@dataclass
class SearchPage:
    params: SearchParams
    count: int
    items: list[ClinicHit]
    center: tuple[float, float] | None  # the point distances are measured from

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.params.page_size))
