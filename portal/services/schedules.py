"""Schedule changes from the portal: weekly hours, time off and blocked times, posted openings, closures, rules.

A change that removes open time may strand booked visits (``portal.selectors.stranded_by_*``). Such a
change goes through ``schedule_change_apply``: under the practitioners' booking lock it finds the
stranded visits and applies the change only if the member confirmed that exact list (keep them or
cancel them); otherwise it raises ``StrandedVisitsFound`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from booking.models import Actor, Appointment, AppointmentSource
from booking.policy import cancellation_window_set
from booking.services import appointment_cancel
from clinics.models import Clinic, Practitioner
from portal import selectors
from portal.access import ALL_ROLES, DESK_ROLES
from portal.models import Membership
from scheduling import services as scheduling_services
from scheduling.locking import practitioner_lock
from scheduling.models import BookingRules, ClinicClosure, PostedOpening, TimeOff, TimeOffKind

from .actor import actor_check
from .audit import audit_record, changes_json

KEEP = "keep"
CANCEL = "cancel"
DECISIONS = (KEEP, CANCEL)


@dataclass(frozen=True)
class Applied:
    """What a change did, for the audit trail and the member's message."""

    obj: models.Model
    action: str
    summary: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class ScheduleChange:
    """A change that may strand booked visits: whom it locks, how to find them, how to apply it.

    ``practitioner_id`` is the one practitioner it touches, or None for the whole clinic (owner and desk only).
    """

    clinic_id: int
    practitioner_id: int | None
    lock_ids: list[int]
    stranded_find: Callable[[], list[Appointment]]
    apply: Callable[[], Applied]


@dataclass(frozen=True)
class ScheduleChangeDone:
    summary: str
    stranded: list[Appointment] = field(default_factory=list)
    cancelled: int = 0


class StrandedVisitsFound(Exception):
    """Nothing was changed: the member must first see these visits and choose (again, if ``seen_changed``)."""

    def __init__(self, stranded: list[Appointment], *, seen_changed: bool) -> None:
        super().__init__()
        self.stranded = stranded
        self.seen_changed = seen_changed


def stranded_ids(appointments: Sequence[Appointment]) -> list[str]:
    """The ids a confirmation page shows and posts back, in a stable order."""
    return sorted(str(a.pk) for a in appointments)


def schedule_change_apply(
    *,
    actor: Membership,
    change: ScheduleChange,
    decision: str | None,
    seen_ids: Sequence[str],
    ip: str | None,
    now: datetime,
) -> ScheduleChangeDone:
    """Apply ``change`` unless it strands visits the member has not confirmed; cancel them if they chose so.

    The stranded visits are looked up inside the transaction, under the booking lock, so a visit booked
    meanwhile cannot slip through: the member confirms the exact list they saw (``seen_ids``), or is asked
    again (``StrandedVisitsFound``). Raises the scheduling services' ``ValidationError`` and booking's
    ``Busy``/``NotChangeable``/``PractitionerBusy`` as they come.
    """
    actor_check(
        actor,
        clinic_id=change.clinic_id,
        practitioner_ids=None if change.practitioner_id is None else [change.practitioner_id],
        roles=ALL_ROLES if change.practitioner_id is not None else DESK_ROLES,
    )
    with transaction.atomic():
        practitioner_lock(*change.lock_ids)
        stranded = change.stranded_find()
        if stranded and (decision not in DECISIONS or sorted(seen_ids) != stranded_ids(stranded)):
            raise StrandedVisitsFound(stranded, seen_changed=bool(decision))
        applied = change.apply()
        changes = dict(applied.changes)
        cancelled = 0
        if stranded:
            changes["stranded"] = {"appointment_ids": [a.pk for a in stranded], "decision": decision}
            if decision == CANCEL:
                cancelled = stranded_cancel(appointments=stranded, now=now)
        audit_record(
            actor=actor, action=applied.action, obj=applied.obj, summary=applied.summary, changes=changes, ip=ip
        )
    return ScheduleChangeDone(summary=applied.summary, stranded=stranded, cancelled=cancelled)


