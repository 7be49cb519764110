"""Booking, holding, cancelling and rescheduling: every write that gives away or frees a time.

Each function is one transaction that takes the practitioner's lock first, checks, then
writes (see LOCKING.md); the database's constraint is the last word. Emails are outbox
rows written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from booking.availability import alternatives_list, openings_refresh, slot_open
from booking.consultation import alberta_same_day_check
from booking.errors import (
    Busy,
    ClinicNotBookable,
    HoldInvalid,
    NotBookable,
    NotChangeable,
    SlotTaken,
    TooManyHolds,
)
from booking.hooks import appointment_changed, completed_notify, intake_attach
from booking.idempotency import Claim, idempotency_claim, idempotency_complete, idempotency_release
from booking.models import (
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentSeries,
    AppointmentSource,
    AppointmentStatus,
    EventKind,
    Hold,
)
from booking.patients import PatientDetails
from booking.reminders import appointment_ref, reminders_queue
from booking.video import needs_video, video_token_new
from booking.waitlist_end import move_earlier_end
from clinics.models import Clinic, Practitioner, Service
from notifications.outbox import outbox_put
from painhero import formats
from painhero.bounds import date_in_window, window_message
from scheduling.locking import PractitionerBusy, practitioner_lock

HOLD_FOR = timedelta(minutes=5)
# The outbox kind that tells the waitlist a time came free (booking.waitlist_offers reads it).
TIME_FREED = "booking.time_freed"
MAX_HOLDS_PER_OWNER = 2
MAX_HOLDS_PER_IP = 10


@dataclass
class Booked:
    appointment: Appointment
    replayed: bool = False  # True when an idempotent retry returned the first request's appointment


def clinic_check(*, clinic: Clinic) -> None:
    """Raise ``ClinicNotBookable`` unless the clinic is in the network (an applicant, suspended or removed one is not).

    The one definition of "bookable clinic" is the in-network queryset (DESIGN.md invariant 11), asked
    afresh: a clinic suspended a second ago takes no more bookings.
    """
    if not Clinic.objects.in_network().filter(pk=clinic.pk).exists():
        raise ClinicNotBookable(
            _("%(clinic)s is not taking bookings through PainHero at the moment. Please call the clinic at %(phone)s.")
            % {"clinic": clinic.name, "phone": formats.phone(clinic.phone)}
        )


def booking_check(*, practitioner: Practitioner, service: Service, start: datetime, now: datetime) -> None:
    """Raise the error a booking, hold or move to ``start`` would meet before looking at the schedule.

    A read only: the booking page asks it before showing the form, the writes below ask it again.
    """
    if start.tzinfo is None:
        raise NotBookable(_("The start time must include a time zone offset."))
    if not date_in_window(start.date(), today=now.date()):
        raise NotBookable(window_message(today=now.date()))
    clinic_check(clinic=practitioner.clinic)
    if (
        practitioner.clinic_id != service.clinic_id
        or not practitioner.is_active
        or not service.is_active
        or not service.practitioners.filter(pk=practitioner.pk).exists()
    ):
        raise NotBookable


def _is_overlap_violation(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == "appointment_no_overlap"


def _taken(
    *, practitioner: Practitioner, service: Service, start: datetime, now: datetime, error: type[SlotTaken] = SlotTaken
) -> SlotTaken:
    """The error for a time that is gone, with the nearest times still open (computed outside the lock)."""
    alternatives = alternatives_list(
        clinic=practitioner.clinic, service=service, practitioner=practitioner, start=start, now=now
    )
    return error(alternatives=alternatives)


def _record(
    *,
    appointment: Appointment,
    kind: str,
    now: datetime,
    actor: str,
    source: str,
    ip: str | None,
    old_start: datetime | None = None,
    reason: str = "",
    notify: bool = True,
) -> None:
    """The event, the patient's email (unless ``notify`` is off: a series sends one email for all its visits),
    the waitlist's freed time and the visit's reminders, all in the caller's transaction."""
    AppointmentEvent.objects.create(
        appointment=appointment,
        kind=kind,
        at=now,
        actor=actor,
        source=source,
        ip=ip,
        old_start=old_start,
        new_start=appointment.start if kind != EventKind.CANCELLED else None,
        reason=reason,
    )
    payload = {"appointment_id": appointment.pk, "start": appointment.start.isoformat()}
    if old_start is not None:
        payload["old_start"] = old_start.isoformat()
    if notify:
        outbox_put(kind=f"booking.{kind}", payload=payload, now=now, ref=appointment_ref(appointment.pk))
    freed = appointment.start if kind == EventKind.CANCELLED else old_start if kind == EventKind.RESCHEDULED else None
    if freed is not None:
        # A time came free: the waitlist hears of it through the outbox, after this commits (booking.waitlist_offers).
        _time_freed(
            practitioner_id=appointment.practitioner_id, service_id=appointment.service_id, start=freed, now=now
        )
        # The patient's "move me earlier" ends with the time it was for; a time held for it is free again.
        for offer in move_earlier_end(appointment_id=appointment.pk, now=now):
            _time_freed(practitioner_id=offer.practitioner_id, service_id=offer.service_id, start=offer.start, now=now)
    if kind in (EventKind.CREATED, EventKind.RESCHEDULED):
        # The reminders of the visit at its new time; one queued for an old time is skipped when it comes due.
        reminders_queue(appointment=appointment, now=now)
    # The apps above hear of it in this transaction (patients moves or drops the visit's check-in invitation).
    appointment_changed(appointment=appointment, kind=kind, old_start=old_start, now=now)


