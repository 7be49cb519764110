"""A clinic with named staff for the management page tests: owner, desk, practitioner, outsider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from booking.models import Appointment, AppointmentSource
from clinics.models import Clinic, Practitioner, Service
from clinics.testing import make_clinic, make_practitioner, make_service
from portal.models import Membership, Role
from scheduling.testing import make_hours, make_open_clinic, toronto

# A Monday morning before opening, in Toronto; no holiday near it.
NOW = toronto(2026, 12, 7, 8, 0)


@dataclass
class World:
    clinic: Clinic
    chen: Practitioner
    lee: Practitioner
    service: Service
    owner: Any
    desk: Any
    practitioner: Any  # the user behind chen
    outsider: Any  # the owner of another clinic
    other_clinic: Clinic
    other_practitioner: Practitioner
    other_service: Service


def _user(name: str) -> Any:
    return get_user_model().objects.create_user(username=name, email=f"{name}@example.com", password="x")


def make_world() -> World:
    clinic, (chen, lee), service = make_open_clinic(practitioners=2)
    other = make_clinic()
    other_practitioner = make_practitioner(clinic=other)
    make_hours(other_practitioner)
    other_service = make_service(clinic=other, practitioners=[other_practitioner])
    owner, desk, practitioner, outsider = (_user(n) for n in ("owner", "desk", "chen", "outsider"))
    Membership.objects.create(user=owner, clinic=clinic, role=Role.OWNER)
    Membership.objects.create(user=desk, clinic=clinic, role=Role.FRONT_DESK)
    Membership.objects.create(user=practitioner, clinic=clinic, role=Role.PRACTITIONER, practitioner=chen)
    Membership.objects.create(user=outsider, clinic=other, role=Role.OWNER)
    return World(
        clinic, chen, lee, service, owner, desk, practitioner, outsider, other, other_practitioner, other_service
    )


def book(world: World, start: datetime, *, practitioner: Practitioner | None = None, **fields: Any) -> Appointment:
    practitioner = practitioner or world.chen
    defaults: dict[str, Any] = {
        "patient_name": "Sam Patient",
        "patient_email": "sam@example.com",
        "note": "left knee since June",
        "source": AppointmentSource.WEB,
    }
    defaults.update(fields)
    return Appointment.objects.create(
        clinic=practitioner.clinic,
        practitioner=practitioner,
        service=world.service,
        start=start,
        end=start + timedelta(minutes=world.service.duration_minutes),
        **defaults,
    )
