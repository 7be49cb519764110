"""Test helpers: a clinic with practitioners who work set hours, in a few lines."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from clinics.models import Clinic, Practitioner, Service
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from scheduling.models import WorkingHours

EVERY_WEEKDAY = (0, 1, 2, 3, 4)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def make_hours(
    practitioner: Practitioner,
    *,
    days: tuple[int, ...] = EVERY_WEEKDAY,
    blocks: tuple[tuple[str, str], ...] = (("09:00", "12:00"), ("13:00", "17:00")),
    valid_from: date = date(2020, 1, 1),
    valid_until: date | None = None,
) -> None:
    WorkingHours.objects.bulk_create(
        WorkingHours(
            practitioner=practitioner,
            weekday=day,
            start_time=time.fromisoformat(a),
            end_time=time.fromisoformat(b),
            valid_from=valid_from,
            valid_until=valid_until,
        )
        for day in days
        for a, b in blocks
    )


def make_open_clinic(
    *,
    time_zone: str = "America/Toronto",
    province: str = "ON",
    practitioners: int = 1,
    duration_minutes: int = 30,
    **hours: Any,
) -> tuple[Clinic, list[Practitioner], Service]:
    """A clinic whose practitioners all offer one service and work ``hours`` (see ``make_hours``)."""
    city = make_city(time_zone=time_zone, province=province)
    clinic = make_clinic(city=city)
    people = [make_practitioner(clinic=clinic) for _ in range(practitioners)]
    for person in people:
        make_hours(person, **hours)
    service = make_service(clinic=clinic, practitioners=people, duration_minutes=duration_minutes)
    return clinic, people, service


def local(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, *, fold: int = 0
) -> datetime:
    """An aware datetime from wall-clock parts in ``zone``."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(zone), fold=fold)


def toronto(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, *, fold: int = 0
) -> datetime:
    return local("America/Toronto", year, month, day, hour, minute, second, fold=fold)