def stranded_cancel(*, appointments: Sequence[Appointment], now: datetime) -> int:
    """Cancel each stranded visit as the clinic (the patient gets the cancellation email); how many."""
    for appointment in appointments:
        appointment_cancel(appointment=appointment, now=now, actor=Actor.STAFF, source=AppointmentSource.PORTAL)
    return len(appointments)


# --- The changes that may strand visits ------------------------------------------------------------


def working_hours_change(
    *,
    practitioner: Practitioner,
    blocks: Sequence[tuple[int, time, time]],
    valid_from: date,
    valid_until: date | None,
    outside_posted_hours: bool,
    now: datetime,
) -> ScheduleChange:
    def stranded_find() -> list[Appointment]:
        return selectors.stranded_by_hours(
            practitioner=practitioner, blocks=blocks, valid_from=valid_from, valid_until=valid_until, now=now
        )

    def apply() -> Applied:
        scheduling_services.working_hours_set(
            practitioner=practitioner, blocks=blocks, valid_from=valid_from, valid_until=valid_until, now=now
        )
        changes: dict[str, Any] = {
            "blocks": [f"{d} {a:%H:%M}-{b:%H:%M}" for d, a, b in blocks],
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
        }
        if outside_posted_hours:
            changes["outside_posted_hours"] = True
        summary = _("Weekly hours of %(name)s saved.") % {"name": practitioner.full_name}
        return Applied(practitioner, "schedule.hours_set", summary, changes)

    return ScheduleChange(practitioner.clinic_id, practitioner.pk, [practitioner.pk], stranded_find, apply)


def time_off_change(
    *, practitioner: Practitioner, start: datetime, end: datetime, reason: str, kind: str, now: datetime
) -> ScheduleChange:
    """Time off, or a blocked time (``kind``): the practitioner is not bookable from ``start`` to ``end``."""

    def stranded_find() -> list[Appointment]:
        return selectors.stranded_by_time_off(practitioner=practitioner, start=start, end=end, now=now)

    def apply() -> Applied:
        time_off = scheduling_services.time_off_add(
            practitioner=practitioner, start=start, end=end, reason=reason, kind=kind, now=now
        )
        what = _("Time off") if kind == TimeOffKind.TIME_OFF else _("Blocked time")
        summary = _("%(what)s added for %(name)s.") % {"what": what, "name": practitioner.full_name}
        changes = {"start": start.isoformat(), "end": end.isoformat(), "kind": kind}
        return Applied(time_off, f"schedule.{kind}_add", summary, changes)

    return ScheduleChange(practitioner.clinic_id, practitioner.pk, [practitioner.pk], stranded_find, apply)


def posted_opening_removal(*, opening: PostedOpening, now: datetime) -> ScheduleChange:
    """Take a posted opening back; a visit booked in it is stranded unless the hours or another opening cover it."""
    practitioner = opening.practitioner

    def stranded_find() -> list[Appointment]:
        return selectors.stranded_by_opening_removal(opening=opening, now=now)

    def apply() -> Applied:
        changes = {"start": opening.start.isoformat(), "end": opening.end.isoformat()}
        pk = opening.pk
        scheduling_services.posted_opening_remove(opening=opening, now=now)
        opening.pk = pk  # for the audit entry: the row is gone, its id is still what was removed
        summary = _("Opening removed for %(name)s.") % {"name": practitioner.full_name}
        return Applied(opening, "schedule.opening_remove", summary, changes)

    return ScheduleChange(practitioner.clinic_id, practitioner.pk, [practitioner.pk], stranded_find, apply)


