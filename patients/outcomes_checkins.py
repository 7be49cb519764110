"""Check-ins: the one-minute measurement before a visit, by the patient through an emailed link or by the
practitioner in the portal.

- ``checkin_invite`` makes the check-in (not yet recorded) and queues its email in the outbox, held back until
  ``CHECKIN_LEAD`` before the visit, once (a dedupe key of the check-in and the visit's start as a UTC instant).
  A care plan's series invites every visit as it is booked (``checkins_invite_for_visits``); a visit moved moves
  its invitation and one cancelled drops it (``checkins_follow_appointment``, booking.hooks' listener).
- The link's secret is made when the worker builds the email (the outbox row holds identifiers only) and only its
  hash is kept; recording spends it (one conditional UPDATE: one time, even for two tabs at once) and it dies
  ``LINK_VALID_AFTER_START`` after the visit starts.
- The email's subject says nothing about health or care; the body is in the patient's language, with the visit's
  time in the clinic's zone.
- Every read of the intake's words by staff is an ``IntakeAccess``; a patient's own reads too (reader patient).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.models import Appointment, AppointmentStatus, EventKind
from notifications.models import MessageStatus, OutboxMessage
from notifications.outbox import outbox_put
from painhero import formats
from painhero.urls_abs import absolute_reverse
from patients.models import CheckInBy, Intake, IntakeAccess, OutcomeCheckIn, Reader, token_hash
from patients.outcomes_measures import GROC, NPRS, PSFS, extra_measures_for
from patients.outcomes_progress import Progress, intake_activities, intake_baseline, outcome_progress

CHECKIN_EMAIL_KIND = "patients.outcome_checkin"
# The email leaves this long before the visit (a visit booked closer than that gets it at once).
CHECKIN_LEAD = timedelta(hours=4)
# The link works until this long after the visit starts (the waiting room, or the evening after).
LINK_VALID_AFTER_START = timedelta(hours=12)


class CheckInError(Exception):
    """A check-in that cannot be recorded; ``field`` names what to fix ("" for the whole), ``message`` is safe to
    show (never an answer)."""

    def __init__(self, field: str, message: str, *, status: int = 422) -> None:
        self.field = field
        self.message = message
        self.status = status
        super().__init__(f"{field}: {message}" if field else message)


@dataclass(frozen=True)
class CheckInAnswers:
    nprs: int
    groc: int
    psfs: list[int] = field(default_factory=list)  # one per intake activity, in its order
    extra: dict[str, int] = field(default_factory=dict)


def checkin_answers_clean(raw: Mapping[str, Any], *, intake: Intake, clinic_id: int | None) -> CheckInAnswers:
    """Check the values against the measures' ranges (``CheckInError`` naming the field); the database's check
    constraints say the same, this says it in words."""

    def number(name: str, measure_min: int, measure_max: int, label: str) -> int:
        value = raw.get(name)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not measure_min <= value <= measure_max:
            raise CheckInError(
                name,
                _("%(label)s: choose a whole number from %(min)s to %(max)s.")
                % {"label": label, "min": measure_min, "max": measure_max},
            )
        return value

    nprs = number("nprs", NPRS.minimum, NPRS.maximum, str(NPRS.name))
    psfs = [
        number(f"psfs_{n}", PSFS.minimum, PSFS.maximum, str(activity.get("name", "")))
        for n, activity in enumerate(intake_activities(intake), start=1)
    ]
    groc = number("groc", GROC.minimum, GROC.maximum, str(GROC.name))
    extra = {m.id: number(f"extra_{m.id}", m.minimum, m.maximum, str(m.name)) for m in extra_measures_for(clinic_id)}
    return CheckInAnswers(nprs=nprs, groc=groc, psfs=psfs, extra=extra)


def _values(answers: CheckInAnswers) -> dict[str, Any]:
    psfs = [*answers.psfs, None, None, None][:3]
    return {
        "nprs": answers.nprs,
        "groc": answers.groc,
        "psfs_1": psfs[0],
        "psfs_2": psfs[1],
        "psfs_3": psfs[2],
        "extra": answers.extra,
    }


# --- Inviting ---------------------------------------------------------------------------------------------------


def intake_is_patients(intake: Intake, appointment: Appointment) -> bool:
    """Whether this intake is the appointment's patient's (the same address, any case, or the same visit)."""
    email = (appointment.patient_email or "").strip().lower()
    if intake.appointment_id == appointment.pk:
        return True
    if not email:
        return False
    return (
        Intake.objects.filter(pk=intake.pk)
        .filter(Q(patient_email__iexact=email) | Q(appointment__patient_email__iexact=email))
        .exists()
    )


def _utc(moment: datetime) -> str:
    """An instant as UTC text: the same whatever zone the aware datetime in hand carries (a visit moved with a
    Toronto time and read back from the database in UTC is one instant, one key)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def checkin_key(checkin: OutcomeCheckIn, appointment: Appointment) -> str:
    """The invitation's dedupe key: one email per check-in and visit time, the time as a UTC instant."""
    return f"{CHECKIN_EMAIL_KIND}:{checkin.pk}:{_utc(appointment.start)}"


