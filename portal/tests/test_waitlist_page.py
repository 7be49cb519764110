"""The clinic's waitlist in the portal: who waits, the offers standing, the times filled; its own clinic's only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client

from booking.models import OfferStatus, WaitlistEntry, WaitlistOffer, WaitlistStatus
from painhero.testing import NOW, SLOT, World, client_for, day


def entry(world: World, name: str, *, clinic: Any = None, **fields: Any) -> WaitlistEntry:
    values: dict[str, Any] = {
        "clinic": clinic or world.clinic,
        "before": day(5),
        "patient_name": name,
        "patient_email": f"{name.split()[0].lower()}@example.org",
        "patient_phone": "+14165550100",
        "created_at": NOW - timedelta(hours=1),
    }
    values.update(fields)
    return WaitlistEntry.objects.create(**values)


def offer(world: World, waiting: WaitlistEntry, *, start: Any, status: str, practitioner: Any = None) -> WaitlistOffer:
    practitioner = practitioner or world.chen
    return WaitlistOffer.objects.create(
        entry=waiting,
        practitioner=practitioner,
        service=world.service if practitioner.clinic_id == world.clinic.pk else world.other_service,
        start=start,
        end=start + timedelta(minutes=30),
        expires_at=NOW + timedelta(minutes=15),
        status=status,
        created_at=NOW - timedelta(days=1),
    )


def test_an_empty_waitlist_says_so_and_is_in_the_nav(world: World) -> None:
    page = client_for(world.owner).get(f"/portal/{world.clinic.pk}/waitlist/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nobody is waiting for an earlier time." in html
    assert "No offer is standing." in html and "No time has been filled from the waitlist yet." in html
    assert "0 cancelled or freed times filled from the waitlist in the last 30 days" in html
    assert f'href="/portal/{world.clinic.pk}/waitlist/" aria-current="page"' in html


def test_it_shows_who_waits_the_offers_standing_and_the_times_filled(world: World) -> None:
    entry(world, "Wanda Waiting", service=world.service)
    offered = entry(world, "Oscar Offered", status=WaitlistStatus.OFFERED, patient_email="oscar@example.org")
    offer(world, offered, start=SLOT, status=OfferStatus.OPEN)
    filled = entry(world, "Fiona Filled", status=WaitlistStatus.BOOKED)
    offer(world, filled, start=SLOT + timedelta(hours=2), status=OfferStatus.TAKEN)
    entry(world, "Gone Left", status=WaitlistStatus.LEFT)
    html = client_for(world.colleague).get(f"/portal/{world.clinic.pk}/waitlist/").content.decode()
    for name in ("Wanda Waiting", "Oscar Offered", "Fiona Filled"):
        assert name in html
    assert "Gone Left" not in html
    assert "oscar@example.org" not in html and "+14165550100" not in html, "no contact details"
    assert "1 cancelled or freed time filled from the waitlist in the last 30 days" in html
    assert "Tue 8 Dec, 10:00" in html, "the offer's time on the clinic's clock"


def test_another_clinics_waitlist_stays_behind_its_wall(world: World) -> None:
    secret = entry(world, "Zebulon Quixote-Bravo", clinic=world.other_clinic)
    offer(world, secret, start=SLOT, status=OfferStatus.TAKEN, practitioner=world.other_practitioner)
    owner = client_for(world.owner)
    assert "Zebulon" not in owner.get(f"/portal/{world.clinic.pk}/waitlist/").content.decode()
    assert owner.get(f"/portal/{world.other_clinic.pk}/waitlist/").status_code == 404
    assert client_for(world.practitioner).get(f"/portal/{world.clinic.pk}/waitlist/").status_code == 404
    assert Client().get(f"/portal/{world.clinic.pk}/waitlist/").status_code == 302
    assert owner.post(f"/portal/{world.clinic.pk}/waitlist/").status_code == 405