def _time_freed(*, practitioner_id: int, service_id: int, start: datetime, now: datetime) -> None:
    outbox_put(
        kind=TIME_FREED,
        payload={"practitioner_id": practitioner_id, "service_id": service_id, "start": start.isoformat()},
        now=now,
    )


def hold_create(
    *,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    now: datetime,
    owner_key: str,
    ip: str | None = None,
    replace_own: bool = False,
    hold_for: timedelta = HOLD_FOR,
) -> Hold:
    """Set a time aside for ``HOLD_FOR`` while one patient fills in the form; it counts as taken for others.

    With ``replace_own`` (the web page: one browser, one patient) the owner's other holds give way to
    this one, so a patient who changes their mind never meets "you are already holding several times".
    """
    booking_check(practitioner=practitioner, service=service, start=start, now=now)
    end = start + timedelta(minutes=service.duration_minutes)
    try:
        with transaction.atomic():
            practitioner_lock(practitioner.pk)
            mine = Hold.objects.active(now).filter(owner_key=owner_key) if owner_key else Hold.objects.none()
            # Clicking the same time again (a reload, a double click) gives back the same hold, unextended.
            again = mine.filter(practitioner=practitioner, service=service, start=start).first()
            if again is not None:
                return again
            released: list[tuple[int, int]] = []
            if replace_own and owner_key:
                released = list(mine.values_list("practitioner__clinic_id", "practitioner_id").distinct())
                mine.delete()
            if owner_key and mine.count() >= MAX_HOLDS_PER_OWNER:
                raise TooManyHolds
            if ip and Hold.objects.active(now).filter(ip=ip).count() >= MAX_HOLDS_PER_IP:
                raise TooManyHolds
            # The engine's exact check counts appointments that take time and active holds as busy (LOCKING.md).
            if not slot_open(practitioner=practitioner, service=service, start=start, now=now):
                raise SlotTaken
            Hold.objects.filter(practitioner=practitioner, expires_at__lte=now).delete()
            hold = Hold.objects.create(
                practitioner=practitioner,
                service=service,
                start=start,
                end=end,
                expires_at=now + hold_for,
                owner_key=owner_key,
                ip=ip,
            )
            openings_refresh(
                clinic_ids={practitioner.clinic_id, *(clinic_id for clinic_id, _p in released)},
                practitioner_ids={practitioner.pk, *(practitioner_id for _c, practitioner_id in released)},
                now=now,
            )
    except PractitionerBusy:
        raise Busy from None
    except SlotTaken:
        raise _taken(practitioner=practitioner, service=service, start=start, now=now) from None
    return hold


