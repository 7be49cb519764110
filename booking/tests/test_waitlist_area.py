"""A freed time at a clinic goes to the area entries whose circle holds the clinic and whose discipline it offers."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import WaitlistEntry, WaitlistOffer, WaitlistStatus
from booking.services import appointment_book, appointment_cancel
from booking.waitlist_offers import waitlist_area_candidates, waitlist_area_cells, waitlist_offer_next
from clinics.geo import EARTH_RADIUS_KM
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, World, day, patient

pytestmark = pytest.mark.django_db


def km_north(world: World, km: float) -> tuple[float, float]:
    """A point ``km`` due north of the world's clinic."""
    return world.clinic.latitude + math.degrees(km / EARTH_RADIUS_KM), world.clinic.longitude


def area(world: World, n: int, *, km: float, radius_km: int = 10, **fields: Any) -> WaitlistEntry:
    lat, lng = km_north(world, km)
    values: dict[str, Any] = {
        "latitude": lat,
        "longitude": lng,
        "radius_km": radius_km,
        "discipline": "physiotherapy",
        "before": day(5),
        "patient_name": f"Area {n}",
        "patient_email": f"area{n}@example.com",
        "patient_phone": "+14165550100",
        "created_at": NOW + timedelta(seconds=n),
    }
    values.update(fields)
    return WaitlistEntry.objects.create(**values)


def freed(world: World) -> WaitlistOffer | None:
    return waitlist_offer_next(practitioner_id=world.chen.pk, service_id=world.service.pk, start=SLOT, now=NOW)


def test_an_area_entry_whose_circle_holds_the_clinic_is_offered_the_freed_time(world: World) -> None:
    inside = area(world, 1, km=9.5, radius_km=10)
    offer = freed(world)
    assert offer is not None
    assert offer.entry == inside
    inside.refresh_from_db()
    assert inside.status == WaitlistStatus.OFFERED


def test_an_area_entry_just_outside_its_radius_is_passed_over(world: World) -> None:
    area(world, 1, km=10.5, radius_km=10)
    inside = area(world, 2, km=4, radius_km=5)
    offer = freed(world)
    assert offer is not None
    assert offer.entry == inside, "the older entry 10.5 km away with a 10 km radius was passed over"


def test_an_area_entry_for_another_discipline_is_passed_over_and_one_for_any_discipline_is_not(world: World) -> None:
    area(world, 1, km=1, discipline="chiropractic")
    anything = area(world, 2, km=1, discipline="")
    offer = freed(world)
    assert offer is not None
    assert offer.entry == anything


def test_an_expired_area_entry_is_passed_over(world: World) -> None:
    area(world, 1, km=1, before=day(0))  # needed by today; the time is tomorrow
    assert freed(world) is None
    assert not WaitlistOffer.objects.exists()


def test_the_oldest_entry_of_either_kind_gets_the_time(world: World) -> None:
    older_area = area(world, 1, km=2)
    WaitlistEntry.objects.create(
        clinic=world.clinic,
        before=day(5),
        patient_name="Clinic 2",
        patient_email="clinic2@example.com",
        patient_phone="+14165550100",
        created_at=NOW + timedelta(seconds=2),
    )
    offer = freed(world)
    assert offer is not None
    assert offer.entry == older_area


def test_a_cancellation_offers_the_time_to_an_area_entry_through_the_outbox(world: World) -> None:
    inside = area(world, 1, km=3)
    appointment = appointment_book(
        practitioner=world.chen, service=world.service, start=SLOT, patient=patient(9), now=NOW
    ).appointment
    outbox_sweep(now=NOW)
    appointment_cancel(appointment=appointment, now=NOW, source="web")
    outbox_sweep(now=NOW)
    [offer] = WaitlistOffer.objects.all()
    assert (offer.entry, offer.start) == (inside, SLOT)


def test_area_entries_of_a_clinic_outside_the_network_are_not_offered_its_time(world: World) -> None:
    area(world, 1, km=1)
    world.clinic.network_status = "suspended"
    world.clinic.save(update_fields=["network_status"])
    assert freed(world) is None


def test_the_cells_near_a_point_hold_every_cell_a_100_km_circle_reaches() -> None:
    # Regina, 50.45 N, 104.6 W: 100 km is about 0.9 degrees of latitude and 1.44 of longitude there.
    cells = waitlist_area_cells(latitude=50.45, longitude=-104.6)
    assert len(cells) == len(set(cells))
    lat_rows = {cell // 361 - 90 for cell in cells}
    lng_columns = {cell % 361 - 180 for cell in cells}
    assert lat_rows == {49, 50, 51}
    assert lng_columns == {-107, -106, -105, -104}


def test_the_area_match_reads_the_cell_index_not_the_whole_waitlist(world: World) -> None:
    area(world, 1, km=1)
    query = waitlist_area_candidates(
        clinic=world.clinic, practitioner_id=world.chen.pk, discipline="physiotherapy", start=SLOT, day=day(1)
    )
    with CaptureQueriesContext(connection) as captured:
        list(query)
    [sql] = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {'QUERY PLAN ' if connection.vendor == 'sqlite' else ''}{sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "waitlist_area_cell_waiting" in plan, plan


def test_an_entry_99_km_away_in_another_cell_with_a_100_km_radius_is_offered_the_time(world: World) -> None:
    far = area(world, 1, km=99, radius_km=100)
    assert far.latitude is not None
    assert math.floor(far.latitude) != math.floor(world.clinic.latitude), "in the next row of cells"
    offer = freed(world)
    assert offer is not None
    assert offer.entry == far
