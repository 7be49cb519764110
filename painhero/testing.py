"""The one test world of the suite, after healthchecks' ``hc/test.py``: one clock, one clinic, named people.

``NOW`` is Monday 7 December 2026, 08:00 in Toronto (UTC-5): before opening, a whole working week ahead, five
weeks from either DST change and no holiday before Christmas. ``make_world()`` builds, and the root conftest's
``world`` fixture offers with the clock frozen at ``NOW``:

- **clinic** (Toronto, in network) with practitioners **chen** and **lee**, both offering **service** (30 min) and
  both working Monday to Friday, 09:00-17:00 (``scheduling.testing.make_hours``);
- users **owner** (the clinic's owner), **colleague** (its front desk), **practitioner** (the person behind chen),
  and **outsider** (the owner of **other_clinic**, which has its own practitioner, service and hours).

Only tests import this module (the import contracts in pyproject.toml ignore it for that reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from booking.models import Appointment, AppointmentSource
from booking.patients import PatientDetails
from clinics.models import Clinic, Practitioner, Service
from clinics.testing import make_clinic, make_practitioner, make_service
from portal.models import Membership, Role
from scheduling.testing import make_hours, toronto

NOW = toronto(2026, 12, 7, 8, 0)
# Tomorrow (Tuesday) 10:00 in Toronto: a time chen and lee both work, the one most booking tests take.
SLOT = toronto(2026, 12, 8, 10, 0)
# The working day of every practitioner of the world, Monday to Friday.
HOURS = (("09:00", "17:00"),)
PASSWORD = "correct horse battery staple"  # noqa: S105  (a test user's password)


def later(minutes: int) -> datetime:
    """``SLOT`` moved by ``minutes`` (negative for earlier)."""
    return SLOT + timedelta(minutes=minutes)


def day(days: int = 0) -> date:
    """``NOW``'s date in Toronto, or ``days`` after it."""
    return NOW.date() + timedelta(days=days)


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """A wall-clock time in Toronto on ``NOW``'s day, or ``days`` after it."""
    when = day(days)
    return toronto(when.year, when.month, when.day, hour, minute)


@dataclass
class World:
    clinic: Clinic
    chen: Practitioner
    lee: Practitioner  # a second practitioner offering the same service
    service: Service
    owner: Any
    colleague: Any  # the clinic's front desk
    practitioner: Any  # the user behind chen
    outsider: Any  # the owner of other_clinic
    other_clinic: Clinic
    other_practitioner: Practitioner
    other_service: Service


def make_user(email: str, *, clinic: Clinic | None = None, role: str = Role.OWNER, practitioner: Any = None) -> Any:
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    if clinic is not None:
        Membership.objects.create(user=user, clinic=clinic, role=role, practitioner=practitioner)
    return user


def make_world() -> World:
    clinic = make_clinic(name="Alpha Physio")
    chen = make_practitioner(clinic=clinic, first_name="Alex", last_name="Chen")
    lee = make_practitioner(clinic=clinic, first_name="Sam", last_name="Lee")
    service = make_service(clinic=clinic, practitioners=[chen, lee])
    make_hours(chen, blocks=HOURS)
    make_hours(lee, blocks=HOURS)
    other_clinic = make_clinic(name="Bravo Secret Physio")
    other_practitioner = make_practitioner(clinic=other_clinic, first_name="Bea", last_name="Bravo")
    other_service = make_service(clinic=other_clinic, practitioners=[other_practitioner])
    make_hours(other_practitioner, blocks=HOURS)
    return World(
        clinic=clinic,
        chen=chen,
        lee=lee,
        service=service,
        owner=make_user("owner@alpha.test", clinic=clinic, role=Role.OWNER),
        colleague=make_user("desk@alpha.test", clinic=clinic, role=Role.FRONT_DESK),
        practitioner=make_user("chen@alpha.test", clinic=clinic, role=Role.PRACTITIONER, practitioner=chen),
        outsider=make_user("owner@bravo.test", clinic=other_clinic, role=Role.OWNER),
        other_clinic=other_clinic,
        other_practitioner=other_practitioner,
        other_service=other_service,
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def patient(n: int = 1, **fields: Any) -> PatientDetails:
    """A patient's details as the booking form or the API takes them."""
    values: dict[str, Any] = {
        "name": f"Patient {n}",
        "email": f"patient{n}@example.com",
        "phone": "+14165550123",
        "first_visit": True,
        "note": "Lower back pain since a fall",
    }
    values.update(fields)
    return PatientDetails(**values)


def book(world: World, start: datetime, *, practitioner: Practitioner | None = None, **fields: Any) -> Appointment:
    """An appointment written straight to the table (no rules checked), with chen unless told."""
    practitioner = practitioner or world.chen
    defaults: dict[str, Any] = {
        "patient_name": "Sam Patient",
        "patient_email": "sam@example.com",
        "note": "left knee since June",
        "source": AppointmentSource.WEB,
    }
    defaults.update(fields)
    service = world.service if practitioner.clinic_id == world.clinic.pk else world.other_service
    return Appointment.objects.create(
        clinic=practitioner.clinic,
        practitioner=practitioner,
        service=service,
        start=start,
        end=start + timedelta(minutes=service.duration_minutes),
        **defaults,
    )