def hold_release(*, hold: Hold, now: datetime) -> None:
    with transaction.atomic():
        Hold.objects.filter(pk=hold.pk).delete()
        openings_refresh(clinic_ids=[hold.practitioner.clinic_id], practitioner_ids=[hold.practitioner_id], now=now)


def appointment_book(
    *,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    patient: PatientDetails,
    now: datetime,
    source: str = AppointmentSource.WEB,
    hold: Hold | None = None,
    hold_token: str = "",
    idempotency_key: str = "",
    idempotency_scope: str = "api",
    body_hash: str = "",
    ip: str | None = None,
    language: str | None = None,
    lapsed_hold_ok: bool = False,
    intake_token: str = "",
) -> Booked:
    """Book ``start`` for this patient: exactly one of any number of simultaneous requests for a time wins.

    With a ``hold`` (and its token) the held time is booked; without, a free time is booked directly.
    With an ``idempotency_key``, the same key and body give the same appointment however often sent.
    ``language`` is the patient's ("en", "fr"; None: the active language): their emails and links use it.
    With ``lapsed_hold_ok`` (the web form) a hold that has lapsed is no reason to refuse: the time is
    booked if it is still free, as it would be without a hold.
    With an ``intake_token`` the patient's intake is checked and linked in the same transaction (booking.hooks).
    """
    booking_check(practitioner=practitioner, service=service, start=start, now=now)
    language = appointment_language(language)
    claim: Claim | None = None
    if idempotency_key:
        claim = idempotency_claim(key=idempotency_key, scope=idempotency_scope, body_hash=body_hash, now=now)
        if claim.appointment is not None:
            return Booked(appointment=claim.appointment, replayed=True)
    try:
        with transaction.atomic():
            practitioner_lock(practitioner.pk)
            if hold is not None:
                _hold_consume(
                    hold=hold,
                    token=hold_token,
                    practitioner=practitioner,
                    start=start,
                    now=now,
                    lapsed_ok=lapsed_hold_ok,
                )
            # The engine's exact check counts appointments that take time and active holds as busy (LOCKING.md).
            if not slot_open(practitioner=practitioner, service=service, start=start, now=now):
                raise SlotTaken
            alberta_same_day_check(clinic=practitioner.clinic, service=service, start=start, email=patient.email)
            appointment = appointment_row_create(
                practitioner=practitioner,
                service=service,
                start=start,
                patient=patient,
                now=now,
                source=source,
                language=language,
            )
            if intake_token:
                intake_attach(appointment=appointment, token=intake_token, now=now)
            _record(appointment=appointment, kind=EventKind.CREATED, now=now, actor=Actor.PATIENT, source=source, ip=ip)
            if claim is not None:
                idempotency_complete(claim=claim, appointment=appointment)
            openings_refresh(clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now)
    except BaseException as exc:
        if claim is not None:
            idempotency_release(claim=claim)
        if isinstance(exc, PractitionerBusy):
            raise Busy from None
        if isinstance(exc, IntegrityError) and _is_overlap_violation(exc):
            # The constraint caught what the lock should have: the answer is the same as a lost race.
            raise _taken(practitioner=practitioner, service=service, start=start, now=now) from None
        if isinstance(exc, SlotTaken):
            raise _taken(practitioner=practitioner, service=service, start=start, now=now, error=type(exc)) from None
        raise
    return Booked(appointment=appointment)