def _queue(checkin: OutcomeCheckIn, appointment: Appointment, *, now: datetime) -> None:
    """The invitation's email, once, held back until ``CHECKIN_LEAD`` before the visit (in the caller's
    transaction)."""
    outbox_put(
        kind=CHECKIN_EMAIL_KIND,
        payload={"checkin_id": checkin.pk, "start": _utc(appointment.start)},
        now=now,
        dedupe_key=checkin_key(checkin, appointment),
        not_before=max(appointment.start - CHECKIN_LEAD, now),
        ref=f"appointment:{appointment.pk}",
    )


def checkin_invite(*, appointment: Appointment, intake: Intake, now: datetime) -> OutcomeCheckIn | None:
    """The check-in of this visit for this intake, with its email queued (once) to leave ``CHECKIN_LEAD`` before
    the visit; None when there is nothing to ask: the visit is not booked or already started, the intake has no
    baseline (no pain score), or it is not this patient's. Calling it again for the same visit answers the same
    check-in and queues nothing more (after a move: one email for the new time). Call it inside the booking's
    transaction or alone: it is one transaction."""
    if appointment.status != AppointmentStatus.BOOKED or appointment.start <= now:
        return None
    if intake_baseline(intake) is None or not appointment.patient_email or not intake_is_patients(intake, appointment):
        return None
    with transaction.atomic():
        checkin = OutcomeCheckIn.objects.filter(intake=intake, appointment=appointment).first()
        if checkin is None:
            try:
                with transaction.atomic():
                    checkin = OutcomeCheckIn.objects.create(intake=intake, appointment=appointment, created_at=now)
            except IntegrityError:  # made meanwhile by another call: the constraint keeps it one
                checkin = OutcomeCheckIn.objects.get(intake=intake, appointment=appointment)
        if checkin.taken_at is not None:
            return checkin
        _queue(checkin, appointment, now=now)
    return checkin


def checkins_invite_for_visits(
    *, appointments: Sequence[Appointment], intake: Intake, now: datetime
) -> list[OutcomeCheckIn]:
    """``checkin_invite`` for several visits of one patient at once (a care plan's series, just booked): the
    intake checked once, the check-ins written in one statement, one email queued for each. Call inside the
    booking's transaction; visits not booked or already started are left out."""
    visits = [a for a in appointments if a.status == AppointmentStatus.BOOKED and a.start > now and a.patient_email]
    if not visits or intake_baseline(intake) is None or not intake_is_patients(intake, visits[0]):
        return []
    with transaction.atomic():
        have = set(
            OutcomeCheckIn.objects.filter(intake=intake, appointment__in=visits).values_list(
                "appointment_id", flat=True
            )
        )
        OutcomeCheckIn.objects.bulk_create(
            OutcomeCheckIn(intake=intake, appointment=a, created_at=now) for a in visits if a.pk not in have
        )
        checkins = {
            c.appointment_id: c
            for c in OutcomeCheckIn.objects.filter(intake=intake, appointment__in=visits, taken_at__isnull=True)
        }
        for appointment in visits:
            if appointment.pk in checkins:
                _queue(checkins[appointment.pk], appointment, now=now)
    return list(checkins.values())


def _withdraw(appointment_id: int, *, now: datetime) -> None:
    """The visit's invitations not sent yet will not be: marked not needed (a move back to the same time wakes
    its row again, ``outbox_put``)."""
    OutboxMessage.objects.filter(
        kind=CHECKIN_EMAIL_KIND,
        ref=f"appointment:{appointment_id}",
        sent_at__isnull=True,
        status=MessageStatus.PENDING,
    ).update(status=MessageStatus.SKIPPED, sent_at=now, status_at=now)


