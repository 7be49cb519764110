"""Schedules: who may see and change them, posted openings, validation, and strand protection."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from booking.models import AppointmentStatus, ClinicBookingPolicy
from notifications.models import OutboxMessage
from painhero.testing import NOW, World, at, book
from portal.models import AuditEntry
from scheduling.models import BookingRules, ClinicClosure, PostedOpening, TimeOff, TimeOffKind, WorkingHours
from scheduling.selectors import open_times_list
from scheduling.testing import toronto

pytestmark = pytest.mark.django_db


def url(name: str, world: World, **kwargs: int) -> str:
    return reverse(f"portal:{name}", kwargs={"clinic_id": world.clinic.pk, **kwargs})


def as_user(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


# --- Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_owner_and_desk_see_every_schedule_and_the_clinic_index(client: Any, world: World, who: str) -> None:
    as_user(client, getattr(world, who))
    assert client.get(url("schedules", world)).status_code == 200
    for person in (world.chen, world.lee):
        response = client.get(url("schedule", world, practitioner_id=person.pk))
        assert response.status_code == 200
        assert person.full_name in response.content.decode()


def test_a_practitioner_sees_only_their_own_schedule(client: Any, world: World) -> None:
    as_user(client, world.practitioner)
    response = client.get(url("schedules", world))
    assert response.status_code == 302
    assert response["Location"] == url("schedule", world, practitioner_id=world.chen.pk)
    assert client.get(url("schedule", world, practitioner_id=world.chen.pk)).status_code == 200
    assert client.get(url("schedule", world, practitioner_id=world.lee.pk)).status_code == 404
    response = client.post(url("time_off_add", world, practitioner_id=world.lee.pk), {})
    assert response.status_code == 404


def test_a_practitioner_cannot_close_the_clinic_or_change_the_rules(client: Any, world: World) -> None:
    as_user(client, world.practitioner)
    assert client.post(url("closure_add", world), {"start_date": "2026-12-09"}).status_code == 404
    assert client.post(url("rules_update", world), {}).status_code == 404
    assert not ClinicClosure.objects.exists()


def test_another_clinics_staff_get_404_everywhere(client: Any, world: World) -> None:
    as_user(client, world.outsider)
    assert client.get(url("schedules", world)).status_code == 404
    assert client.get(url("schedule", world, practitioner_id=world.chen.pk)).status_code == 404
    assert client.post(url("slot_add", world, practitioner_id=world.chen.pk), {}).status_code == 404


def test_staff_cannot_reach_another_clinics_practitioner_through_their_own_clinic(client: Any, world: World) -> None:
    as_user(client, world.owner)
    response = client.get(url("schedule", world, practitioner_id=world.other_practitioner.pk))
    assert response.status_code == 404


def test_the_schedule_page_runs_a_bounded_number_of_queries(
    client: Any, world: World, django_assert_max_num_queries: Any
) -> None:
    for day in range(8, 12):
        book(world, toronto(2026, 12, day, 10, 0))
    as_user(client, world.owner)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(20):
        assert client.get(url("schedule", world, practitioner_id=world.chen.pk)).status_code == 200


# --- Posting an opening, blocking a time -----------------------------------------------------------


def test_a_posted_opening_shows_at_once_among_the_next_open_times(client: Any, world: World) -> None:
    as_user(client, world.colleague)
    # Saturday: no weekly hours, so 10:00 is open only because it is posted.
    data = {"kind": "opening", "day": "2026-12-12", "start_time": "10:00", "end_time": "10:30"}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("slot_add", world, practitioner_id=world.chen.pk), data, follow=True)
    assert response.status_code == 200
    opening = PostedOpening.objects.get(practitioner=world.chen)
    assert opening.start == at(10, days=5)
    assert "Saturday, December 12, 2026, 10:00 AM" in response.content.decode()
    entry = AuditEntry.objects.get(action="schedule.opening_post")
    assert entry.clinic_id == world.clinic.pk
    assert entry.user_id == world.colleague.pk
    assert entry.object_id == str(opening.pk)


def test_an_opening_in_the_past_is_refused_with_a_message(client: Any, world: World) -> None:
    as_user(client, world.owner)
    data = {"kind": "opening", "day": "2026-12-04", "start_time": "10:00", "end_time": "11:00"}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("slot_add", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 400
    assert "This time is in the past." in response.content.decode()
    assert not PostedOpening.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_opening_too_short_for_any_service_is_refused(client: Any, world: World) -> None:
    as_user(client, world.owner)
    data = {"kind": "opening", "day": "2026-12-12", "start_time": "10:00", "end_time": "10:20"}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("slot_add", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 400
    assert "No service fits in 20 minutes (the shortest takes 30)." in response.content.decode()
    assert not PostedOpening.objects.exists()


def test_an_opening_that_ends_before_it_starts_is_refused(client: Any, world: World) -> None:
    as_user(client, world.owner)
    data = {"kind": "opening", "day": "2026-12-12", "start_time": "11:00", "end_time": "10:00"}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("slot_add", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()


def test_blocking_a_free_time_saves_it_at_once(client: Any, world: World) -> None:
    as_user(client, world.practitioner)
    data = {"kind": "blocked", "day": "2026-12-08", "start_time": "09:00", "end_time": "10:00", "reason": "Meeting"}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("slot_add", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 302
    block = TimeOff.objects.get(practitioner=world.chen)
    assert block.kind == TimeOffKind.BLOCKED
    assert (block.start, block.end) == (at(9, days=1), at(10, days=1))
    assert AuditEntry.objects.filter(action="schedule.blocked_add", user=world.practitioner).exists()


def test_removing_an_opening_is_recorded(client: Any, world: World) -> None:
    opening = PostedOpening.objects.create(practitioner=world.chen, start=at(10, days=5), end=at(11, days=5))
    as_user(client, world.owner)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            url("posted_opening_remove", world, practitioner_id=world.chen.pk, opening_id=opening.pk)
        )
    assert response.status_code == 302
    assert not PostedOpening.objects.exists()
    assert AuditEntry.objects.filter(action="schedule.opening_remove", object_id=str(opening.pk)).exists()


@pytest.mark.parametrize(("who", "kind"), [("practitioner", TimeOffKind.TIME_OFF), ("colleague", TimeOffKind.BLOCKED)])
def test_removing_a_time_off_gives_the_time_back_and_is_recorded(
    client: Any, world: World, who: str, kind: str
) -> None:
    time_off = TimeOff.objects.create(practitioner=world.chen, start=at(9, days=1), end=at(12, days=1), kind=kind)
    as_user(client, getattr(world, who))
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("time_off_remove", world, practitioner_id=world.chen.pk, time_off_id=time_off.pk))
        assert response.status_code == 302
        assert response["Location"] == url("schedule", world, practitioner_id=world.chen.pk)
    assert not TimeOff.objects.exists()
    entry = AuditEntry.objects.get(action=f"schedule.{kind}_remove")
    assert (entry.user, entry.object_id) == (getattr(world, who), str(time_off.pk))
    assert entry.changes == {"start": "2026-12-08T14:00:00+00:00", "end": "2026-12-08T17:00:00+00:00"}
    morning = open_times_list(
        clinic=world.clinic,
        start=at(9, days=1),
        end=at(12, days=1),
        now=NOW,
        practitioner=world.chen,
    )
    assert at(9, days=1) in {t.start for t in morning}  # the morning is open again


def test_a_time_off_cannot_be_removed_by_another_practitioner_or_through_another_one(client: Any, world: World) -> None:
    time_off = TimeOff.objects.create(practitioner=world.lee, start=at(9, days=1), end=at(12, days=1))
    as_user(client, world.practitioner)  # chen
    assert (
        client.post(url("time_off_remove", world, practitioner_id=world.lee.pk, time_off_id=time_off.pk)).status_code
        == 404
    )
    as_user(client, world.owner)
    assert (
        client.post(url("time_off_remove", world, practitioner_id=world.chen.pk, time_off_id=time_off.pk)).status_code
        == 404
    )
    assert (
        client.get(url("time_off_remove", world, practitioner_id=world.lee.pk, time_off_id=time_off.pk)).status_code
        == 405
    )
    assert TimeOff.objects.filter(pk=time_off.pk).exists()
    assert not AuditEntry.objects.exists()


def test_an_opening_of_another_practitioner_cannot_be_removed_through_this_one(client: Any, world: World) -> None:
    opening = PostedOpening.objects.create(practitioner=world.lee, start=at(10, days=5), end=at(11, days=5))
    as_user(client, world.owner)
    response = client.post(url("posted_opening_remove", world, practitioner_id=world.chen.pk, opening_id=opening.pk))
    assert response.status_code == 404
    assert PostedOpening.objects.exists()


# --- Weekly hours -----------------------------------------------------------------------------------


def hours(**days: str) -> dict[str, str]:
    data = {f"day_{d}": "" for d in range(7)}
    data.update({"valid_from": "2026-12-07"})
    data.update(days)
    return data


def test_weekly_hours_with_several_blocks_a_day_replace_the_current_ones(client: Any, world: World) -> None:
    as_user(client, world.owner)
    data = hours(day_0="08:00-11:00, 12:00-16:00", day_2="10-14")
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("hours_set", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 302
    current = WorkingHours.objects.filter(practitioner=world.chen, valid_from="2026-12-07")
    assert sorted((b.weekday, f"{b.start_time:%H:%M}", f"{b.end_time:%H:%M}") for b in current) == [
        (0, "08:00", "11:00"),
        (0, "12:00", "16:00"),
        (2, "10:00", "14:00"),
    ]
    entry = AuditEntry.objects.get(action="schedule.hours_set")
    assert entry.changes["blocks"] == ["0 08:00-11:00", "0 12:00-16:00", "2 10:00-14:00"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (hours(day_1="09:00-12:00, 11:00-15:00"), "Blocks overlap: 09:00-12:00 and 11:00-15:00."),
        (hours(day_1="17:00-09:00"), "17:00-09:00 ends before it starts."),
        (hours(day_1="nine to five"), "Write blocks as 09:00-12:00"),
        (hours(day_1="09:00-17:00", valid_from="2026-12-01"), "This date is in the past."),
        (hours(day_1="09:00-17:00", valid_until="2026-12-08", valid_from="2026-12-10"), "must not be before its start"),
    ],
)
def test_bad_weekly_hours_get_a_message_and_nothing_is_saved(
    client: Any, world: World, data: dict[str, str], message: str
) -> None:
    before = list(WorkingHours.objects.values_list("pk", flat=True))
    as_user(client, world.owner)
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("hours_set", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(WorkingHours.objects.values_list("pk", flat=True)) == before
    assert not AuditEntry.objects.exists()


def test_shortened_hours_over_a_booked_visit_ask_first(client: Any, world: World) -> None:
    visit = book(world, at(15, days=1))  # a Tuesday afternoon
    as_user(client, world.owner)
    data = hours(**{f"day_{d}": "09:00-12:00" for d in range(5)})
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("hours_set", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 200
    assert "Sam Patient" in response.content.decode()
    assert not WorkingHours.objects.filter(valid_from="2026-12-07").exists()
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            url("hours_set", world, practitioner_id=world.chen.pk),
            {**data, "stranded_decision": "keep", "stranded_ids": str(visit.pk)},
        )
    assert response.status_code == 302
    assert WorkingHours.objects.filter(valid_from="2026-12-07").count() == 5
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED


# --- Strand protection: time off and closures ------------------------------------------------------


def time_off(**fields: str) -> dict[str, str]:
    data = {"start_date": "2026-12-08", "start_time": "00:00", "end_date": "2026-12-09", "end_time": "23:59"}
    data.update(fields)
    return data


def test_time_off_over_booked_visits_lists_them_and_saves_nothing_yet(client: Any, world: World) -> None:
    book(world, at(10, days=1), patient_name="Ana Morel")
    book(world, at(10, days=1), practitioner=world.lee, patient_name="Not Stranded")
    as_user(client, world.colleague)
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("time_off_add", world, practitioner_id=world.chen.pk), time_off())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ana Morel" in body
    assert "Not Stranded" not in body
    assert "left knee" not in body  # no health notes on the desk's screen
    assert 'value="keep"' in body and 'value="cancel"' in body
    assert not TimeOff.objects.exists()
    assert not AuditEntry.objects.exists()


def test_keeping_stranded_visits_saves_the_time_off_and_leaves_them_booked(client: Any, world: World) -> None:
    visit = book(world, at(10, days=1))
    as_user(client, world.colleague)
    data = {**time_off(), "stranded_decision": "keep", "stranded_ids": str(visit.pk)}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("time_off_add", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 302
    assert TimeOff.objects.filter(practitioner=world.chen).count() == 1
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED
    entry = AuditEntry.objects.get(action="schedule.time_off_add")
    assert entry.changes["stranded"] == {"appointment_ids": [visit.pk], "decision": "keep"}
    assert not OutboxMessage.objects.filter(kind="booking.cancelled").exists()


def test_cancelling_stranded_visits_cancels_each_and_emails_the_patients(client: Any, world: World) -> None:
    first = book(world, at(10, days=1))
    second = book(world, at(14, days=2), patient_email="kim@example.com")
    as_user(client, world.owner)
    data = {**time_off(), "stranded_decision": "cancel", "stranded_ids": f"{first.pk},{second.pk}"}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("time_off_add", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 302
    for visit in (first, second):
        visit.refresh_from_db()
        assert visit.status == AppointmentStatus.CANCELLED
        assert visit.events.filter(kind="cancelled", actor="staff", source="portal").exists()
    emails = OutboxMessage.objects.filter(kind="booking.cancelled")
    assert sorted(m.payload["appointment_id"] for m in emails) == sorted([first.pk, second.pk])
    assert TimeOff.objects.count() == 1


def test_a_visit_booked_after_the_member_looked_makes_them_look_again(client: Any, world: World) -> None:
    seen = book(world, at(10, days=1))
    book(world, at(14, days=1), patient_name="Late Booker")
    as_user(client, world.owner)
    data = {**time_off(), "stranded_decision": "cancel", "stranded_ids": str(seen.pk)}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("time_off_add", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 200
    assert "Late Booker" in response.content.decode()
    assert not TimeOff.objects.exists()
    seen.refresh_from_db()
    assert seen.status == AppointmentStatus.BOOKED


def test_time_off_without_booked_visits_is_saved_straight_away(client: Any, world: World) -> None:
    as_user(client, world.practitioner)
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("time_off_add", world, practitioner_id=world.chen.pk), time_off(reason="Course"))
    assert response.status_code == 302
    assert TimeOff.objects.get().reason == "Course"


def test_time_off_that_ends_before_it_starts_gets_a_message(client: Any, world: World) -> None:
    as_user(client, world.owner)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            url("time_off_add", world, practitioner_id=world.chen.pk), time_off(end_date="2026-12-07")
        )
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()


def test_closing_the_clinic_over_booked_visits_asks_then_cancels(client: Any, world: World) -> None:
    chen_visit = book(world, at(9, days=3))
    lee_visit = book(world, at(16, days=3), practitioner=world.lee)
    later = book(world, at(9, days=4))
    as_user(client, world.colleague)
    data = {"start_date": "2026-12-10", "end_date": "", "reason": "Flood"}
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("closure_add", world), data)
    assert response.status_code == 200
    assert not ClinicClosure.objects.exists()
    ids = f"{chen_visit.pk},{lee_visit.pk}"
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("closure_add", world), {**data, "stranded_decision": "cancel", "stranded_ids": ids})
    assert response.status_code == 302
    closure = ClinicClosure.objects.get()
    assert (str(closure.start_date), str(closure.end_date)) == ("2026-12-10", "2026-12-10")
    for visit in (chen_visit, lee_visit, later):
        visit.refresh_from_db()
    statuses = {a.pk: a.status for a in (chen_visit, lee_visit, later)}
    assert statuses == {chen_visit.pk: "cancelled", lee_visit.pk: "cancelled", later.pk: "booked"}
    assert AuditEntry.objects.filter(action="schedule.closure_add").count() == 1


def test_removing_a_closure_reopens_the_days_and_is_recorded(client: Any, world: World) -> None:
    closure = ClinicClosure.objects.create(clinic=world.clinic, start_date="2026-12-08", end_date="2026-12-09")
    as_user(client, world.colleague)
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("closure_remove", world, closure_id=closure.pk))
    assert response.status_code == 302
    assert response["Location"] == url("schedules", world)
    assert not ClinicClosure.objects.exists()
    entry = AuditEntry.objects.get(action="schedule.closure_remove")
    assert (entry.user, entry.object_id) == (world.colleague, str(closure.pk))
    assert entry.changes == {"start_date": "2026-12-08", "end_date": "2026-12-09"}


def test_a_closure_is_removed_only_by_its_clinics_owner_or_desk(client: Any, world: World) -> None:
    closure = ClinicClosure.objects.create(clinic=world.clinic, start_date="2026-12-08", end_date="2026-12-09")
    elsewhere = ClinicClosure.objects.create(clinic=world.other_clinic, start_date="2026-12-08", end_date="2026-12-09")
    as_user(client, world.practitioner)
    assert client.post(url("closure_remove", world, closure_id=closure.pk)).status_code == 404
    as_user(client, world.owner)
    assert client.post(url("closure_remove", world, closure_id=elsewhere.pk)).status_code == 404
    assert ClinicClosure.objects.count() == 2
    assert not AuditEntry.objects.exists()


def test_a_closure_starting_in_the_past_is_refused(client: Any, world: World) -> None:
    as_user(client, world.owner)
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("closure_add", world), {"start_date": "2026-12-01"})
    assert response.status_code == 400
    assert "This date is in the past." in response.content.decode()


# --- Rules -----------------------------------------------------------------------------------------


def rules(**fields: Any) -> dict[str, Any]:
    data = {
        "min_notice_minutes": 60,
        "horizon_days": 30,
        "step_minutes": 15,
        "buffer_minutes": 10,
        "same_day_allowed": "on",
        "cancellation_window_hours": 48,
    }
    data.update(fields)
    return data


def test_booking_rules_and_the_cancellation_window_are_saved_and_recorded(client: Any, world: World) -> None:
    as_user(client, world.colleague)
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("rules_update", world), rules())
    assert response.status_code == 302
    saved = BookingRules.objects.get(clinic=world.clinic)
    assert (saved.min_notice_minutes, saved.horizon_days, saved.buffer_minutes) == (60, 30, 10)
    assert saved.open_on_holidays is False
    assert ClinicBookingPolicy.objects.get(clinic=world.clinic).cancellation_window_hours == 48
    entry = AuditEntry.objects.get(action="schedule.rules_update")
    assert entry.changes["cancellation_window_hours"] == {"old": None, "new": 48}


def test_a_step_below_five_minutes_is_refused(client: Any, world: World) -> None:
    as_user(client, world.owner)
    response = client.post(url("rules_update", world), rules(step_minutes=2))
    assert response.status_code == 400
    assert "greater than or equal to 5" in response.content.decode()
    assert not BookingRules.objects.exists()
    assert not ClinicBookingPolicy.objects.exists()


def test_changing_saved_rules_records_only_what_changed(client: Any, world: World) -> None:
    BookingRules.objects.create(clinic=world.clinic, min_notice_minutes=60, horizon_days=30, buffer_minutes=10)
    ClinicBookingPolicy.objects.create(clinic=world.clinic, cancellation_window_hours=48)
    as_user(client, world.owner)
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("rules_update", world), rules(buffer_minutes=5))
    assert response.status_code == 302
    assert BookingRules.objects.get(clinic=world.clinic).buffer_minutes == 5
    assert AuditEntry.objects.get(action="schedule.rules_update").changes == {"buffer_minutes": {"old": 10, "new": 5}}


def test_taking_back_an_opening_someone_booked_asks_first(client: Any, world: World) -> None:
    opening = PostedOpening.objects.create(practitioner=world.chen, start=at(10, days=5), end=at(11, days=5))
    visit = book(world, at(10, days=5), patient_name="Saturday Patient")
    as_user(client, world.owner)
    path = url("posted_opening_remove", world, practitioner_id=world.chen.pk, opening_id=opening.pk)
    with time_machine.travel(NOW, tick=False):
        response = client.post(path)
    assert response.status_code == 200
    assert "Saturday Patient" in response.content.decode()
    assert PostedOpening.objects.exists()
    with time_machine.travel(NOW, tick=False):
        response = client.post(path, {"stranded_decision": "keep", "stranded_ids": str(visit.pk)})
    assert response.status_code == 302
    assert not PostedOpening.objects.exists()
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED


def test_taking_back_an_opening_inside_the_weekly_hours_strands_nobody(client: Any, world: World) -> None:
    opening = PostedOpening.objects.create(practitioner=world.chen, start=at(10, days=1), end=at(11, days=1))
    book(world, at(10, days=1))
    as_user(client, world.owner)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            url("posted_opening_remove", world, practitioner_id=world.chen.pk, opening_id=opening.pk)
        )
    assert response.status_code == 302
    assert not PostedOpening.objects.exists()


def test_a_practitioner_posts_an_opening_on_their_own_schedule(client: Any, world: World) -> None:
    as_user(client, world.practitioner)
    data = {"kind": "opening", "day": "2026-12-12", "start_time": "10:00", "end_time": "11:00"}
    with time_machine.travel(NOW, tick=False):
        assert client.post(url("slot_add", world, practitioner_id=world.chen.pk), data).status_code == 302
        assert client.post(url("slot_add", world, practitioner_id=world.lee.pk), data).status_code == 404
    assert PostedOpening.objects.get().practitioner == world.chen
    assert PostedOpening.objects.get().posted_by == world.practitioner
