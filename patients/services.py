"""Writing intakes: creating one from checked answers, the patient's confirmation that a doctor has seen them,
and every read of the answers (the audit trail). Views and the API call these; no rule is written twice."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from patients.answers import AnswerError, answers_clean
from patients.models import PRIVACY_NOTICE_VERSION, Intake, IntakeAccess, Reader, TriageLevel, token_hash
from patients.rules import QUESTION_SET_VERSION, triage

# How many intakes one address may send in an hour (a bound on abuse, far above what a family needs).
MAX_INTAKES_PER_IP_PER_HOUR = 30
THROTTLE_WINDOW_SECONDS = 3600


class IntakeError(Exception):
    """A request about an intake that cannot be carried out; ``message`` is safe to show."""

    status = 409

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class TooManyIntakes(IntakeError):
    status = 429


@dataclass(frozen=True)
class CreatedIntake:
    intake: Intake
    token: str  # the raw secret: handed to the patient once, never stored


def _language(raw: str | None) -> str:
    """One of settings.LANGUAGES ("fr-CA" is "fr"); the default language for anything else."""
    codes = [code for code, _name in settings.LANGUAGES]
    code = (raw or "").strip().lower().split("-")[0]
    return code if code in codes else settings.LANGUAGE_CODE


def _throttle(ip: str | None) -> None:
    """At most ``MAX_INTAKES_PER_IP_PER_HOUR`` per address, counted in the cache (shared by every worker in
    production, where the cache is Redis). The key is a hash of the address, never the address itself."""
    if not ip:
        return
    key = "intake-rate:" + hashlib.sha256(ip.encode()).hexdigest()[:32]
    try:
        count = cache.incr(key)
    except ValueError:  # no counter yet, or it has just expired: this is the first of a new hour
        cache.add(key, 1, timeout=THROTTLE_WINDOW_SECONDS)
        count = 1
    if count > MAX_INTAKES_PER_IP_PER_HOUR:
        raise TooManyIntakes(_("Too many questionnaires from this address. Please try again in an hour."))


def intake_create(
    *, answers: Mapping[str, Any], language: str | None, consent: bool, now: datetime, ip: str | None = None
) -> CreatedIntake:
    """Check the answers (``AnswerError`` naming the field), triage them (patients.rules) and store the intake
    with the question set's version and the privacy notice's version the patient agreed to."""
    if consent is not True:
        raise AnswerError("consent", _("agree to the privacy notice to send your answers."))
    cleaned = answers_clean(answers)
    _throttle(ip)
    result = triage(cleaned)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        intake = Intake.objects.create(
            public_id=uuid.uuid4(),
            token_hash=token_hash(token),
            answers=cleaned,
            question_set_version=QUESTION_SET_VERSION,
            triage=result.level,
            reasons=[concept for concept, _message in result.reasons],
            clinician_notes=[concept for concept, _message in result.clinician_notes],
            suggested_disciplines=list(result.suggested_disciplines),
            suggested_techniques=list(result.suggested_techniques),
            language=_language(language),
            consent_at=now,
            privacy_notice_version=PRIVACY_NOTICE_VERSION,
            created_at=now,
        )
    return CreatedIntake(intake=intake, token=token)


def intake_open(
    *,
    public_id: uuid.UUID | str,
    token: str,
    where: str,
    now: datetime,
    reader: str = Reader.PATIENT,
    user_id: int | None = None,
    role: str = "",
) -> Intake | None:
    """The intake whose token this is, with this read recorded in its audit trail; None when the id is unknown
    or the token does not match (the same answer for both, so ids cannot be probed)."""
    if not token:
        return None
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    intake = Intake.objects.filter(public_id=key).first()
    if intake is None or not secrets.compare_digest(intake.token_hash, token_hash(token)):
        return None
    with transaction.atomic():
        IntakeAccess.objects.create(intake=intake, at=now, reader=reader, user_id=user_id, role=role, where=where)
    return intake


def intake_clearance_confirm(*, intake: Intake, now: datetime) -> Intake:
    """Record the patient's confirmation that a doctor has seen them (urgent intakes only; the first one counts)."""
    if intake.triage != TriageLevel.URGENT:
        raise IntakeError(_("Only a 'see a doctor first' answer asks for this confirmation."))
    with transaction.atomic():
        Intake.objects.filter(pk=intake.pk, medical_clearance_at__isnull=True).update(medical_clearance_at=now)
        intake.refresh_from_db(fields=["medical_clearance_at"])
    return intake