def appointment_row_create(
    *,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    patient: PatientDetails,
    now: datetime,
    source: str,
    language: str,
    first_visit: bool | None = None,
    series: AppointmentSeries | None = None,
) -> Appointment:
    """The appointment row as every booking writes it (inside the caller's transaction, after its checks):
    consent recorded now, a meeting room for a video visit. ``first_visit`` overrides the patient's answer (a
    series' later visits are not first visits)."""
    return Appointment.objects.create(
        clinic_id=practitioner.clinic_id,
        practitioner=practitioner,
        service=service,
        start=start,
        end=start + timedelta(minutes=service.duration_minutes),
        source=source,
        patient_name=patient.name,
        patient_email=patient.email,
        patient_phone=patient.phone,
        first_visit=patient.first_visit if first_visit is None else first_visit,
        note=patient.note,
        consented_at=now,
        sms_consented_at=now if patient.sms_reminders else None,
        language=language,
        video_token=video_token_new() if needs_video(service) else None,
        series=series,
    )


def appointment_language(language: str | None) -> str:
    """One of settings.LANGUAGES for a code such as "fr", "fr-CA" or "FR"; None means the active language."""
    raw = translation.get_language() if language is None else language
    try:
        return translation.get_supported_language_variant((raw or settings.LANGUAGE_CODE).strip().lower())
    except LookupError:
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        raise NotBookable(_("language: use one of %(codes)s.") % {"codes": codes}) from None


def _hold_consume(
    *, hold: Hold, token: str, practitioner: Practitioner, start: datetime, now: datetime, lapsed_ok: bool = False
) -> None:
    """Delete the patient's own hold inside the booking transaction, so the check below sees the time free.

    ``lapsed_ok``: a hold that is no longer active is let go (the check below then decides alone); a hold
    that is still active but not this one (another token, time or practitioner) keeps counting as taken.
    """
    valid = Hold.objects.active(now).filter(pk=hold.pk, token=token, practitioner=practitioner, start=start).delete()[0]
    if valid:
        return
    if not lapsed_ok:
        raise HoldInvalid
    Hold.objects.filter(pk=hold.pk, token=token, expires_at__lte=now).delete()  # the lapsed row has no more use


