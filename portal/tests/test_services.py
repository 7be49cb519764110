"""The portal's services: each refuses another clinic's member, and its audit entry commits with the change or not
at all (the audit write is made to fail: the change must be rolled back with it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import pytest
import time_machine
from django.db import transaction

from booking.models import Appointment, AppointmentStatus
from booking.patients import PatientDetails
from clinics.models import Discipline, Practitioner, Service
from clinics.testing import make_insurer, make_language
from painhero.testing import NOW, World, at, book, make_world
from portal.models import AuditEntry, CalendarFeed, Invitation, Membership, Role
from portal.selectors import appointments_for_calendar, health_note_visible
from portal.services import appointments, catalog, profile, records, schedules
from portal.services.actor import NotYours
from portal.services.audit import audit_record
from scheduling import services as scheduling_services
from scheduling.models import BookingRules, ClinicClosure, PostedOpening, TimeOff, TimeOffKind, WorkingHours

pytestmark = pytest.mark.django_db

TUESDAY_10 = at(10, days=1)
IP = "203.0.113.9"


def member(user: Any) -> Membership:
    return Membership.objects.select_related("clinic", "practitioner", "user").get(user=user)


class Boom(Exception):
    pass


def audit_fails(monkeypatch: Any, module: Any) -> None:
    def fail(**kwargs: Any) -> None:
        raise Boom

    monkeypatch.setattr(module, "audit_record", fail)


def patient() -> PatientDetails:
    return PatientDetails(name="Sam Caller", email="sam@example.com", phone="+14165550100", note="sore neck")


# --- Appointments ----------------------------------------------------------------------------------


def book_for_caller(world: World, actor: Membership) -> Any:
    return appointments.appointment_book(
        actor=actor,
        practitioner=world.chen,
        service=world.service,
        start=TUESDAY_10,
        patient=patient(),
        token="form-token-1",
        ip=IP,
        now=NOW,
    )


def test_booking_for_a_caller_is_recorded_once_however_often_the_form_is_sent(world: World) -> None:
    desk = member(world.colleague)
    first = book_for_caller(world, desk)
    again = book_for_caller(world, desk)
    assert again.replayed and again.appointment.pk == first.appointment.pk
    entry = AuditEntry.objects.get(action="appointment.created")
    assert (entry.user, entry.object_id, entry.ip) == (world.colleague, str(first.appointment.pk), IP)
    assert first.appointment.source == "portal"


def test_booking_for_a_caller_refuses_another_clinics_member_and_a_practitioner(world: World) -> None:
    for user in (world.outsider, world.practitioner):
        with pytest.raises(NotYours):
            book_for_caller(world, member(user))
    assert not Appointment.objects.exists()


def test_moving_an_appointment_is_recorded_with_the_change(world: World, monkeypatch: Any) -> None:
    visit = book(world, TUESDAY_10)
    later = at(14, days=1)
    with pytest.raises(NotYours):
        appointments.appointment_move(
            actor=member(world.outsider), appointment=visit, start=later, practitioner=world.chen, ip=IP, now=NOW
        )
    audit_fails(monkeypatch, appointments)
    with pytest.raises(Boom):
        appointments.appointment_move(
            actor=member(world.colleague), appointment=visit, start=later, practitioner=world.chen, ip=IP, now=NOW
        )
    visit.refresh_from_db()
    assert visit.start == TUESDAY_10  # rolled back with the audit entry
    monkeypatch.setattr(appointments, "audit_record", audit_record)
    moved = appointments.appointment_move(
        actor=member(world.colleague), appointment=visit, start=later, practitioner=world.lee, ip=IP, now=NOW
    )
    assert (moved.start, moved.practitioner_id) == (later, world.lee.pk)
    entry = AuditEntry.objects.get(action="appointment.moved")
    old, new = entry.changes["start"]
    assert (datetime.fromisoformat(old), datetime.fromisoformat(new)) == (TUESDAY_10, later)


@pytest.mark.parametrize(
    ("action", "status"),
    [("arrived", AppointmentStatus.BOOKED), ("no_show", AppointmentStatus.NO_SHOW), ("cancel", "cancelled")],
)
def test_a_status_change_is_recorded(world: World, action: str, status: str) -> None:
    visit = book(world, at(7) if action != "cancel" else TUESDAY_10)
    actor = member(world.colleague)
    with time_machine.travel(NOW, tick=False):
        done = appointments.appointment_status_set(actor=actor, appointment=visit, action=action, ip=IP, now=NOW)
    assert done.status == status
    assert AuditEntry.objects.filter(action__startswith="appointment.", object_id=str(visit.pk)).count() == 1


def test_a_status_change_refuses_unknown_actions_others_visits_and_a_practitioner_cancelling(world: World) -> None:
    visit = book(world, TUESDAY_10)
    lee_visit = book(world, at(11, days=1), practitioner=world.lee)
    chen = member(world.practitioner)
    with pytest.raises(appointments.UnknownAction):
        appointments.appointment_status_set(actor=chen, appointment=visit, action="cancel", ip=IP, now=NOW)
    with pytest.raises(appointments.UnknownAction):
        appointments.appointment_status_set(
            actor=member(world.colleague), appointment=visit, action="x", ip=IP, now=NOW
        )
    with pytest.raises(NotYours):
        appointments.appointment_status_set(actor=chen, appointment=lee_visit, action="arrived", ip=IP, now=NOW)
    with pytest.raises(NotYours):
        appointments.appointment_status_set(
            actor=member(world.outsider), appointment=visit, action="arrived", ip=IP, now=NOW
        )
    assert not AuditEntry.objects.exists()


def test_a_status_change_rolls_back_when_its_audit_entry_fails(world: World, monkeypatch: Any) -> None:
    visit = book(world, TUESDAY_10)
    audit_fails(monkeypatch, appointments)
    with pytest.raises(Boom):
        appointments.appointment_status_set(
            actor=member(world.colleague), appointment=visit, action="cancel", ip=IP, now=NOW
        )
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED
    assert not visit.events.exists()


def test_viewing_health_notes_is_recorded_and_nothing_when_none_was_shown(world: World) -> None:
    chen = member(world.practitioner)
    appointments.health_notes_viewed_record(actor=chen, appointment_ids=[], ip=IP, now=NOW)
    assert not AuditEntry.objects.exists()
    appointments.health_notes_viewed_record(actor=chen, appointment_ids=[7, 8], ip=IP, now=NOW)
    assert AuditEntry.objects.get(action="health_info.viewed").changes == {"appointment_ids": [7, 8]}


# --- The health-note rule -------------------------------------------------------------------------


def test_only_the_treating_practitioner_reads_a_note_in_the_calendar(world: World) -> None:
    chen_visit = book(world, TUESDAY_10)
    lee_visit = book(world, TUESDAY_10, practitioner=world.lee)
    book(world, at(11, days=1), status=AppointmentStatus.CANCELLED)
    span = {"start": at(0, days=1), "end": at(0, days=2)}
    everyone = [world.chen.pk, world.lee.pk]
    for user in (world.owner, world.colleague):
        seen = appointments_for_calendar(actor=member(user), practitioner_ids=everyone, **span)
        assert {v.appointment.pk for v in seen} == {chen_visit.pk, lee_visit.pk}
        assert {v.note for v in seen} == {""}
    seen = appointments_for_calendar(actor=member(world.practitioner), practitioner_ids=everyone, **span)
    assert [(v.appointment.pk, v.note) for v in seen] == [(chen_visit.pk, "left knee since June")]
    assert health_note_visible(actor=member(world.practitioner), appointment=chen_visit)
    assert not health_note_visible(actor=member(world.practitioner), appointment=lee_visit)
    assert not appointments_for_calendar(actor=member(world.outsider), practitioner_ids=everyone, **span)


# --- Schedules ------------------------------------------------------------------------------------


def time_off(world: World, practitioner: Practitioner | None = None) -> schedules.ScheduleChange:
    return schedules.time_off_change(
        practitioner=practitioner or world.chen,
        start=at(9, days=1),
        end=at(12, days=1),
        reason="Dentist",
        kind=TimeOffKind.TIME_OFF,
        now=NOW,
    )


def apply(world: World, change: schedules.ScheduleChange, user: Any = None, **kwargs: Any) -> Any:
    options: dict[str, Any] = {"decision": None, "seen_ids": []}
    options.update(kwargs)
    return schedules.schedule_change_apply(
        actor=member(user or world.colleague), change=change, ip=IP, now=NOW, **options
    )


def test_a_change_that_strands_nobody_is_applied_and_recorded(world: World) -> None:
    done = apply(world, time_off(world), world.practitioner)
    assert (done.stranded, done.cancelled) == ([], 0)
    entry = AuditEntry.objects.get(action="schedule.time_off_add")
    assert entry.user == world.practitioner and "stranded" not in entry.changes
    assert TimeOff.objects.filter(practitioner=world.chen).count() == 1


def test_a_change_that_strands_visits_asks_first_and_asks_again_when_they_changed(world: World) -> None:
    visit = book(world, TUESDAY_10)
    with pytest.raises(schedules.StrandedVisitsFound) as asked:
        apply(world, time_off(world))
    assert [a.pk for a in asked.value.stranded] == [visit.pk] and not asked.value.seen_changed
    newer = book(world, at(11, days=1))
    with pytest.raises(schedules.StrandedVisitsFound) as asked:
        apply(world, time_off(world), decision=schedules.KEEP, seen_ids=[str(visit.pk)])
    assert {a.pk for a in asked.value.stranded} == {visit.pk, newer.pk} and asked.value.seen_changed
    assert not TimeOff.objects.exists() and not AuditEntry.objects.exists()


def test_kept_visits_stay_booked_and_cancelled_ones_are_cancelled(world: World) -> None:
    visit = book(world, TUESDAY_10)
    done = apply(world, time_off(world), decision=schedules.KEEP, seen_ids=[str(visit.pk)])
    assert (len(done.stranded), done.cancelled) == (1, 0)
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED
    lee_visit = book(world, TUESDAY_10, practitioner=world.lee)
    done = apply(world, time_off(world, world.lee), decision=schedules.CANCEL, seen_ids=[str(lee_visit.pk)])
    assert done.cancelled == 1
    lee_visit.refresh_from_db()
    assert lee_visit.status == AppointmentStatus.CANCELLED
    entry = AuditEntry.objects.filter(action="schedule.time_off_add").latest("pk")
    assert entry.changes["stranded"] == {"appointment_ids": [lee_visit.pk], "decision": "cancel"}


def test_a_schedule_change_is_refused_to_another_clinic_and_to_another_practitioner(world: World) -> None:
    with pytest.raises(NotYours):
        apply(world, time_off(world), world.outsider)
    with pytest.raises(NotYours):
        apply(world, time_off(world, world.lee), world.practitioner)
    closure = schedules.clinic_closure_change(
        clinic=world.clinic, start_date=date(2026, 12, 9), end_date=date(2026, 12, 9), reason="", now=NOW
    )
    with pytest.raises(NotYours):
        apply(world, closure, world.practitioner)  # the whole clinic: owner and desk only
    assert not TimeOff.objects.exists() and not ClinicClosure.objects.exists()


def test_a_schedule_change_rolls_back_with_its_audit_entry_and_its_cancellations(
    world: World, monkeypatch: Any
) -> None:
    visit = book(world, TUESDAY_10)
    audit_fails(monkeypatch, schedules)
    with pytest.raises(Boom):
        apply(world, time_off(world), decision=schedules.CANCEL, seen_ids=[str(visit.pk)])
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED
    assert not TimeOff.objects.exists()


def test_weekly_hours_closures_and_opening_removal_go_through_the_same_guard(world: World) -> None:
    hours = schedules.working_hours_change(
        practitioner=world.chen,
        blocks=[(d, time(8), time(18)) for d in range(5)],
        valid_from=date(2026, 12, 7),
        valid_until=None,
        outside_posted_hours=True,
        now=NOW,
    )
    apply(world, hours)
    assert WorkingHours.objects.filter(practitioner=world.chen, valid_from=date(2026, 12, 7)).count() == 5
    assert AuditEntry.objects.get(action="schedule.hours_set").changes["outside_posted_hours"] is True
    closure = schedules.clinic_closure_change(
        clinic=world.clinic, start_date=date(2026, 12, 9), end_date=date(2026, 12, 9), reason="Inventory", now=NOW
    )
    apply(world, closure)
    assert ClinicClosure.objects.filter(clinic=world.clinic).count() == 1
    opening = PostedOpening.objects.create(practitioner=world.chen, start=at(10, days=5), end=at(11, days=5))
    apply(world, schedules.posted_opening_removal(opening=opening, now=NOW), world.practitioner)
    assert not PostedOpening.objects.exists()
    assert AuditEntry.objects.get(action="schedule.opening_remove").object_id == str(opening.pk)


def test_posting_an_opening_is_recorded_and_refused_to_others(world: World, monkeypatch: Any) -> None:
    window = {"start": at(10, days=5), "end": at(11, days=5)}
    for user in (world.outsider, world.practitioner):
        with pytest.raises(NotYours):
            schedules.posted_opening_post(
                actor=member(user), practitioner=world.lee, outside_posted_hours=False, ip=IP, now=NOW, **window
            )
    audit_fails(monkeypatch, schedules)
    with pytest.raises(Boom):
        schedules.posted_opening_post(
            actor=member(world.colleague), practitioner=world.lee, outside_posted_hours=True, ip=IP, now=NOW, **window
        )
    assert not PostedOpening.objects.exists()
    monkeypatch.setattr(schedules, "audit_record", audit_record)
    opening = schedules.posted_opening_post(
        actor=member(world.colleague), practitioner=world.lee, outside_posted_hours=True, ip=IP, now=NOW, **window
    )
    assert opening.posted_by == world.colleague
    assert AuditEntry.objects.get(action="schedule.opening_post").changes["outside_posted_hours"] is True


def test_removing_time_off_and_closures_is_refused_to_others_and_rolls_back_with_its_audit(
    world: World, monkeypatch: Any
) -> None:
    off = TimeOff.objects.create(practitioner=world.lee, start=TUESDAY_10, end=at(11, days=1))
    closure = ClinicClosure.objects.create(
        clinic=world.clinic, start_date=date(2026, 12, 9), end_date=date(2026, 12, 9)
    )
    for user in (world.outsider, world.practitioner):
        with pytest.raises(NotYours):
            schedules.time_off_remove(actor=member(user), time_off=off, ip=IP, now=NOW)
        with pytest.raises(NotYours):
            schedules.clinic_closure_remove(actor=member(user), closure=closure, ip=IP, now=NOW)
    fail_after_audit: Callable[..., None] = lambda **kwargs: (_ for _ in ()).throw(Boom())  # noqa: E731
    monkeypatch.setattr(scheduling_services, "time_off_remove", fail_after_audit)
    monkeypatch.setattr(scheduling_services, "clinic_closure_remove", fail_after_audit)
    with pytest.raises(Boom):
        schedules.time_off_remove(actor=member(world.colleague), time_off=off, ip=IP, now=NOW)
    with pytest.raises(Boom):
        schedules.clinic_closure_remove(actor=member(world.colleague), closure=closure, ip=IP, now=NOW)
    assert not AuditEntry.objects.exists()  # the entry went with the failed removal
    monkeypatch.undo()
    schedules.time_off_remove(actor=member(world.colleague), time_off=off, ip=IP, now=NOW)
    schedules.clinic_closure_remove(actor=member(world.colleague), closure=closure, ip=IP, now=NOW)
    assert not TimeOff.objects.exists() and not ClinicClosure.objects.exists()
    assert AuditEntry.objects.filter(action__in=["schedule.time_off_remove", "schedule.closure_remove"]).count() == 2


def test_booking_rules_are_saved_with_what_changed_and_refused_to_others(world: World, monkeypatch: Any) -> None:
    rules = BookingRules(clinic=world.clinic)
    fields = {"min_notice_minutes": 120, "horizon_days": 30, "step_minutes": 15, "buffer_minutes": 0}
    fields["same_day_allowed"] = True
    for user in (world.outsider, world.practitioner):
        with pytest.raises(NotYours):
            schedules.booking_rules_save(
                actor=member(user), rules=rules, fields=fields, cancellation_window_hours=48, ip=IP, now=NOW
            )
    audit_fails(monkeypatch, schedules)
    with pytest.raises(Boom):
        schedules.booking_rules_save(
            actor=member(world.colleague), rules=rules, fields=fields, cancellation_window_hours=48, ip=IP, now=NOW
        )
    assert not BookingRules.objects.filter(min_notice_minutes=120).exists()
    monkeypatch.undo()
    saved = schedules.booking_rules_save(
        actor=member(world.colleague), rules=rules, fields=fields, cancellation_window_hours=48, ip=IP, now=NOW
    )
    assert saved.min_notice_minutes == 120
    changes = AuditEntry.objects.get(action="schedule.rules_update").changes
    assert changes["cancellation_window_hours"] == {"old": None, "new": 48}


# --- Catalogue and profile ------------------------------------------------------------------------

PERSON = {"first_name": "Rin", "last_name": "Ota", "discipline": Discipline.PHYSIOTHERAPY}
OFFER = {"name": "Massage", "discipline": Discipline.MASSAGE_THERAPY, "duration_minutes": 60, "price_cents": 9000}


def test_practitioners_are_added_changed_and_retired_with_an_audit_entry_each(world: World) -> None:
    desk = member(world.colleague)
    person = catalog.practitioner_add(
        actor=desk, techniques=[], languages=[], services=[world.service], fields=PERSON, ip=IP, now=NOW
    )
    catalog.practitioner_change(
        actor=desk,
        practitioner=person,
        techniques=[],
        languages=[],
        services=[],
        fields={**PERSON, "first_name": "Rina"},
        ip=IP,
        now=NOW,
    )
    catalog.practitioner_retire(actor=desk, practitioner=person, ip=IP, now=NOW)
    person.refresh_from_db()
    assert (person.first_name, person.is_active) == ("Rina", False)
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["practitioner.create", "practitioner.update", "practitioner.retire"]
    assert AuditEntry.objects.get(action="practitioner.update").changes["first_name"] == {"old": "Rin", "new": "Rina"}


def test_services_are_added_changed_and_retired_with_an_audit_entry_each(world: World) -> None:
    desk = member(world.colleague)
    offer = catalog.service_add(actor=desk, practitioners=[world.lee], fields=OFFER, ip=IP, now=NOW)
    catalog.service_change(
        actor=desk, service=offer, practitioners=[world.lee], fields={**OFFER, "duration_minutes": 45}, ip=IP, now=NOW
    )
    catalog.service_retire(actor=desk, service=offer, ip=IP, now=NOW)
    offer.refresh_from_db()
    assert (offer.duration_minutes, offer.is_active) == (45, False)
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["service.create", "service.update", "service.retire"]


def test_the_catalogue_is_refused_to_another_clinic_and_to_a_practitioner(world: World) -> None:
    for user in (world.outsider, world.practitioner):
        actor = member(user)
        with pytest.raises(NotYours):
            catalog.practitioner_retire(actor=actor, practitioner=world.lee, ip=IP, now=NOW)
        with pytest.raises(NotYours):
            catalog.practitioner_change(
                actor=actor,
                practitioner=world.lee,
                techniques=[],
                languages=[],
                services=[],
                fields=PERSON,
                ip=IP,
                now=NOW,
            )
        with pytest.raises(NotYours):
            catalog.service_retire(actor=actor, service=world.service, ip=IP, now=NOW)
        with pytest.raises(NotYours):
            catalog.service_change(actor=actor, service=world.service, practitioners=[], fields=OFFER, ip=IP, now=NOW)
    with pytest.raises(NotYours):
        catalog.practitioner_add(
            actor=member(world.practitioner), techniques=[], languages=[], services=[], fields=PERSON, ip=IP, now=NOW
        )
    with pytest.raises(NotYours):
        catalog.service_add(actor=member(world.practitioner), practitioners=[], fields=OFFER, ip=IP, now=NOW)
    assert world.lee.is_active and Practitioner.objects.filter(is_active=True, clinic=world.clinic).count() == 2
    assert Service.objects.filter(clinic=world.clinic, is_active=True).count() == 1


def test_catalogue_changes_roll_back_with_their_audit_entry(world: World, monkeypatch: Any) -> None:
    desk = member(world.colleague)
    audit_fails(monkeypatch, catalog)
    with pytest.raises(Boom):
        catalog.practitioner_add(actor=desk, techniques=[], languages=[], services=[], fields=PERSON, ip=IP, now=NOW)
    with pytest.raises(Boom):
        catalog.practitioner_retire(actor=desk, practitioner=world.lee, ip=IP, now=NOW)
    with pytest.raises(Boom):
        catalog.service_add(actor=desk, practitioners=[], fields=OFFER, ip=IP, now=NOW)
    with pytest.raises(Boom):
        catalog.service_retire(actor=desk, service=world.service, ip=IP, now=NOW)
    assert not Practitioner.objects.filter(first_name="Rin").exists()
    assert not Service.objects.filter(name="Massage").exists()
    assert Practitioner.objects.get(pk=world.lee.pk).is_active and Service.objects.get(pk=world.service.pk).is_active


def test_the_profile_is_saved_by_the_owner_only_and_rolls_back_with_its_audit(world: World, monkeypatch: Any) -> None:
    save: dict[str, Any] = {
        "clinic": world.clinic,
        "opening_hours": [(d, time(8), time(18)) for d in range(5)],
        "languages": [make_language()],
        "insurers": [make_insurer()],
        "fields": {"phone": "416-555-0142"},
        "ip": IP,
        "now": NOW,
    }
    for user in (world.colleague, world.outsider):
        with pytest.raises(NotYours):
            profile.clinic_profile_save(actor=member(user), **save)
    audit_fails(monkeypatch, profile)
    with pytest.raises(Boom):
        profile.clinic_profile_save(actor=member(world.owner), **save)
    world.clinic.refresh_from_db()
    assert world.clinic.phone != "+14165550142"
    monkeypatch.undo()
    clinic = type(world.clinic).objects.get(pk=world.clinic.pk)
    diff = profile.clinic_profile_save(actor=member(world.owner), **{**save, "clinic": clinic})
    assert "opening_hours" in diff and "phone" in diff
    assert AuditEntry.objects.get(action="clinic.profile_update").user == world.owner


# --- Records --------------------------------------------------------------------------------------


def test_exports_feeds_and_invitations_are_recorded_and_refused_to_others(world: World, monkeypatch: Any) -> None:
    desk, owner, chen = member(world.colleague), member(world.owner), member(world.practitioner)
    with pytest.raises(NotYours):
        records.appointments_export_record(actor=chen, start=date(2026, 12, 1), end=date(2026, 12, 7), ip=IP, now=NOW)
    records.appointments_export_record(actor=desk, start=date(2026, 12, 1), end=date(2026, 12, 7), ip=IP, now=NOW)
    assert AuditEntry.objects.get(action="appointments.exported").summary.startswith("Exported appointments")

    with pytest.raises(NotYours):
        records.calendar_feed_reissue(actor=chen, practitioner=world.lee, ip=IP, now=NOW)
    with pytest.raises(NotYours):
        records.calendar_feed_reissue(actor=member(world.outsider), practitioner=world.chen, ip=IP, now=NOW)
    feed = records.calendar_feed_reissue(actor=chen, practitioner=world.chen, ip=IP, now=NOW)
    assert CalendarFeed.objects.get(practitioner=world.chen).token == feed.token

    invite: dict[str, Any] = {
        "email": "new@example.com",
        "role": Role.PRACTITIONER,
        "practitioner": world.lee,
        "accept_url_for": lambda inv: f"https://example.test/{inv.token}",
        "ip": IP,
        "now": NOW,
    }
    with pytest.raises(NotYours):
        records.staff_invite(actor=desk, **invite)
    with pytest.raises(NotYours):
        records.staff_invite(actor=owner, **{**invite, "practitioner": world.other_practitioner})
    audit_fails(monkeypatch, records)
    with transaction.atomic(), pytest.raises(Boom):
        records.staff_invite(actor=owner, **invite)
    assert not Invitation.objects.exists()
    monkeypatch.undo()
    invitation = records.staff_invite(actor=owner, **invite)
    assert invitation.invited_by == world.owner and invitation.clinic == world.clinic
    assert AuditEntry.objects.filter(action="staff.invited", object_id=str(invitation.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_an_audit_entry_outside_a_transaction_is_refused() -> None:
    with time_machine.travel(NOW, tick=False):
        world = make_world()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=member(world.owner), action="x", summary="x", ip=None)
    assert not AuditEntry.objects.exists()


def test_changes_are_recorded_as_plain_json() -> None:
    from decimal import Decimal

    from portal.services.audit import changes_json

    diff = {"when": (date(2026, 1, 2), None), "ids": ([1, time(9)], (2,)), "price": (Decimal("1.50"), 2.5)}
    assert changes_json(diff) == {
        "when": {"old": "2026-01-02", "new": None},
        "ids": {"old": [1, "09:00:00"], "new": [2]},
        "price": {"old": "1.50", "new": 2.5},
    }
