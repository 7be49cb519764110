"""Joining the waitlist from a clinic's page or a search, in the browser's forms, and leaving it from the link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from booking.models import WaitlistEntry, WaitlistStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_sweep
from painhero.testing import NOW, World, day

JOIN = {
    "before": day(10).isoformat(),
    "windows": ["morning", "evening"],
    "name": "  Rosa Waiting ",
    "email": "rosa@example.com",
    "phone": "416 555 0199",
    "sms_reminders": "on",
}
TORONTO = {"lat": "43.70011", "lng": "-79.4163", "place": "Toronto", "discipline": "physiotherapy"}


def join_url(world: World) -> str:
    return f"/waitlist/join/{world.clinic.slug}/"


def test_the_clinic_page_links_to_its_waitlist(world: World, client: Client) -> None:
    html = client.get(f"/clinics/{world.clinic.city.slug}/{world.clinic.slug}/").content.decode()
    assert f'href="/waitlist/join/{world.clinic.slug}/"' in html


def test_search_results_link_to_the_area_waitlist_with_their_point_and_discipline(world: World, client: Client) -> None:
    html = client.get("/search/", {"city": world.clinic.city.slug, "discipline": "physiotherapy"}).content.decode()
    [link] = re.findall(r'href="(/waitlist/join/\?[^"]+)"', html)
    assert "discipline=physiotherapy" in link
    assert "lat=" in link and "lng=" in link and "radius_km=" in link
    assert client.get(link.replace("&amp;", "&")).status_code == 200


def test_the_join_page_offers_the_clinics_own_services_and_practitioners(world: World, client: Client) -> None:
    response = client.get(join_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.chen.full_name in html and world.service.label in html
    assert world.other_practitioner.full_name not in html
    assert response["Cache-Control"] == "private, no-store"


def test_a_clinic_outside_the_network_or_unknown_has_no_waitlist_page(world: World, client: Client) -> None:
    world.other_clinic.network_status = "suspended"
    world.other_clinic.save(update_fields=["network_status"])
    assert client.get(f"/waitlist/join/{world.other_clinic.slug}/").status_code == 404
    assert client.get("/waitlist/join/no-such-clinic/").status_code == 404


def test_joining_at_a_clinic_records_the_entry_and_emails_a_confirmation_with_the_leave_link_once(
    world: World, client: Client
) -> None:
    response = client.post(join_url(world), {**JOIN, "practitioner": world.chen.pk})
    [entry] = WaitlistEntry.objects.all()
    assert response.status_code == 302
    assert response["Location"] == f"/waitlist/{entry.token}/"
    assert (entry.clinic, entry.practitioner, entry.service, entry.before) == (world.clinic, world.chen, None, day(10))
    assert entry.windows == [{"from": "07:00", "to": "12:00"}, {"from": "17:00", "to": "22:00"}]
    assert (entry.patient_name, entry.patient_phone, entry.sms_consented_at) == ("Rosa Waiting", "+14165550199", NOW)
    outbox_sweep(now=NOW)
    outbox_sweep(now=NOW)
    [email] = mail.outbox
    assert email.to == ["rosa@example.com"]
    assert world.clinic.name in email.subject
    assert f"/waitlist/{entry.token}/leave/" in email.body
    assert "07:00–12:00, 17:00–22:00" in email.body
    assert OutboxMessage.objects.get(kind="booking.waitlist_joined").dedupe_key


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": " "}, "name", "Enter your full name."),
        ({"email": "rosa@"}, "email", "Enter a valid email address."),
        ({"phone": "12"}, "phone", ""),
        ({"before": day(-1).isoformat()}, "before", "Pick today or a later day."),
        ({"before": "next week"}, "before", "Enter a date, for example 2027-01-15."),
        ({"before": "2031-01-01"}, "before", ""),
        ({"windows": ["night"]}, "windows", "Select a valid choice."),
    ],
)
def test_a_bad_field_gets_a_400_naming_it_and_nothing_is_recorded(
    world: World, client: Client, change: dict[str, Any], field: str, message: str
) -> None:
    response = client.post(join_url(world), {**JOIN, **change})
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert "Please fix this to join the waitlist:" in response.content.decode()
    assert not WaitlistEntry.objects.exists()
    assert not OutboxMessage.objects.filter(kind="booking.waitlist_joined").exists()


def test_another_clinics_service_is_not_one_of_the_choices(world: World, client: Client) -> None:
    response = client.post(join_url(world), {**JOIN, "service": world.other_service.pk})
    assert response.status_code == 400
    assert "service" in response.context["form"].errors
    assert not WaitlistEntry.objects.exists()


def test_joining_from_a_search_records_an_area_entry(world: World, client: Client) -> None:
    page = client.get("/waitlist/join/", {**TORONTO, "radius_km": "10"})
    assert page.status_code == 200
    assert "near Toronto" in page.content.decode()
    response = client.post("/waitlist/join/", {**JOIN, **TORONTO, "radius_km": "10"})
    assert response.status_code == 302
    [entry] = WaitlistEntry.objects.all()
    assert entry.clinic is None
    assert (entry.latitude, entry.longitude, entry.radius_km, entry.discipline) == (
        43.70011,
        -79.4163,
        10,
        "physiotherapy",
    )
    outbox_sweep(now=NOW)
    [email] = mail.outbox
    assert "within 10 km" in email.body and "Physiotherapy" in email.body


def test_the_area_page_without_a_point_says_to_start_from_a_search(world: World, client: Client) -> None:
    response = client.get("/waitlist/join/", {"lat": "north", "place": "Toronto"})
    assert response.status_code == 400
    assert "Start from a search" in response.content.decode()
    assert client.post("/waitlist/join/", {**JOIN, "lat": "95", "lng": "0", "radius_km": "10"}).status_code == 400
    assert client.post("/waitlist/join/", {**JOIN, **TORONTO, "radius_km": "7"}).status_code == 400
    assert not WaitlistEntry.objects.exists()


def test_the_leave_link_asks_first_and_the_post_leaves(world: World, client: Client) -> None:
    client.post(join_url(world), JOIN)
    entry = WaitlistEntry.objects.get()
    ask = client.get(f"/waitlist/{entry.token}/leave/")
    assert ask.status_code == 200
    assert "Yes, leave the waitlist" in ask.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING, "a GET (a prefetched link) changes nothing"
    response = client.post(f"/waitlist/{entry.token}/leave/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT
    page = client.get(response["Location"]).content.decode()
    assert "You have left the waitlist" in page
    assert "Leave the waitlist</a>" not in page


def test_a_confirmation_for_an_entry_left_before_it_went_is_not_sent(world: World, client: Client) -> None:
    client.post(join_url(world), JOIN)
    entry = WaitlistEntry.objects.get()
    client.post(f"/waitlist/{entry.token}/leave/")
    outbox_sweep(now=NOW)
    assert mail.outbox == []


def test_an_unknown_token_has_no_leave_page(world: World, client: Client) -> None:
    assert client.get("/waitlist/not-a-token/leave/").status_code == 404
    assert client.post("/waitlist/not-a-token/leave/").status_code == 404


def test_leaving_with_an_offer_standing_lets_the_time_go_to_the_next_patient_at_once(
    world: World, client: Client
) -> None:
    from booking.models import Hold, OfferStatus, WaitlistOffer
    from booking.waitlist_offers import waitlist_offer_next
    from painhero.testing import SLOT

    client.post(join_url(world), JOIN)
    client.post(join_url(world), {**JOIN, "email": "next@example.com"})
    first, second = WaitlistEntry.objects.order_by("created_at", "pk")
    offer = waitlist_offer_next(practitioner_id=world.chen.pk, service_id=world.service.pk, start=SLOT, now=NOW)
    assert offer is not None and offer.entry == first
    hold_id = offer.hold_id
    assert hold_id is not None and Hold.objects.filter(pk=hold_id).exists()
    client.post(f"/waitlist/{first.token}/leave/")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.LAPSED
    assert not Hold.objects.filter(pk=hold_id).exists(), "the time held for the patient who left is let go"
    outbox_sweep(now=NOW)
    [passed_on] = WaitlistOffer.objects.filter(status=OfferStatus.OPEN)
    assert (passed_on.entry, passed_on.start) == (second, SLOT)