def _check_changeable(*, appointment: Appointment, now: datetime, actor: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise NotChangeable(_("This appointment is already cancelled or over."))
    if actor == Actor.PATIENT and not appointment.changeable_online(now=now):
        raise NotChangeable(
            _("It is too late to change this appointment online. Please call the clinic at %(phone)s.")
            % {"phone": formats.phone(appointment.clinic.phone)}
        )


def appointment_cancel(
    *,
    appointment: Appointment,
    now: datetime,
    actor: str = Actor.PATIENT,
    source: str,
    ip: str | None = None,
    reason: str = "",
) -> Appointment:
    """Cancel and free the time; ``reason`` is what the patient chose to say (kept on the event, never logged)."""
    try:
        with transaction.atomic():
            practitioner_lock(appointment.practitioner_id)
            appointment = Appointment.objects.select_related("clinic").get(pk=appointment.pk)
            _check_changeable(appointment=appointment, now=now, actor=actor)
            appointment.status = AppointmentStatus.CANCELLED
            appointment.save(update_fields=["status", "updated_at"])
            _record(
                appointment=appointment,
                kind=EventKind.CANCELLED,
                now=now,
                actor=actor,
                source=source,
                ip=ip,
                reason=reason.strip()[:300],
            )
            openings_refresh(
                clinic_ids=[appointment.clinic_id], practitioner_ids=[appointment.practitioner_id], now=now
            )
    except PractitionerBusy:
        raise Busy from None
    return appointment


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    now: datetime,
    practitioner: Practitioner | None = None,
    actor: str = Actor.PATIENT,
    source: str,
    ip: str | None = None,
    hold: Hold | None = None,
    hold_token: str = "",
) -> Appointment:
    """Move an appointment to a new open time in one transaction: it is at the old time or the new, never both.

    With a ``hold`` (and its token: a waitlist offer's) the held time is the one moved to; it must still stand."""
    practitioner = practitioner or appointment.practitioner
    service = appointment.service
    # Another clinic's practitioner is refused here too: the appointment's service is not offered there.
    booking_check(practitioner=practitioner, service=service, start=start, now=now)
    end = start + timedelta(minutes=service.duration_minutes)
    try:
        with transaction.atomic():
            practitioner_lock(appointment.practitioner_id, practitioner.pk)
            appointment = Appointment.objects.select_related("clinic").get(pk=appointment.pk)
            _check_changeable(appointment=appointment, now=now, actor=actor)
            old_start = appointment.start
            old_practitioner_id = appointment.practitioner_id
            if hold is not None:
                _hold_consume(hold=hold, token=hold_token, practitioner=practitioner, start=start, now=now)
            # The engine counts this appointment as busy; free it (invisibly to others: we hold the lock
            # and have not committed) so that a move by less than its length is judged on the rules alone.
            Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
            if not slot_open(practitioner=practitioner, service=service, start=start, now=now):
                raise SlotTaken
            alberta_same_day_check(
                clinic=appointment.clinic,
                service=service,
                start=start,
                email=appointment.patient_email,
                exclude_pk=appointment.pk,
            )
            appointment.practitioner = practitioner
            appointment.start, appointment.end = start, end
            appointment.status = AppointmentStatus.BOOKED
            appointment.save(update_fields=["practitioner", "start", "end", "status", "updated_at"])
            _record(
                appointment=appointment,
                kind=EventKind.RESCHEDULED,
                now=now,
                actor=actor,
                source=source,
                ip=ip,
                old_start=old_start,
            )
            openings_refresh(
                clinic_ids=[appointment.clinic_id], practitioner_ids=[old_practitioner_id, practitioner.pk], now=now
            )
    except PractitionerBusy:
        raise Busy from None
    except IntegrityError as exc:
        if not _is_overlap_violation(exc):
            raise
        raise _taken(practitioner=practitioner, service=service, start=start, now=now) from None
    except SlotTaken:
        raise _taken(practitioner=practitioner, service=service, start=start, now=now) from None
    return appointment


def _status_set(
    *, appointment: Appointment, now: datetime, kind: str, status: str | None, source: str, ip: str | None
) -> Appointment:
    """Record an arrival or an outcome: no time is freed or taken, so no practitioner lock and no email."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("clinic").get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED:
            raise NotChangeable(_("This appointment is already cancelled or over."))
        if appointment.start > now + timedelta(hours=12):
            raise NotChangeable(_("This appointment has not started yet."))
        if status is not None:
            appointment.status = status
            appointment.save(update_fields=["status", "updated_at"])
        AppointmentEvent.objects.create(
            appointment=appointment, kind=kind, at=now, actor=Actor.STAFF, source=source, ip=ip
        )
        if status == AppointmentStatus.COMPLETED:
            # Every completed visit, never a chosen few: quality queues its review invitation (booking.hooks).
            completed_notify(appointment=appointment, now=now)
    return appointment


def appointment_mark_arrived(
    *, appointment: Appointment, now: datetime, source: str = AppointmentSource.PORTAL, ip: str | None = None
) -> Appointment:
    return _status_set(appointment=appointment, now=now, kind=EventKind.ARRIVED, status=None, source=source, ip=ip)


def appointment_mark_completed(
    *, appointment: Appointment, now: datetime, source: str = AppointmentSource.PORTAL, ip: str | None = None
) -> Appointment:
    return _status_set(
        appointment=appointment,
        now=now,
        kind=EventKind.COMPLETED,
        status=AppointmentStatus.COMPLETED,
        source=source,
        ip=ip,
    )


def appointment_mark_no_show(
    *, appointment: Appointment, now: datetime, source: str = AppointmentSource.PORTAL, ip: str | None = None
) -> Appointment:
    return _status_set(
        appointment=appointment, now=now, kind=EventKind.NO_SHOW, status=AppointmentStatus.NO_SHOW, source=source, ip=ip
    )
