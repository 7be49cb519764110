"""A clinic in Toronto with one physiotherapist working every day 08:00-18:00, and a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from booking.patients import PatientDetails
from clinics.models import Clinic, Practitioner, Service
from clinics.testing import make_clinic, make_practitioner, make_service

# A Tuesday; the day after is no holiday anywhere in Canada.
NOW = datetime(2027, 3, 2, 14, 0, tzinfo=UTC)
# Wednesday 10:00 in Toronto (UTC-5 in early March).
SLOT = datetime(2027, 3, 3, 15, 0, tzinfo=UTC)


@dataclass
class World:
    clinic: Clinic
    practitioner: Practitioner
    other: Practitioner  # a second practitioner offering the same service
    service: Service


def working_hours(practitioner: Practitioner) -> None:
    from scheduling.models import WorkingHours

    WorkingHours.objects.bulk_create(
        WorkingHours(
            practitioner=practitioner,
            weekday=day,
            start_time=time(8),
            end_time=time(18),
            valid_from=date(2020, 1, 1),
        )
        for day in range(7)
    )


def make_world() -> World:
    clinic = make_clinic()
    practitioner = make_practitioner(clinic=clinic)
    other = make_practitioner(clinic=clinic, first_name="Sam")
    service = make_service(clinic=clinic, practitioners=[practitioner, other])
    working_hours(practitioner)
    working_hours(other)
    return World(clinic=clinic, practitioner=practitioner, other=other, service=service)


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def patient(n: int = 1, **fields: Any) -> PatientDetails:
    values: dict[str, Any] = {
        "name": f"Patient {n}",
        "email": f"patient{n}@example.com",
        "phone": "+14165550123",
        "first_visit": True,
        "note": "Lower back pain since a fall",
    }
    values.update(fields)
    return PatientDetails(**values)


def later(minutes: int) -> datetime:
    return SLOT + timedelta(minutes=minutes)
