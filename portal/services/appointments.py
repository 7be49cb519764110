"""The day at the desk: book for a caller, move, cancel, and mark arrivals and outcomes.

Each calls the one booking service for the change (``booking.services``, ``source="portal"``), so the
portal books and cancels by the same rules as the public site, and records the change in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from booking import services as booking_services
from booking.models import Actor, Appointment, AppointmentSource
from booking.patients import PatientDetails
from clinics.models import Practitioner, Service
from portal.access import ALL_ROLES, DESK_ROLES
from portal.models import Membership

from .actor import actor_check
from .audit import audit_record

STATUS_MARKS: dict[str, tuple[Callable[..., Appointment], str]] = {
    "arrived": (booking_services.appointment_mark_arrived, "appointment.arrived"),
    "completed": (booking_services.appointment_mark_completed, "appointment.completed"),
    "no_show": (booking_services.appointment_mark_no_show, "appointment.no_show"),
}
CANCEL = "cancel"


class UnknownAction(ValueError):
    """An action that does not exist, or that this member may not take (a practitioner cancelling)."""


def _local(moment: datetime, actor: Membership) -> str:
    return moment.astimezone(ZoneInfo(actor.clinic.time_zone)).strftime("%Y-%m-%d %H:%M")


def appointment_status_set(
    *, actor: Membership, appointment: Appointment, action: str, reason: str = "", ip: str | None, now: datetime
) -> Appointment:
    """Mark an appointment arrived, completed or no-show (any member who sees it), or cancel it (the desk)."""
    actor_check(actor, clinic_id=appointment.clinic_id, practitioner_ids=[appointment.practitioner_id], roles=ALL_ROLES)
    if action not in STATUS_MARKS and not (action == CANCEL and actor.role in DESK_ROLES):
        raise UnknownAction(action)
    with transaction.atomic():
        if action == CANCEL:
            appointment = booking_services.appointment_cancel(
                appointment=appointment,
                now=now,
                actor=Actor.STAFF,
                source=AppointmentSource.PORTAL,
                ip=ip,
                reason=reason,
            )
            audit_action = "appointment.cancelled"
        else:
            mark, audit_action = STATUS_MARKS[action]
            appointment = mark(appointment=appointment, now=now, ip=ip)
        audit_record(
            actor=actor,
            action=audit_action,
            obj=appointment,
            summary=_("%(action)s: appointment at %(start)s")
            % {"action": action, "start": _local(appointment.start, actor)},
            changes={"status": appointment.status},
            ip=ip,
        )
    return appointment


def appointment_book(
    *,
    actor: Membership,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    patient: PatientDetails,
    token: str,
    ip: str | None,
    now: datetime,
) -> booking_services.Booked:
    """Book a time for a patient who phoned; the form's token makes a double submission one appointment.

    Not wrapped in a transaction here: ``booking.services.appointment_book`` claims the token in a
    transaction of its own before booking (``booking/LOCKING.md``), so a second submission sees the claim
    at once; an outer ``atomic()`` would make that claim a savepoint, invisible until the booking ends.
    The audit entry follows in its own transaction once the appointment is committed (a replay adds none).
    """
    actor_check(actor, clinic_id=practitioner.clinic_id, roles=DESK_ROLES)
    actor_check(actor, clinic_id=service.clinic_id, roles=DESK_ROLES)
    booked = booking_services.appointment_book(
        practitioner=practitioner,
        service=service,
        start=start,
        patient=patient,
        now=now,
        source=AppointmentSource.PORTAL,
        idempotency_key=token,
        idempotency_scope=f"portal:{actor.clinic_id}",
        ip=ip,
    )
    if not booked.replayed:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="appointment.created",
                obj=booked.appointment,
                summary=_("Booked %(service)s with %(practitioner)s")
                % {"service": service.name, "practitioner": practitioner.full_name},
                changes={"start": start.isoformat(), "practitioner": practitioner.pk},
                ip=ip,
            )
    return booked


def appointment_move(
    *,
    actor: Membership,
    appointment: Appointment,
    start: datetime,
    practitioner: Practitioner,
    ip: str | None,
    now: datetime,
) -> Appointment:
    """Move a booked appointment to another time (and perhaps another practitioner of the clinic)."""
    actor_check(actor, clinic_id=appointment.clinic_id, roles=DESK_ROLES)
    actor_check(actor, clinic_id=practitioner.clinic_id, roles=DESK_ROLES)
    old_start = appointment.start
    with transaction.atomic():
        moved = booking_services.appointment_reschedule(
            appointment=appointment,
            start=start,
            practitioner=practitioner,
            now=now,
            actor=Actor.STAFF,
            source=AppointmentSource.PORTAL,
            ip=ip,
        )
        audit_record(
            actor=actor,
            action="appointment.moved",
            obj=moved,
            summary=_("Moved an appointment to %(start)s") % {"start": _local(moved.start, actor)},
            changes={"start": [old_start.isoformat(), moved.start.isoformat()]},
            ip=ip,
        )
    return moved


def health_notes_viewed_record(*, actor: Membership, appointment_ids: list[int], ip: str | None, now: datetime) -> None:
    """Every access to health information is recorded (DESIGN.md invariant 5): who, when, which visits."""
    if not appointment_ids:
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="health_info.viewed",
            summary=_("Viewed the health notes of %(count)d appointment(s) in the calendar")
            % {"count": len(appointment_ids)},
            changes={"appointment_ids": appointment_ids},
            ip=ip,
        )
