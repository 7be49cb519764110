"""Two clinics, A and B, and named people: A's owner, front desk and practitioner, B's owner; a fixed clock.

Clinic B's data carries names that must never show up in A's staff's pages (``B_MARKERS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from booking.models import Appointment, AppointmentSource
from clinics.models import Clinic, Practitioner, Service
from clinics.testing import make_clinic, make_practitioner, make_service
from portal.models import Membership, Role

# Wednesday 2 December 2026, 08:00 in Toronto (UTC-5): before opening, the day ahead is open.
NOW = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
B_PATIENT = "Zebulon Quixote-Bravo"
B_CLINIC = "Bravo Secret Physio"
B_MARKERS = (B_PATIENT, B_CLINIC, "zebulon@example.org")


def at(hour: int, minute: int = 0, *, day: int = 2) -> datetime:
    """A wall-clock time in Toronto on December ``day``, 2026, as UTC."""
    return datetime(2026, 12, day, hour + 5, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # PBKDF2's deliberate slowness costs a second per test here; the hash's strength is Django's business.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Side:
    clinic: Clinic
    practitioner: Practitioner
    colleague: Practitioner
    service: Service
    appointment: Appointment  # today 10:00 with ``practitioner``
    colleague_appointment: Appointment  # today 11:00 with ``colleague``


def _hours(practitioner: Practitioner) -> None:
    from scheduling.models import WorkingHours

    WorkingHours.objects.bulk_create(
        WorkingHours(
            practitioner=practitioner, weekday=d, start_time=time(9), end_time=time(17), valid_from=date(2020, 1, 1)
        )
        for d in range(7)
    )


def make_side(*, name: str, patient: str, email: str) -> Side:
    clinic = make_clinic(name=name)
    practitioner = make_practitioner(clinic=clinic, first_name="Pat")
    colleague = make_practitioner(clinic=clinic, first_name="Col")
    service = make_service(clinic=clinic, practitioners=[practitioner, colleague])
    _hours(practitioner)
    _hours(colleague)

    def appointment(who: Practitioner, hour: int, patient_name: str) -> Appointment:
        return Appointment.objects.create(
            clinic=clinic,
            practitioner=who,
            service=service,
            start=at(hour),
            end=at(hour, 30),
            source=AppointmentSource.WEB,
            patient_name=patient_name,
            patient_email=email,
            patient_phone="+14165550199",
            note="left knee hurts",
        )

    return Side(
        clinic=clinic,
        practitioner=practitioner,
        colleague=colleague,
        service=service,
        appointment=appointment(practitioner, 10, patient),
        colleague_appointment=appointment(colleague, 11, patient + " Jr"),
    )


def make_user(email: str, *, clinic: Clinic | None = None, role: str = Role.OWNER, practitioner: Any = None) -> Any:
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    if clinic is not None:
        Membership.objects.create(user=user, clinic=clinic, role=role, practitioner=practitioner)
    return user


@dataclass
class World:
    a: Side
    b: Side
    owner: Any
    desk: Any
    practitioner: Any  # the person behind a.practitioner
    b_owner: Any


@pytest.fixture
def world(db: Any, time_machine: Any) -> World:
    time_machine.move_to(NOW, tick=False)
    a = make_side(name="Alpha Physio", patient="Ada Alpha", email="ada@example.org")
    b = make_side(name=B_CLINIC, patient=B_PATIENT, email="zebulon@example.org")
    return World(
        a=a,
        b=b,
        owner=make_user("owner@alpha.test", clinic=a.clinic, role=Role.OWNER),
        desk=make_user("desk@alpha.test", clinic=a.clinic, role=Role.FRONT_DESK),
        practitioner=make_user("pat@alpha.test", clinic=a.clinic, role=Role.PRACTITIONER, practitioner=a.practitioner),
        b_owner=make_user("owner@bravo.test", clinic=b.clinic, role=Role.OWNER),
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner(world: World) -> Client:
    return client_for(world.owner)


@pytest.fixture
def desk(world: World) -> Client:
    return client_for(world.desk)


@pytest.fixture
def practitioner(world: World) -> Client:
    return client_for(world.practitioner)


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)