def checkins_follow_appointment(
    *, appointment: Appointment, kind: str, old_start: datetime | None, now: datetime
) -> None:
    """booking.hooks' listener, inside the change's transaction: a visit moved moves its invitation (the old email
    withdrawn, an emailed link dead, a new one queued for the new time); a visit cancelled drops it (the email
    withdrawn, the unrecorded check-in deleted with its link). A recorded check-in stays as it is."""
    if kind not in (EventKind.RESCHEDULED, EventKind.CANCELLED):
        return
    pending = list(OutcomeCheckIn.objects.filter(appointment_id=appointment.pk, taken_at__isnull=True))
    if not pending:
        return
    _withdraw(appointment.pk, now=now)
    if kind == EventKind.CANCELLED:
        OutcomeCheckIn.objects.filter(pk__in=[c.pk for c in pending], taken_at__isnull=True).delete()
        return
    OutcomeCheckIn.objects.filter(pk__in=[c.pk for c in pending]).update(token_hash=None, token_expires_at=None)
    for checkin in pending:
        if appointment.status == AppointmentStatus.BOOKED and appointment.start > now:
            _queue(checkin, appointment, now=now)


def checkin_url(token: str, *, language: str) -> str:
    return absolute_reverse("patients:checkin", language=language, kwargs={"token": token})


def checkin_email_build(payload: dict[str, Any]) -> EmailMultiAlternatives | None:
    """The invitation, built by the worker: a fresh secret is made now and its hash stored (the email is sent
    once). Nothing to send when the check-in was recorded meanwhile, or the visit was cancelled, moved or is over."""
    now = timezone.now()
    checkin = (
        OutcomeCheckIn.objects.select_related("appointment__clinic", "intake")
        .filter(pk=payload["checkin_id"], taken_at__isnull=True)
        .first()
    )
    appointment = checkin.appointment if checkin else None
    if checkin is None or appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return None
    if appointment.start != datetime.fromisoformat(payload["start"]):  # moved since: the new time has its own
        return None
    expires = appointment.start + LINK_VALID_AFTER_START
    if expires <= now:
        return None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        updated = OutcomeCheckIn.objects.filter(pk=checkin.pk, taken_at__isnull=True).update(
            token_hash=token_hash(token), token_expires_at=expires
        )
    if not updated:
        return None
    zone = ZoneInfo(appointment.clinic.time_zone)
    language = appointment.language
    with translation.override(language), timezone.override(zone):
        context = {
            "url": checkin_url(token, language=language),
            "clinic": appointment.clinic,
            "when": formats.datetime_in_zone(appointment.start, zone),
            "until": formats.datetime_in_zone(expires, zone),
        }
        # Nothing about pain, care or the practitioner in the subject: a lock screen shows it to anyone nearby.
        subject = _("One minute before your visit on %(when)s — %(clinic)s") % {
            "when": formats.datetime_in_zone(appointment.start, zone),
            "clinic": appointment.clinic.name,
        }
        text = render_to_string("patients/outcomes/email/checkin.txt", context)
        html = render_to_string("patients/outcomes/email/checkin.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[appointment.patient_email],
        headers={"Message-ID": f"<checkin-{checkin.pk}-{int(appointment.start.timestamp())}@painhero>"},
    )
    message.attach_alternative(html, "text/html")
    return message


# --- The patient's link -------------------------------------------------------------------------------------------


def checkin_for_token(token: str, *, now: datetime) -> OutcomeCheckIn | None:
    """The check-in this link opens: not yet recorded and not expired; None otherwise (the same answer for a
    forged, spent or expired link)."""
    if not token or len(token) > 100:
        return None
    return (
        OutcomeCheckIn.objects.select_related("intake", "appointment__clinic")
        .filter(token_hash=token_hash(token), taken_at__isnull=True, token_expires_at__gt=now)
        .first()
    )


def checkin_open_for_patient(*, token: str, where: str, now: datetime) -> OutcomeCheckIn | None:
    """``checkin_for_token``, with the patient's read of their own words (the activities) recorded."""
    checkin = checkin_for_token(token, now=now)
    if checkin is not None:
        with transaction.atomic():
            IntakeAccess.objects.create(intake=checkin.intake, at=now, reader=Reader.PATIENT, where=where)
    return checkin


