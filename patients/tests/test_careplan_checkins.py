"""A care plan's check-ins: booking the plan's series invites each visit's one-minute check-in, the email leaves
once before its visit with nothing about health in its subject; a visit moved moves its invitation and a visit
cancelled drops it (booking.hooks' change listener); the dedupe key is a UTC instant, whatever zone is in hand."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail

from booking.models import Actor, Appointment
from booking.services import appointment_cancel, appointment_reschedule
from notifications.models import MessageStatus, OutboxMessage
from notifications.services import outbox_sweep
from painhero.testing import NOW, World
from patients.careplan_models import CarePlan
from patients.careplan_propose import Preferences
from patients.careplan_testing import consultation_make, emailed_token, plan_make
from patients.careplans import VisitChoice, careplan_book, plan_times_propose
from patients.models import OutcomeCheckIn
from patients.outcomes_checkins import CHECKIN_EMAIL_KIND, CHECKIN_LEAD, checkin_invite, checkin_key

SHAPE = ((2, 1), (1, 1))  # three visits
TORONTO = ZoneInfo("America/Toronto")
LINK = re.compile(r"/check-in/([A-Za-z0-9_-]+)/")


def _book_plan(world: World) -> tuple[CarePlan, list[Appointment]]:
    plan = plan_make(world, consultation_make(world), shape=SHAPE)
    token = emailed_token(plan)
    proposed = plan_times_propose(plan=plan, preferences=Preferences(), now=NOW)
    choices = [VisitChoice(v.time.practitioner_id, v.time.start) for v in proposed if v.time is not None]
    booked = careplan_book(plan=plan, token=token, choices=choices, now=NOW)
    mail.outbox.clear()
    return plan, booked.appointments


def _invitations() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=CHECKIN_EMAIL_KIND).order_by("not_before", "pk"))


def _checkin_emails() -> list[Any]:
    return [m for m in mail.outbox if LINK.search(str(m.body))]


def _deliver_at(time_machine: Any, moment: datetime) -> list[Any]:
    time_machine.move_to(moment, tick=False)
    mail.outbox.clear()
    outbox_sweep(now=moment)
    return _checkin_emails()


def test_booking_the_plan_invites_every_visit_and_each_email_leaves_once(world: World, time_machine: Any) -> None:
    _plan, visits = _book_plan(world)
    assert len(visits) == 3
    checkins = OutcomeCheckIn.objects.filter(appointment__in=visits, taken_at__isnull=True)
    assert sorted(c.appointment_id or 0 for c in checkins) == sorted(v.pk for v in visits)
    invitations = _invitations()
    assert [m.not_before for m in invitations] == [v.start - CHECKIN_LEAD for v in visits]
    assert all("jo@example.com" not in str(m.payload) for m in invitations)  # identifiers only

    assert _deliver_at(time_machine, visits[0].start - CHECKIN_LEAD - timedelta(minutes=1)) == [], "not before"
    [email] = _deliver_at(time_machine, visits[0].start - CHECKIN_LEAD)
    assert email.to == ["jo@example.com"]
    assert "Alpha Physio" in email.subject
    for word in ("pain", "back", "plan", "care", "Tying", "6/10", "Mechanical"):
        assert word.lower() not in email.subject.lower()
    assert _deliver_at(time_machine, visits[0].start - CHECKIN_LEAD + timedelta(minutes=5)) == [], "sent once"
    # The last visit's invitation too (the discharge point the clinic's figures read).
    [last] = _deliver_at(time_machine, visits[-1].start - CHECKIN_LEAD)
    assert visits[-1].start.astimezone(TORONTO).strftime("%B %-d") in last.subject


def test_the_invitation_key_is_the_same_instant_in_any_zone(world: World) -> None:
    _plan, visits = _book_plan(world)
    checkin = OutcomeCheckIn.objects.get(appointment=visits[0])
    in_utc = Appointment.objects.get(pk=visits[0].pk)
    in_toronto = Appointment.objects.get(pk=visits[0].pk)
    in_toronto.start = in_toronto.start.astimezone(TORONTO)
    assert checkin_key(checkin, in_toronto) == checkin_key(checkin, in_utc)
    assert checkin_key(checkin, in_utc).endswith("Z")


def test_a_visit_moved_moves_its_invitation(world: World, time_machine: Any) -> None:
    _plan, visits = _book_plan(world)
    moved = visits[1]
    old_start = moved.start
    # Two days later at 16:00 on the clinic's wall clock, given as a Toronto time (not UTC).
    new_day = (old_start.astimezone(TORONTO) + timedelta(days=2)).date()
    while new_day.weekday() >= 5 or new_day in {v.start.astimezone(TORONTO).date() for v in visits}:
        new_day += timedelta(days=1)
    new_start = datetime(new_day.year, new_day.month, new_day.day, 16, 0, tzinfo=TORONTO)
    appointment_reschedule(appointment=moved, start=new_start, now=NOW, actor=Actor.PATIENT, source="web")

    old, new = (
        OutboxMessage.objects.get(kind=CHECKIN_EMAIL_KIND, ref=f"appointment:{moved.pk}", not_before=when)
        for when in (old_start - CHECKIN_LEAD, new_start - CHECKIN_LEAD)
    )
    assert old.status == MessageStatus.SKIPPED and new.status == MessageStatus.PENDING
    assert OutcomeCheckIn.objects.filter(appointment=moved).count() == 1, "the same check-in, at the new time"
    assert _deliver_at(time_machine, old_start - CHECKIN_LEAD) == [], "nothing at the old time"
    [email] = _deliver_at(time_machine, new_start - CHECKIN_LEAD)
    assert "4:00 PM" in email.subject and new_start.strftime("%B %-d") in email.subject
    assert _deliver_at(time_machine, new_start - CHECKIN_LEAD + timedelta(minutes=5)) == [], "sent once"


def test_a_link_emailed_before_a_move_dies_and_the_new_time_sends_a_new_one(
    world: World, client: Any, time_machine: Any
) -> None:
    _plan, visits = _book_plan(world)
    moved = visits[0]
    [email] = _deliver_at(time_machine, moved.start - CHECKIN_LEAD)
    found = LINK.search(str(email.body))
    assert found is not None
    old_link = f"/check-in/{found.group(1)}/"
    assert client.get(old_link).status_code == 200
    now = moved.start - CHECKIN_LEAD
    new_start = (moved.start + timedelta(days=1)).astimezone(TORONTO).replace(hour=16, minute=0)
    while new_start.weekday() >= 5 or new_start.date() in {v.start.astimezone(TORONTO).date() for v in visits}:
        new_start += timedelta(days=1)
    appointment_reschedule(appointment=moved, start=new_start, now=now, actor=Actor.STAFF, source="portal")
    assert client.get(old_link).status_code == 404
    [again] = _deliver_at(time_machine, new_start - CHECKIN_LEAD)
    assert LINK.search(str(again.body)) is not None and old_link not in str(again.body)


def test_a_visit_cancelled_drops_its_invitation(world: World, time_machine: Any) -> None:
    _plan, visits = _book_plan(world)
    cancelled = visits[2]
    appointment_cancel(appointment=cancelled, now=NOW, source="web")
    [message] = OutboxMessage.objects.filter(kind=CHECKIN_EMAIL_KIND, ref=f"appointment:{cancelled.pk}")
    assert message.status == MessageStatus.SKIPPED
    assert not OutcomeCheckIn.objects.filter(appointment=cancelled).exists()
    assert OutcomeCheckIn.objects.filter(appointment__in=visits[:2]).count() == 2, "the others stay"
    assert _deliver_at(time_machine, cancelled.start - CHECKIN_LEAD) == []


def test_a_recorded_check_in_stays_when_its_visit_is_cancelled(world: World) -> None:
    _plan, visits = _book_plan(world)
    OutcomeCheckIn.objects.filter(appointment=visits[0]).update(taken_at=NOW, nprs=4, groc=2, recorded_by="patient")
    appointment_cancel(appointment=visits[0], now=NOW, actor=Actor.STAFF, source="portal")
    assert OutcomeCheckIn.objects.filter(appointment=visits[0], taken_at=NOW).exists()


def test_inviting_again_with_the_time_in_the_clinics_zone_queues_nothing_more(world: World, time_machine: Any) -> None:
    _plan, visits = _book_plan(world)
    local = Appointment.objects.get(pk=visits[0].pk)
    local.start = local.start.astimezone(TORONTO)  # as a move or a form hands it over
    checkin = OutcomeCheckIn.objects.get(appointment=visits[0])
    assert checkin_invite(appointment=local, intake=checkin.intake, now=NOW) == checkin
    assert OutboxMessage.objects.filter(kind=CHECKIN_EMAIL_KIND, ref=f"appointment:{local.pk}").count() == 1
    assert len(_deliver_at(time_machine, visits[0].start - CHECKIN_LEAD)) == 1, "one email"