def clinic_closure_change(
    *, clinic: Clinic, start_date: date, end_date: date, reason: str, now: datetime
) -> ScheduleChange:
    def stranded_find() -> list[Appointment]:
        return selectors.stranded_by_closure(clinic=clinic, start_date=start_date, end_date=end_date, now=now)

    def apply() -> Applied:
        closure = scheduling_services.clinic_closure_add(
            clinic=clinic, start_date=start_date, end_date=end_date, reason=reason, now=now
        )
        changes = {"start_date": start_date.isoformat(), "end_date": end_date.isoformat()}
        return Applied(closure, "schedule.closure_add", _("The clinic is closed on the chosen days."), changes)

    everyone = list(Practitioner.objects.filter(clinic=clinic).values_list("pk", flat=True))
    return ScheduleChange(clinic.pk, None, everyone, stranded_find, apply)


# --- Changes that give time back (nothing to strand) -----------------------------------------------


def posted_opening_post(
    *,
    actor: Membership,
    practitioner: Practitioner,
    start: datetime,
    end: datetime,
    outside_posted_hours: bool,
    ip: str | None,
    now: datetime,
) -> PostedOpening:
    actor_check(actor, clinic_id=practitioner.clinic_id, practitioner_ids=[practitioner.pk], roles=ALL_ROLES)
    changes: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
    if outside_posted_hours:
        changes["outside_posted_hours"] = True
    with transaction.atomic():
        opening = scheduling_services.posted_opening_add(
            practitioner=practitioner, start=start, end=end, now=now, posted_by=actor.user
        )
        audit_record(
            actor=actor,
            action="schedule.opening_post",
            obj=opening,
            summary=_("Opening posted for %(name)s.") % {"name": practitioner.full_name},
            changes=changes,
            ip=ip,
        )
    return opening


def time_off_remove(*, actor: Membership, time_off: TimeOff, ip: str | None, now: datetime) -> None:
    practitioner = time_off.practitioner
    actor_check(actor, clinic_id=practitioner.clinic_id, practitioner_ids=[practitioner.pk], roles=ALL_ROLES)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"schedule.{time_off.kind}_remove",
            obj=time_off,
            summary=_("Time off removed for %(name)s.") % {"name": practitioner.full_name},
            changes={"start": time_off.start.isoformat(), "end": time_off.end.isoformat()},
            ip=ip,
        )
        scheduling_services.time_off_remove(time_off=time_off, now=now)


def clinic_closure_remove(*, actor: Membership, closure: ClinicClosure, ip: str | None, now: datetime) -> None:
    actor_check(actor, clinic_id=closure.clinic_id, roles=DESK_ROLES)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="schedule.closure_remove",
            obj=closure,
            summary=_("Closure removed."),
            changes={"start_date": closure.start_date.isoformat(), "end_date": closure.end_date.isoformat()},
            ip=ip,
        )
        scheduling_services.clinic_closure_remove(closure=closure, now=now)


def booking_rules_save(
    *,
    actor: Membership,
    rules: BookingRules,
    fields: dict[str, Any],
    cancellation_window_hours: int,
    ip: str | None,
    now: datetime,
) -> BookingRules:
    """Save the clinic's booking rules and cancellation window; ``rules`` holds the saved values (the audit's old)."""
    clinic = rules.clinic
    actor_check(actor, clinic_id=clinic.pk, roles=DESK_ROLES)
    before = {name: getattr(rules, name) for name in fields} if rules.pk else {}
    with transaction.atomic():
        saved = scheduling_services.booking_rules_update(clinic=clinic, now=now, **fields)
        old_window = cancellation_window_set(clinic=clinic, hours=cancellation_window_hours)
        diff = {n: (before.get(n), v) for n, v in fields.items() if before.get(n) != v}
        if old_window != cancellation_window_hours:
            diff["cancellation_window_hours"] = (old_window, cancellation_window_hours)
        audit_record(
            actor=actor,
            action="schedule.rules_update",
            obj=saved,
            summary=_("Booking rules saved."),
            changes=changes_json(diff),
            ip=ip,
        )
    return saved
