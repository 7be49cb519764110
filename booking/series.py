"""A series: several visits booked in one step, all or none (DESIGN.md invariant 10; a care plan's visits).

One transaction takes the lock of every practitioner of the series (in id order, as every booking does, so two
series never deadlock), checks **every** visit with the engine's exact check that a single booking uses (working
hours, closures, time off, notice, appointments and holds), then writes every appointment. If one visit is not open,
nothing is written, and the refusal lists each visit that needs another time with the nearest open times for it,
computed after the transaction (outside the lock). On PostgreSQL the exclusion constraint backs it: an overlap that
slipped past the lock fails the insert, and the whole series rolls back.

Each visit is an ordinary appointment (its own manage link, reminders, cancel and move), so nothing locks a patient
in: Ontario's physiotherapy college requires that a package can be bought one visit at a time. The series sends
one confirmation email listing every visit, with one calendar file holding them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking.availability import alternatives_list, openings_refresh, slot_open
from booking.consultation import alberta_same_day_check
from booking.errors import BookingError, Busy, NotBookable, NotChangeable
from booking.hooks import series_attach
from booking.idempotency import Claim, idempotency_claim, idempotency_complete, idempotency_release
from booking.models import Actor, Appointment, AppointmentSeries, AppointmentSource, AppointmentStatus, EventKind
from booking.patients import PatientDetails
from booking.services import (
    _is_overlap_violation,
    _record,
    appointment_cancel,
    appointment_language,
    appointment_row_create,
    booking_check,
)
from clinics.models import Practitioner, Service
from notifications.outbox import outbox_put
from scheduling.locking import PractitionerBusy, practitioner_lock

MAX_VISITS = 36
# The outbox kind of the one confirmation email of a series (booking.emails builds it).
SERIES_BOOKED = "booking.series_booked"


@dataclass(frozen=True)
class SeriesVisit:
    practitioner: Practitioner
    service: Service
    start: datetime  # aware

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.service.duration_minutes)


@dataclass(frozen=True)
class SeriesConflict:
    start: datetime
    alternatives: list[datetime]  # the nearest open starts for that visit, its own practitioner's first


class SeriesTaken(BookingError):
    """One or more visits are not open: nothing was booked; ``conflicts`` says which, with nearby times."""

    status = 409
    default_message = gettext_lazy(
        "Some of these times are no longer open, so nothing was booked. Choose another time for each."
    )

    def __init__(self, conflicts: Sequence[SeriesConflict] = ()) -> None:
        self.conflicts = list(conflicts)
        count = len(self.conflicts)
        super().__init__(
            ngettext(
                "%(count)d visit is no longer open, so nothing was booked. Choose another time for it.",
                "%(count)d visits are no longer open, so nothing was booked. Choose another time for each.",
                count,
            )
            % {"count": count}
            if count
            else None
        )


class SeriesInvalid(NotBookable):
    """The series itself cannot be booked as asked (too many visits, duplicates, overlaps, the past): a 422."""


@dataclass(frozen=True)
class SeriesBooked:
    series: AppointmentSeries
    appointments: list[Appointment] = field(default_factory=list)  # ordered by start
    replayed: bool = False


class _NotOpen(Exception):
    def __init__(self, visits: list[SeriesVisit]) -> None:
        self.visits = visits


def series_validate(*, visits: Sequence[SeriesVisit], now: datetime) -> list[SeriesVisit]:
    """The visits in time order, or ``SeriesInvalid`` naming the problem in words the patient can act on."""
    if not visits:
        raise SeriesInvalid(_("starts: give at least one time."))
    if len(visits) > MAX_VISITS:
        raise SeriesInvalid(
            _("starts: a series holds at most %(max)d visits; this one has %(count)d.")
            % {"max": MAX_VISITS, "count": len(visits)}
        )
    if any(visit.start.tzinfo is None for visit in visits):
        raise SeriesInvalid(_("starts: every time must include a time zone offset, e.g. 2026-12-07T09:00:00-05:00."))
    ordered = sorted(visits, key=lambda visit: visit.start)
    if len({visit.practitioner.clinic_id for visit in ordered}) > 1:
        raise SeriesInvalid(_("starts: every visit of a series is at one clinic."))
    for visit in ordered:
        if visit.start <= now:
            raise SeriesInvalid(
                _("starts: %(start)s is in the past; choose times from now on.") % {"start": visit.start.isoformat()}
            )
    for earlier, later in pairwise(ordered):
        if later.start == earlier.start:
            raise SeriesInvalid(_("starts: %(start)s is given twice.") % {"start": later.start.isoformat()})
        if later.start < earlier.end:
            raise SeriesInvalid(
                _("starts: %(later)s begins before the visit at %(earlier)s ends.")
                % {"later": later.start.isoformat(), "earlier": earlier.start.isoformat()}
            )
    return ordered


def _conflicts(visits: Sequence[SeriesVisit], *, now: datetime) -> list[SeriesConflict]:
    """The visits that are not open, each with its nearest open starts (its own practitioner's first)."""
    conflicts = []
    for visit in visits:
        if slot_open(practitioner=visit.practitioner, service=visit.service, start=visit.start, now=now):
            continue
        nearby = alternatives_list(
            clinic=visit.practitioner.clinic,
            service=visit.service,
            practitioner=visit.practitioner,
            start=visit.start,
            now=now,
        )
        own = [time.start for time in nearby if time.practitioner_id == visit.practitioner.pk]
        conflicts.append(SeriesConflict(start=visit.start, alternatives=own or [time.start for time in nearby]))
    return conflicts


def series_book(
    *,
    visits: Sequence[SeriesVisit],
    patient: PatientDetails,
    now: datetime,
    source: str = AppointmentSource.WEB,
    idempotency_key: str = "",
    idempotency_scope: str = "api-series",
    body_hash: str = "",
    ip: str | None = None,
    language: str | None = None,
    care_plan_token: str = "",
) -> SeriesBooked:
    """Book every visit for this patient, or none: see the module's note."""
    ordered = series_validate(visits=visits, now=now)
    for visit in ordered:
        booking_check(practitioner=visit.practitioner, service=visit.service, start=visit.start, now=now)
    language = appointment_language(language)
    claim: Claim | None = None
    if idempotency_key:
        claim = idempotency_claim(key=idempotency_key, scope=idempotency_scope, body_hash=body_hash, now=now)
        if claim.appointment is not None and claim.appointment.series_id is not None:
            series = AppointmentSeries.objects.get(pk=claim.appointment.series_id)
            return SeriesBooked(series=series, appointments=list(series.appointments.order_by("start")), replayed=True)
    clinic_id = ordered[0].practitioner.clinic_id
    practitioner_ids = sorted({visit.practitioner.pk for visit in ordered})
    try:
        with transaction.atomic():
            practitioner_lock(*practitioner_ids)
            not_open = [
                visit
                for visit in ordered
                if not slot_open(practitioner=visit.practitioner, service=visit.service, start=visit.start, now=now)
            ]
            if not_open:
                raise _NotOpen(not_open)
            for visit in ordered:
                alberta_same_day_check(
                    clinic=visit.practitioner.clinic, service=visit.service, start=visit.start, email=patient.email
                )
            series = AppointmentSeries.objects.create(clinic_id=clinic_id, language=language, created_at=now)
            appointments: list[Appointment] = []
            for visit in ordered:
                appointment = appointment_row_create(
                    practitioner=visit.practitioner,
                    service=visit.service,
                    start=visit.start,
                    patient=patient,
                    now=now,
                    source=source,
                    language=language,
                    first_visit=patient.first_visit and not appointments,
                    series=series,
                )
                _record(
                    appointment=appointment,
                    kind=EventKind.CREATED,
                    now=now,
                    actor=Actor.PATIENT,
                    source=source,
                    ip=ip,
                    notify=False,
                )
                appointments.append(appointment)
            outbox_put(kind=SERIES_BOOKED, payload={"series_id": series.pk}, now=now, ref=f"series:{series.pk}")
            if care_plan_token:
                series_attach(series=series, token=care_plan_token, now=now)
            if claim is not None:
                idempotency_complete(claim=claim, appointment=appointments[0])
            openings_refresh(clinic_ids=[clinic_id], practitioner_ids=practitioner_ids, now=now)
    except BaseException as exc:
        if claim is not None:
            idempotency_release(claim=claim)
        if isinstance(exc, PractitionerBusy):
            raise Busy from None
        if isinstance(exc, _NotOpen) or (isinstance(exc, IntegrityError) and _is_overlap_violation(exc)):
            # Outside the lock: which visits are not open now, and the nearest times for each.
            conflicts = _conflicts(ordered, now=now) or [
                SeriesConflict(start=v.start, alternatives=[]) for v in ordered
            ]
            raise SeriesTaken(conflicts) from None
        raise
    return SeriesBooked(series=series, appointments=appointments)


@dataclass(frozen=True)
class VisitKept:
    """A future visit "cancel the rest" left booked, and why (safe to show: e.g. call the clinic)."""

    appointment: Appointment
    reason: str


@dataclass(frozen=True)
class RestCancelled:
    cancelled: list[Appointment] = field(default_factory=list)  # ordered by start
    kept: list[VisitKept] = field(default_factory=list)  # future visits that could not be cancelled online


def series_cancel_rest(
    *, series: AppointmentSeries, now: datetime, actor: str = Actor.PATIENT, source: str = "web", reason: str = ""
) -> RestCancelled:
    """Cancel every visit of the series still to come, in one transaction, each with its usual email.

    A visit that can no longer be cancelled online (already inside the clinic's cancellation window) does not
    stop the others: it stays booked and is reported in ``kept`` with the reason (call the clinic)."""
    with transaction.atomic():
        future = list(
            series.appointments.select_related("clinic", "practitioner", "service")
            .filter(status=AppointmentStatus.BOOKED, start__gt=now)
            .order_by("start")
        )
        try:
            # Every practitioner's lock at once, in id order as every booking takes them: no deadlock with a series.
            practitioner_lock(*sorted({visit.practitioner_id for visit in future}))
        except PractitionerBusy:
            raise Busy from None
        result = RestCancelled()
        for visit in future:
            try:
                # Its own savepoint: a refusal rolls back that visit only, never the others.
                cancelled = appointment_cancel(appointment=visit, now=now, actor=actor, source=source, reason=reason)
            except NotChangeable as refused:
                result.kept.append(VisitKept(appointment=visit, reason=refused.message))
            else:
                result.cancelled.append(cancelled)
        return result


__all__ = [
    "MAX_VISITS",
    "RestCancelled",
    "SeriesBooked",
    "SeriesConflict",
    "SeriesInvalid",
    "SeriesTaken",
    "SeriesVisit",
    "VisitKept",
    "series_book",
    "series_cancel_rest",
    "series_validate",
]
