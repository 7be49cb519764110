"""My PainHero: the patient's magic-link sign-in, what the space shows, the download and the deletion.

Sign-in (DESIGN.md invariants 8 and 12):

- ``sign_in_request`` answers the same way for every address (the view shows one "if we have anything for this
  address, we sent a link" page): an email is sent only when something is held for it (an account, an
  appointment or an intake with that address), and the throttle counts every request, known or not.
- The link is a django-sesame token, made when the worker builds the email (so the outbox row holds the account's
  id, never a token), scoped to My PainHero, valid ``SESAME_MAX_AGE`` seconds and once (``SESAME_ONE_TIME``).
- ``sign_in_confirm`` spends it; the view calls it on POST only (a mail scanner's GET signs nobody in).

A patient's account is a Django user with an unusable password and a ``PatientAccount`` row; it is made for an
address the first time a link is asked for one that has something held, and counts as verified from the first
sign-in with such a link. Staff users are never patient users (their own rows), so a magic link can never open
the portal.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from sesame.utils import get_token, get_user

from booking.errors import NotChangeable
from booking.models import Actor, Appointment, AppointmentEvent, AppointmentSource, AppointmentStatus
from booking.services import appointment_cancel
from notifications.outbox import outbox_put
from painhero.urls_abs import absolute_url
from patients.account import PatientAccount
from patients.models import Intake, IntakeAccess, Reader

SCOPE = "patients:my"  # sesame's scope: a token made here opens My PainHero and nothing else
SIGN_IN_EMAIL_KIND = "patients.sign_in_link"

# A patient asks for a link a few times at most; these bound abuse (mail bombing, probing) per hour.
MAX_LINKS_PER_EMAIL_PER_HOUR = 5
MAX_LINKS_PER_IP_PER_HOUR = 20
THROTTLE_WINDOW_SECONDS = 3600


class TooManySignInRequests(Exception):
    """Too many links asked for this address or from this network address; ``message`` is safe to show."""

    status = 429

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def email_normalize(raw: str) -> str:
    return (raw or "").strip().lower()


def _counter_hit(kind: str, value: str) -> int:
    """One more request counted under a hash of ``value`` (never the address itself), shared by every worker
    when the cache is Redis; the count of this hour so far."""
    key = f"my-sign-in-rate:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]
    try:
        return int(cache.incr(key))
    except ValueError:  # no counter yet, or it has just expired: the first of a new hour
        if cache.add(key, 1, timeout=THROTTLE_WINDOW_SECONDS):
            return 1
        return int(cache.incr(key))


def _throttle(*, email: str, ip: str | None) -> None:
    too_many = _("Too many sign-in links were asked for. Please wait an hour, then try again.")
    if _counter_hit("email", email) > MAX_LINKS_PER_EMAIL_PER_HOUR:
        raise TooManySignInRequests(too_many)
    if ip and _counter_hit("ip", ip) > MAX_LINKS_PER_IP_PER_HOUR:
        raise TooManySignInRequests(too_many)


# --- Selectors --------------------------------------------------------------------------------------------------


def appointments_for(email: str) -> QuerySet[Appointment]:
    """Every appointment made with this address (any case), soonest first."""
    return (
        Appointment.objects.filter(patient_email__iexact=email)
        .select_related("clinic", "practitioner", "service")
        .order_by("start")
    )


def intakes_for(email: str) -> QuerySet[Intake]:
    """The intakes given with this address, or linked to an appointment made with it (any case)."""
    return (
        Intake.objects.filter(Q(patient_email__iexact=email) | Q(appointment__patient_email__iexact=email))
        .distinct()
        .order_by("-created_at")
    )


def accesses_for(email: str) -> QuerySet[IntakeAccess]:
    """Every recorded read of this patient's intakes, newest first."""
    return IntakeAccess.objects.filter(intake__in=intakes_for(email)).select_related("intake").order_by("-at", "-pk")


def _anything_held(email: str) -> bool:
    return (
        PatientAccount.objects.filter(email=email).exists()
        or Appointment.objects.filter(patient_email__iexact=email).exists()
        or Intake.objects.filter(patient_email__iexact=email).exists()
    )


# --- Sign-in ----------------------------------------------------------------------------------------------------


