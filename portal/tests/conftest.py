"""The portal tests use the suite's one world (painhero/testing.py); this adds the day's appointments on both sides.

The other clinic's data carries names that must never show up in the world's clinic's pages (``B_MARKERS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from booking.models import Appointment, AppointmentSource
from clinics.models import Practitioner
from painhero.testing import World, at

B_PATIENT = "Zebulon Quixote-Bravo"
B_CLINIC = "Bravo Secret Physio"  # the world's other_clinic
B_MARKERS = (B_PATIENT, B_CLINIC, "zebulon@example.org")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # PBKDF2's deliberate slowness costs a second per test here; the hash's strength is Django's business.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Visits:
    appointment: Appointment  # today 10:00 with chen
    colleague_appointment: Appointment  # today 11:00 with lee
    other_appointment: Appointment  # today 10:00 at the other clinic, with B's patient


def make_visits(world: World) -> Visits:
    def appointment(who: Practitioner, hour: int, patient_name: str, email: str) -> Appointment:
        return Appointment.objects.create(
            clinic=who.clinic,
            practitioner=who,
            service=world.service if who.clinic_id == world.clinic.pk else world.other_service,
            start=at(hour),
            end=at(hour, 30),
            source=AppointmentSource.WEB,
            patient_name=patient_name,
            patient_email=email,
            patient_phone="+14165550199",
            note="left knee hurts",
        )

    return Visits(
        appointment=appointment(world.chen, 10, "Ada Alpha", "ada@example.org"),
        colleague_appointment=appointment(world.lee, 11, "Ada Alpha Jr", "ada@example.org"),
        other_appointment=appointment(world.other_practitioner, 10, B_PATIENT, "zebulon@example.org"),
    )


@pytest.fixture
def visits(world: World) -> Visits:
    return make_visits(world)
