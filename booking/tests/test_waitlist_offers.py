"""A cancelled time goes to the first patient waiting, held for them alone for 15 minutes; then to the next."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from booking.availability import slot_open
from booking.errors import SlotTaken
from booking.models import (
    AppointmentStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from booking.services import appointment_book, appointment_cancel
from booking.waitlist_offers import OFFER_FOR, waitlist_offer_next
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, World, day, patient

LATER = SLOT + timedelta(days=3)  # Friday 10:00: the waiting patients' own appointments


def wait(world: World, n: int, **fields: Any) -> WaitlistEntry:
    values: dict[str, Any] = {
        "clinic": world.clinic,
        "before": day(5),
        "patient_name": f"Waiting {n}",
        "patient_email": f"waiting{n}@example.com",
        "patient_phone": "+14165550100",
        "created_at": NOW + timedelta(seconds=n),
    }
    values.update(fields)
    return WaitlistEntry.objects.create(**values)


def cancelled_slot(world: World) -> Any:
    appointment = appointment_book(
        practitioner=world.chen, service=world.service, start=SLOT, patient=patient(9), now=NOW
    ).appointment
    outbox_sweep(now=NOW)
    mail.outbox.clear()
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    return appointment


def cycle(time_machine: Any, moment: Any) -> list[Any]:
    """One worker cycle at ``moment``: the freed time (or the lapse) handled, then the email that made, which
    in production its own task sends as soon as the offer commits."""
    time_machine.move_to(moment, tick=False)
    outbox_sweep(now=moment)
    outbox_sweep(now=moment)
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent


def test_a_cancelled_time_is_offered_within_one_cycle_to_exactly_the_first_patient_waiting(
    world: World, time_machine: Any
) -> None:
    first, second = wait(world, 1), wait(world, 2)
    cancelled_slot(world)
    outbox_sweep(now=NOW)
    assert WaitlistOffer.objects.count() == 1, "offered in the first cycle after the cancellation"
    sent = cycle(time_machine, NOW)

    [offer] = WaitlistOffer.objects.all()
    assert (offer.entry, offer.start, offer.status, offer.expires_at) == (
        first,
        SLOT,
        OfferStatus.OPEN,
        NOW + OFFER_FOR,
    )
    offers = [m for m in sent if m.subject.startswith("An earlier time is held for you")]
    assert [m.to for m in offers] == [["waiting1@example.com"]]
    assert f"/waitlist/{first.token}/" in offers[0].body
    assert "Tuesday, December 8, 2026, 10:00 AM" in offers[0].body
    second.refresh_from_db()
    assert second.status == WaitlistStatus.WAITING
    assert not slot_open(practitioner=world.chen, service=world.service, start=SLOT, now=NOW), "the hold takes it"
    with pytest.raises(SlotTaken):
        appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(5), now=NOW)


def test_an_offer_not_taken_passes_to_the_next_patient_and_never_back(world: World, time_machine: Any) -> None:
    first, second = wait(world, 1), wait(world, 2)
    cancelled_slot(world)
    cycle(time_machine, NOW)
    assert cycle(time_machine, NOW + OFFER_FOR - timedelta(seconds=1)) == []

    sent = cycle(time_machine, NOW + OFFER_FOR)
    assert [m.to for m in sent] == [["waiting2@example.com"]]
    assert WaitlistOffer.objects.get(entry=first).status == OfferStatus.LAPSED
    assert WaitlistOffer.objects.get(entry=second).status == OfferStatus.OPEN
    first.refresh_from_db()
    assert first.status == WaitlistStatus.WAITING, "still waiting for another time"

    # The second lets it lapse too: nobody is left who has not had it.
    cycle(time_machine, NOW + 2 * OFFER_FOR)
    assert WaitlistOffer.objects.filter(status=OfferStatus.OPEN).count() == 0
    assert slot_open(practitioner=world.chen, service=world.service, start=SLOT, now=NOW + 2 * OFFER_FOR)


def test_the_one_tap_link_shows_the_offer_and_its_post_books_it_once(world: World, time_machine: Any) -> None:
    first = wait(world, 1)
    cancelled_slot(world)
    cycle(time_machine, NOW)
    client = Client()
    page = client.get(f"/waitlist/{first.token}/")
    assert page.status_code == 200 and "Book this time" in page.content.decode()
    assert WaitlistOffer.objects.get().status == OfferStatus.OPEN, "the GET takes nothing"

    assert client.post(f"/waitlist/{first.token}/").status_code == 302
    assert client.post(f"/waitlist/{first.token}/").status_code == 302
    offer = WaitlistOffer.objects.get()
    assert offer.status == OfferStatus.TAKEN and offer.appointment is not None
    booked = offer.appointment
    assert (booked.start, booked.patient_email, booked.status) == (
        SLOT,
        "waiting1@example.com",
        AppointmentStatus.BOOKED,
    )
    assert world.chen.appointments.filter(start=SLOT, status=AppointmentStatus.BOOKED).count() == 1
    first.refresh_from_db()
    assert first.status == WaitlistStatus.BOOKED


def test_a_lapsed_offer_cannot_be_taken(world: World, time_machine: Any) -> None:
    first = wait(world, 1)
    cancelled_slot(world)
    cycle(time_machine, NOW)
    time_machine.move_to(NOW + OFFER_FOR + timedelta(seconds=1), tick=False)
    response = Client().post(f"/waitlist/{first.token}/", follow=True)
    assert "This offer has lapsed" in response.content.decode()
    assert not world.chen.appointments.filter(start=SLOT, status=AppointmentStatus.BOOKED).exists()


def test_a_time_outside_the_patients_windows_goes_to_the_next(world: World, time_machine: Any) -> None:
    wait(world, 1, windows=[{"from": "13:00", "to": "17:00"}])
    fits = wait(world, 2, windows=[{"from": "09:00", "to": "11:00"}])
    cancelled_slot(world)
    cycle(time_machine, NOW)
    assert WaitlistOffer.objects.get().entry == fits


def test_the_database_refuses_two_open_offers_for_one_time(world: World, time_machine: Any) -> None:
    wait(world, 1)
    second = wait(world, 2)
    cancelled_slot(world)
    cycle(time_machine, NOW)
    offer = WaitlistOffer.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.create(
            entry=second,
            practitioner=world.chen,
            service=world.service,
            start=SLOT,
            end=offer.end,
            expires_at=offer.expires_at,
            created_at=NOW,
        )
    # And the matcher, asked again for the same time, offers it to nobody else.
    assert waitlist_offer_next(practitioner_id=world.chen.pk, service_id=world.service.pk, start=SLOT, now=NOW) is None


def test_the_api_shows_the_standing_offer(world: World, time_machine: Any, client: Client) -> None:
    first = wait(world, 1)
    cancelled_slot(world)
    cycle(time_machine, NOW)
    data = client.get(f"/api/v1/waitlist/{first.token}").json()
    offer = WaitlistOffer.objects.get()
    assert data["offer"]["hold_id"] == offer.hold_id
    assert data["offer"]["practitioner_id"] == world.chen.pk
    assert data["status"] == "offered"


def test_matching_a_freed_time_against_10000_waiting_entries_reads_the_index_not_the_table(
    world: World, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection

    from booking.waitlist_offers import waitlist_candidates

    def match() -> Any:
        return waitlist_offer_next(practitioner_id=world.chen.pk, service_id=world.service.pk, start=SLOT, now=NOW)

    # 10,000 waiting at this clinic, none of whom the time suits (afternoons only), then one it suits.
    WaitlistEntry.objects.bulk_create(
        WaitlistEntry(
            clinic=world.clinic if n % 2 else world.other_clinic,
            before=day(5),
            windows=[{"from": "13:00", "to": "17:00"}] if n < 45 else [],
            patient_name=f"W{n}",
            patient_email=f"w{n}@example.com",
            patient_phone="+14165550100",
            created_at=NOW + timedelta(seconds=n),
        )
        for n in range(10_000)
    )
    candidates = waitlist_candidates(
        clinic_id=world.clinic.pk, practitioner_id=world.chen.pk, service_id=world.service.pk, start=SLOT, day=day(1)
    )
    if connection.vendor == "sqlite":
        sql, params = candidates.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "waitlist_clinic_waiting" in plan, plan
        assert "SCAN booking_waitlistentry" not in plan, plan
    with django_assert_max_num_queries(40):
        offer = match()
    assert offer is not None and offer.entry.patient_name == "W45"


def test_the_api_books_an_offer_with_its_hold_id_and_the_waitlist_token_once(
    world: World, time_machine: Any, client: Client
) -> None:
    import json

    first = wait(world, 1)
    cancelled_slot(world)
    cycle(time_machine, NOW)
    offer = WaitlistOffer.objects.get()
    body = {
        "practitioner_id": world.chen.pk,
        "service_id": world.service.pk,
        "start": SLOT.isoformat(),
        "patient": {"name": "Anyone", "email": "any@example.com", "phone": "416 555 0123"},
        "hold_id": offer.hold_id,
    }

    def post(data: dict[str, Any]) -> Any:
        return client.post(
            "/api/v1/appointments", json.dumps(data), content_type="application/json", headers={"Idempotency-Key": "w"}
        )

    assert post(body | {"waitlist_token": "not-it"}).status_code == 409
    assert post(body | {"waitlist_token": first.token, "hold_id": (offer.hold_id or 0) + 1}).status_code == 409
    taken = post(body | {"waitlist_token": first.token})
    assert taken.status_code == 201, taken.content
    again = post(body | {"waitlist_token": first.token})
    assert (again.status_code, again.json()["id"]) == (200, taken.json()["id"])
    booked = world.chen.appointments.get(start=SLOT, status=AppointmentStatus.BOOKED)
    assert booked.patient_email == "waiting1@example.com", "the entry's patient, not the body's"
