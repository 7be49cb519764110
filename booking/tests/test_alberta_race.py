"""Alberta's same-day rule under a race: a free consultation and paid physiotherapy booked at once, for one patient,
with two practitioners (so no practitioner's lock orders them). The patient's lock must.

The protocol has no timing in it, as booking/tests/test_concurrency.py's: the first booking runs in a transaction
held open after the service returns; the second starts; on PostgreSQL the test waits until the second is seen
waiting for a lock (without the patient's lock it runs straight through, and the test fails); then the first
commits. The second must then be refused by the rule. On SQLite BEGIN IMMEDIATE serializes the two transactions.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from booking import consultation
from booking.errors import NotBookable
from booking.models import Appointment, AppointmentStatus
from booking.services import appointment_book
from booking.tests.test_concurrency import waiting_on_a_lock
from booking.tests.test_free_consultation import at_edmonton, free_consultation
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from painhero.testing import NOW, make_world, patient
from scheduling.testing import make_hours

pytestmark = pytest.mark.django_db(transaction=True)


def _alberta() -> dict[str, Any]:
    make_world()
    city = make_city(name="Edmonton", name_fr="Edmonton", province="AB", time_zone="America/Edmonton")
    clinic = make_clinic(name="Edmonton Physio", city=city)
    ada = make_practitioner(clinic=clinic, first_name="Ada", last_name="Alberta")
    bea = make_practitioner(clinic=clinic, first_name="Bea", last_name="Banff")
    for therapist in (ada, bea):
        make_hours(therapist, blocks=(("08:00", "18:00"),))
    return {
        "free": (ada, free_consultation(clinic, [ada])),
        "paid": (bea, make_service(clinic=clinic, practitioners=[bea])),
    }


@pytest.mark.parametrize("first", ["free", "paid"])
def test_a_free_consultation_and_paid_physiotherapy_booked_at_once_with_two_practitioners_cannot_both_win(
    first: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _alberta()
    second = "paid" if first == "free" else "free"
    booked, commit, arrived, finished = (threading.Event() for _ in range(4))
    outcome: dict[str, Any] = {}
    second_pid: set[int] = set()
    real_check = consultation.alberta_same_day_check

    def book(kind: str, hour: int) -> Any:
        practitioner, service = world[kind]
        return appointment_book(
            practitioner=practitioner, service=service, start=at_edmonton(hour), patient=patient(1), now=NOW
        )

    def first_booking() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = book(first, 9)
                booked.set()
                commit.wait(timeout=60)
        except Exception as exc:
            outcome["first"] = exc
            booked.set()
        finally:
            connections.close_all()

    def check_as_the_second(**kwargs: Any) -> None:
        if threading.current_thread().name == "second":
            if connection.vendor == "postgresql":
                second_pid.add(connection.connection.info.backend_pid)
            arrived.set()  # the next step takes the patient's lock
        real_check(**kwargs)

    monkeypatch.setattr("booking.services.alberta_same_day_check", check_as_the_second)

    def second_booking() -> None:
        try:
            outcome["second"] = book(second, 15)
        except Exception as exc:
            outcome["second"] = exc
        finally:
            outcome["finished_after_the_commit"] = commit.is_set()
            finished.set()
            connections.close_all()

    one = threading.Thread(target=first_booking, name="first")
    one.start()
    assert booked.wait(timeout=60)
    assert not isinstance(outcome["first"], Exception), outcome["first"]
    two = threading.Thread(target=second_booking, name="second")
    two.start()
    if connection.vendor == "postgresql":  # (on SQLite the second waits at BEGIN IMMEDIATE, before the rule)
        assert arrived.wait(timeout=60)
        while not finished.is_set() and not waiting_on_a_lock(second_pid):
            finished.wait(timeout=0.005)
    commit.set()
    one.join(timeout=60)
    two.join(timeout=60)
    assert outcome["finished_after_the_commit"], "the second booking ran while the first was open"
    assert isinstance(outcome["second"], NotBookable), outcome["second"]
    assert "Alberta" in outcome["second"].message
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1
