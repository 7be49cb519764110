"""Booking for a caller keeps booking's idempotency: the form token's claim commits on its own, first.

``booking/LOCKING.md``: the (key, scope) row is inserted in a transaction of its own before booking, so
a duplicate request sees it at once. A transaction opened around ``appointment_book`` by its caller (the
portal did so, to write its audit entry) turns that claim into a savepoint nobody else can see until the
booking ends. These tests look from another connection while the booking is under way.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import time_machine
from django.db import connection, connections

from booking.availability import slot_open
from booking.errors import BookingError
from booking.models import Appointment, IdempotencyKey
from booking.patients import PatientDetails
from painhero.testing import NOW, World, at, make_world
from portal.models import AuditEntry, Membership
from portal.services import appointments

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "form-token-7"


def elsewhere(job: Any) -> Any:
    """Run ``job`` on another thread, so on another database connection; its result or the exception it raised."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(job())
        except Exception as exc:
            result.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


def book(world: World) -> Any:
    return appointments.appointment_book(
        actor=Membership.objects.select_related("clinic").get(user=world.colleague),
        practitioner=world.chen,
        service=world.service,
        start=at(10, days=1),
        patient=PatientDetails(name="Sam Caller", email="sam@example.com", phone="+14165550100"),
        token=TOKEN,
        ip=None,
        now=NOW,
    )


def test_the_form_tokens_claim_is_visible_to_others_while_the_booking_runs(monkeypatch: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        world = make_world()
    seen: list[tuple[int, str]] = []

    def look_from_another_connection(**kwargs: Any) -> bool:
        # Inside the booking's transaction, under the practitioner's lock.
        claims = elsewhere(lambda: IdempotencyKey.objects.filter(key=TOKEN).count())
        duplicate = ""
        if claims == 1 and connection.vendor == "postgresql":
            # A second submission of the same form is answered at once ("still in flight"), never booked twice.
            # (SQLite has one write lock: there the duplicate waits for the booking, as every writer does.)
            answer = elsewhere(lambda: book(world))
            duplicate = type(answer).__name__ if isinstance(answer, BookingError) else repr(answer)
        seen.append((claims, duplicate))
        return slot_open(**kwargs)

    monkeypatch.setattr("booking.services.slot_open", look_from_another_connection)
    booked = book(world)
    expected = "IdempotencyInFlight" if connection.vendor == "postgresql" else ""
    assert seen == [(1, expected)]
    assert Appointment.objects.count() == 1
    assert IdempotencyKey.objects.get(key=TOKEN).appointment_id == booked.appointment.pk
    assert AuditEntry.objects.filter(action="appointment.created").count() == 1


def test_a_refused_booking_forgets_its_claim_so_the_same_form_can_be_sent_again(monkeypatch: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        world = make_world()
    monkeypatch.setattr("booking.services.slot_open", lambda **kwargs: False)
    with pytest.raises(BookingError):
        book(world)
    assert not IdempotencyKey.objects.exists() and not AuditEntry.objects.exists()
    monkeypatch.undo()
    booked = book(world)
    assert not booked.replayed and Appointment.objects.count() == 1