def sign_in_request(*, email: str, language: str, ip: str | None, now: datetime) -> None:
    """Send a sign-in link if anything is held for ``email``; the same outcome for the caller either way.

    ``TooManySignInRequests`` when this address or network address asked too often (known or not)."""
    email = email_normalize(email)
    _throttle(email=email, ip=ip)
    if not _anything_held(email):
        return
    with transaction.atomic():
        account = PatientAccount.objects.select_for_update().filter(email=email).first()
        if account is None:
            user = get_user_model().objects.create_user(username=f"patient:{uuid.uuid4()}", email=email)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            account = PatientAccount.objects.create(user=user, email=email, language=language, created_at=now)
        elif account.language != language:
            account.language = language
            account.save(update_fields=["language"])
        outbox_put(kind=SIGN_IN_EMAIL_KIND, payload={"account_id": account.pk, "language": language}, now=now)


def sign_in_url(account: PatientAccount, *, language: str) -> str:
    """The link in the email: the confirmation page, in the patient's language, with a fresh one-time token."""
    with translation.override(language):
        path = reverse("patients:my_link")
    query = f"?{settings.SESAME_TOKEN_NAME}={get_token(account.user, scope=SCOPE)}"
    return absolute_url(path) + query


def sign_in_email_build(payload: dict[str, Any]) -> EmailMultiAlternatives | None:
    """The sign-in email, built by the worker (the token is made now, never stored). The subject says nothing
    about the patient's health or appointments."""
    account = PatientAccount.objects.select_related("user").filter(pk=payload["account_id"]).first()
    if account is None:  # deleted since
        return None
    language = payload.get("language") or account.language
    with translation.override(language):
        context = {"url": sign_in_url(account, language=language), "minutes": settings.SESAME_MAX_AGE // 60}
        subject = _("Your link to sign in to My PainHero")
        text = render_to_string("patients/my/email/sign_in.txt", context)
        html = render_to_string("patients/my/email/sign_in.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[account.email])
    message.attach_alternative(html, "text/html")
    return message


def sign_in_confirm(*, token: str, now: datetime) -> PatientAccount | None:
    """The account this link opens, with the link spent (one time) and the address marked verified; None for a
    link that is expired, already used, forged, or made for anything but a patient account."""
    if not token:
        return None
    with transaction.atomic():
        user: AbstractBaseUser | None = get_user(token, scope=SCOPE)
        if user is None:
            return None
        account = PatientAccount.objects.select_for_update().filter(user_id=user.pk).first()
        if account is None:
            return None
        if account.verified_at is None:
            account.verified_at = now
            account.save(update_fields=["verified_at"])
    return account


# --- Reading one's own intake -----------------------------------------------------------------------------------


def intake_open_for_patient(
    *, account: PatientAccount, public_id: uuid.UUID, where: str, now: datetime
) -> Intake | None:
    """One of this patient's intakes, with the read recorded in its audit trail (reader: the patient); None for
    an intake that is not theirs (the same answer as for an unknown id)."""
    intake = intakes_for(account.email).filter(public_id=public_id).first()
    if intake is None:
        return None
    with transaction.atomic():
        IntakeAccess.objects.create(intake=intake, at=now, reader=Reader.PATIENT, where=where)
    return intake


# --- Download ---------------------------------------------------------------------------------------------------

EXPORT_FORMAT = "painhero.my-data/1"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def account_export(*, account: PatientAccount, now: datetime, where: str = "patients:my_download") -> dict[str, Any]:
    """Everything held about this patient (the shape is in README, "My PainHero"); reading the intakes' answers
    for it is recorded in their audit trail like any other read."""
    email = account.email
    intakes = list(intakes_for(email))
    with transaction.atomic():
        IntakeAccess.objects.bulk_create(
            IntakeAccess(intake=intake, at=now, reader=Reader.PATIENT, where=where) for intake in intakes
        )
    accesses = list(accesses_for(email))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "account": {
            "email": email,
            "language": account.language,
            "created_at": _iso(account.created_at),
            "verified_at": _iso(account.verified_at),
        },
        "appointments": [
            {
                "clinic": appointment.clinic.name,
                "practitioner": appointment.practitioner.full_name,
                "service": appointment.service.label,
                "start": appointment.start.isoformat(),
                "end": appointment.end.isoformat(),
                "time_zone": appointment.clinic.time_zone,
                "status": appointment.status,
                "name": appointment.patient_name,
                "email": appointment.patient_email,
                "phone": appointment.patient_phone,
                "first_visit": appointment.first_visit,
                "note": appointment.note,
                "language": appointment.language,
                "consented_at": _iso(appointment.consented_at),
                "created_at": _iso(appointment.created_at),
            }
            for appointment in appointments_for(email)
        ],
        "intakes": [
            {
                "id": str(intake.public_id),
                "created_at": intake.created_at.isoformat(),
                "question_set_version": intake.question_set_version,
                "answers": intake.answers,
                "triage": intake.triage,
                "reasons": intake.reasons,
                "clinician_notes": intake.clinician_notes,
                "suggested_disciplines": intake.suggested_disciplines,
                "suggested_techniques": intake.suggested_techniques,
                "language": intake.language,
                "medical_clearance_at": _iso(intake.medical_clearance_at),
            }
            for intake in intakes
        ],
        "consents": [
            {
                "what": "intake",
                "intake": str(intake.public_id),
                "at": intake.consent_at.isoformat(),
                "privacy_notice_version": intake.privacy_notice_version,
            }
            for intake in intakes
        ]
        + [
            {"what": "booking_policy", "clinic": appointment.clinic.name, "at": _iso(appointment.consented_at)}
            for appointment in appointments_for(email)
            if appointment.consented_at
        ],
        "accesses": [
            {
                "intake": str(access.intake.public_id),
                "at": access.at.isoformat(),
                "reader": access.reader,
                "role": access.role,
                "where": access.where,
            }
            for access in accesses
        ],
    }


# --- Deletion ---------------------------------------------------------------------------------------------------


@dataclass
class Deletion:
    cancelled: list[Appointment] = field(default_factory=list)
    # Future visits too close to cancel online (the clinic's window): kept, without health information.
    kept_too_late: list[Appointment] = field(default_factory=list)
    intakes_erased: int = 0


def account_delete(*, account: PatientAccount, now: datetime, ip: str | None = None) -> Deletion:
    """Erase what this patient told us and remove the account, in one transaction.

    - Intakes (the patient's own questionnaire, held for them) are deleted together with their read records: an
      empty tombstone could not even keep its triage level without keeping health information, and the patient
      could read (and download) the whole access report before deleting.
    - Future booked appointments are cancelled as the patient would (``appointment_cancel``, actor patient: the
      usual emails go out); one too close to cancel online is kept and named, so the patient can call.
    - Every appointment (past, kept or cancelled) keeps what the clinic needs (when, who, contact details) and
      loses its health information: the note, the intake link, and the reasons given for any change.
    """
    email = account.email
    deletion = Deletion()
    with transaction.atomic():
        account = PatientAccount.objects.select_for_update().get(pk=account.pk)
        for appointment in appointments_for(email).filter(status=AppointmentStatus.BOOKED, start__gt=now):
            try:
                deletion.cancelled.append(
                    appointment_cancel(
                        appointment=appointment, now=now, actor=Actor.PATIENT, source=AppointmentSource.WEB, ip=ip
                    )
                )
            except NotChangeable:
                deletion.kept_too_late.append(appointment)
        intakes = intakes_for(email)
        intake_ids = list(intakes.values_list("pk", flat=True))
        IntakeAccess.objects.filter(intake_id__in=intake_ids).delete()
        Intake.objects.filter(pk__in=intake_ids).delete()
        deletion.intakes_erased = len(intake_ids)
        appointment_ids = list(Appointment.objects.filter(patient_email__iexact=email).values_list("pk", flat=True))
        Appointment.objects.filter(pk__in=appointment_ids).update(note="", updated_at=now)
        AppointmentEvent.objects.filter(appointment_id__in=appointment_ids).exclude(reason="").update(reason="")
        account.user.delete()  # the account row goes with it (CASCADE)
    return deletion


def builders_register() -> None:
    from notifications.registry import builder_register

    builder_register(SIGN_IN_EMAIL_KIND, sign_in_email_build)
