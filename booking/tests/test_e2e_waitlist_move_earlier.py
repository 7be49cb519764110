"""Issue 16's "done when" for "move me earlier", in headless Chromium (axe-core on every page):

patient A books Friday 10:00 and asks, from the manage link, to be moved earlier if a time opens; patient B cancels
Tuesday 10:00 from theirs; the worker's cycle runs (on a fixed clock); A reads the offer in the email, takes it in one
tap; Tuesday 10:00 is gone from the open times (it is A's now) and Friday 10:00 is open again.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail

from booking.availability import open_times
from booking.models import Appointment, AppointmentStatus, OfferStatus, WaitlistOffer
from booking.services import appointment_book
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, make_world, patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRIDAY = SLOT + timedelta(days=3)


def open_starts(world: Any) -> set[Any]:
    moment = NOW + timedelta(minutes=5)
    times = open_times(
        clinic=world.clinic, service=world.service, start=SLOT, end=FRIDAY + timedelta(hours=1), now=moment
    )
    return {t.start for t in times if t.practitioner_id == world.chen.pk}


def test_issue_16_done_when_a_patient_is_moved_earlier_in_one_tap(
    page: Any, live_server: Any, axe_check: Any, tmp_path: Any
) -> None:
    world = make_world()
    a = appointment_book(
        practitioner=world.chen, service=world.service, start=FRIDAY, patient=patient(1, name="Ann A"), now=NOW
    ).appointment
    b = appointment_book(
        practitioner=world.chen, service=world.service, start=SLOT, patient=patient(2, name="Ben B"), now=NOW
    ).appointment
    outbox_sweep(now=NOW)
    mail.outbox.clear()

    # A asks from the manage link.
    page.goto(f"{live_server.url}/appointments/{a.manage_token}/")
    axe_check(page, where="A's manage page")
    page.get_by_role("button", name="Move me earlier if a time opens").click()
    page.get_by_text("You are waiting for an earlier time").wait_for()
    axe_check(page, where="A's manage page, waiting")

    # B cancels the earlier time from theirs.
    page.goto(f"{live_server.url}/appointments/{b.manage_token}/")
    page.get_by_role("link", name="Cancel this appointment").click()
    page.get_by_role("button", name="Yes, cancel my appointment").click()
    page.get_by_text("Your appointment is cancelled.").wait_for()

    # One worker cycle on a fixed clock: the freed time is offered, then its email sent.
    cycle = NOW + timedelta(minutes=2)
    with time_machine.travel(cycle, tick=False):
        outbox_sweep(now=cycle)
        outbox_sweep(now=cycle)
    [email] = [m for m in mail.outbox if m.subject.startswith("An earlier time is held for you")]
    assert email.to == ["patient1@example.com"]
    assert "Taking it moves your appointment of Friday, December 11, 2026, 10:00 AM" in email.body
    link = re.search(r"https?://\S+/waitlist/\S+/", str(email.body))
    assert link is not None, email.body
    assert SLOT not in open_starts(world), "held for A"

    # A takes it in one tap.
    page.goto(live_server.url + urlsplit(link.group(0)).path)
    page.get_by_text("An earlier time has opened, and it is held for you alone.").wait_for()
    axe_check(page, where="the offer page")
    page.get_by_role("button", name="Move my appointment to this time").click()
    page.get_by_text("Your appointment is moved to the earlier time.").wait_for()
    axe_check(page, where="A's manage page, moved")
    page.screenshot(path=str(tmp_path / "moved.png"), full_page=True)

    a.refresh_from_db()
    assert (a.start, a.status) == (SLOT, AppointmentStatus.BOOKED)
    assert WaitlistOffer.objects.get().status == OfferStatus.TAKEN
    assert Appointment.objects.exclude(status=AppointmentStatus.CANCELLED).count() == 1
    starts = open_starts(world)
    assert SLOT not in starts, "B's old time is A's now"
    assert FRIDAY in starts, "A's old time is free again"