def checkin_record_by_patient(*, token: str, raw: Mapping[str, Any], now: datetime) -> OutcomeCheckIn | None:
    """Record the patient's answers and spend the link, in one transaction; None when the link is forged, spent
    or expired (nothing written). ``CheckInError`` for a value out of range (the link stays usable)."""
    checkin = checkin_for_token(token, now=now)
    if checkin is None:
        return None
    clinic_id = checkin.appointment.clinic_id if checkin.appointment else None
    answers = checkin_answers_clean(raw, intake=checkin.intake, clinic_id=clinic_id)
    with transaction.atomic():
        # The spend: only a row still unrecorded, with this hash, not expired. Two tabs posting at once: one wins.
        spent = OutcomeCheckIn.objects.filter(
            pk=checkin.pk, token_hash=token_hash(token), taken_at__isnull=True, token_expires_at__gt=now
        ).update(
            **_values(answers),
            taken_at=now,
            recorded_by=CheckInBy.PATIENT,
            token_hash=None,
            token_expires_at=None,
        )
        if not spent:
            return None
    checkin.refresh_from_db()
    return checkin


# --- The practitioner, in the portal --------------------------------------------------------------------------------


def appointment_checkin_intake(appointment: Appointment) -> Intake | None:
    """The intake whose baseline a visit's check-in measures against: the latest intake of this patient that went
    with a visit at this clinic (or this visit), with a pain score."""
    email = (appointment.patient_email or "").strip()
    queryset = Intake.objects.filter(appointment__clinic_id=appointment.clinic_id)
    queryset = (
        queryset.filter(Q(appointment=appointment) | Q(appointment__patient_email__iexact=email))
        if email
        else queryset.filter(appointment=appointment)
    )
    for intake in queryset.order_by("-created_at", "-pk")[:5]:
        if intake_baseline(intake) is not None:
            return intake
    return None


def checkin_staff_open(
    *, appointment: Appointment, user_id: int, role: str, where: str, now: datetime
) -> tuple[Intake | None, OutcomeCheckIn | None]:
    """The intake a practitioner records a visit's check-in against, and the check-in already recorded for the
    visit if any; the read recorded. The caller has decided this member may read it (portal.selectors)."""
    intake = appointment_checkin_intake(appointment)
    if intake is None:
        return None, None
    with transaction.atomic():
        IntakeAccess.objects.create(intake=intake, at=now, reader=Reader.STAFF, user_id=user_id, role=role, where=where)
    recorded = OutcomeCheckIn.objects.filter(intake=intake, appointment=appointment, taken_at__isnull=False).first()
    return intake, recorded


def checkin_record_by_staff(
    *,
    appointment: Appointment,
    intake: Intake,
    raw: Mapping[str, Any],
    user_id: int,
    role: str,
    where: str,
    now: datetime,
) -> OutcomeCheckIn:
    """Record a visit's check-in as the practitioner heard it, in one transaction with the read it makes; a
    pending invitation's link is spent by it. ``CheckInError`` (409) when the visit's check-in is already
    recorded (by the patient or a colleague), (422) for a value out of range."""
    answers = checkin_answers_clean(raw, intake=intake, clinic_id=appointment.clinic_id)
    values = {
        **_values(answers),
        "taken_at": now,
        "recorded_by": CheckInBy.STAFF,
        "recorded_by_user_id": user_id,
        "token_hash": None,
        "token_expires_at": None,
    }
    with transaction.atomic():
        IntakeAccess.objects.create(intake=intake, at=now, reader=Reader.STAFF, user_id=user_id, role=role, where=where)
        checkin = OutcomeCheckIn.objects.select_for_update().filter(intake=intake, appointment=appointment).first()
        if checkin is None:
            try:
                with transaction.atomic():
                    checkin = OutcomeCheckIn.objects.create(
                        intake=intake, appointment=appointment, created_at=now, **values
                    )
                return checkin
            except IntegrityError:
                checkin = OutcomeCheckIn.objects.select_for_update().get(intake=intake, appointment=appointment)
        updated = OutcomeCheckIn.objects.filter(pk=checkin.pk, taken_at__isnull=True).update(**values)
        if not updated:
            raise CheckInError("", _("This visit's check-in is already recorded."), status=409)
    checkin.refresh_from_db()
    return checkin


def builders_register() -> None:
    from notifications.registry import builder_register

    builder_register(CHECKIN_EMAIL_KIND, checkin_email_build)


def checkin_done_open(*, checkin_id: object, where: str, now: datetime) -> Progress | None:
    """The progress of the intake whose check-in this browser just recorded (its session says which), the
    patient's read recorded; None for anything else."""
    if not isinstance(checkin_id, int):
        return None
    found = OutcomeCheckIn.objects.select_related("intake").filter(pk=checkin_id, taken_at__isnull=False).first()
    if found is None:
        return None
    with transaction.atomic():
        IntakeAccess.objects.create(intake=found.intake, at=now, reader=Reader.PATIENT, where=where)
    return outcome_progress(found.intake)
