"""What a patient told us ("Tell us what hurts") and who has read it.

Health information (DESIGN.md invariant 5): ``Intake.answers`` is read only through ``patients.services.intake_open``,
which records every read in ``IntakeAccess``. An intake is reached by its public id (no health information in
it) together with its secret token, of which only a hash is stored: the raw token is handed out once.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from booking.models import Appointment

# The version of the privacy notice the patient agreed to; change it whenever the notice's text changes.
PRIVACY_NOTICE_VERSION = "2026-12-01"


class TriageLevel(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("See a doctor first")
    ROUTINE = "routine", _("Routine")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Intake(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    answers = models.JSONField()
    question_set_version = models.CharField(max_length=32)
    triage = models.CharField(max_length=16, choices=TriageLevel.choices)
    # Concepts only (patients.rules): the words are the rules module's, shown in the reader's language.
    reasons = models.JSONField(default=list, blank=True)
    clinician_notes = models.JSONField(default=list, blank=True)
    suggested_disciplines = models.JSONField(default=list, blank=True)
    suggested_techniques = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    consent_at = models.DateTimeField()
    privacy_notice_version = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    # Filled by later steps: the patient confirms a doctor has seen them (urgent only), books (the booking
    # carries the intake), or gives an email to find it again in My PainHero.
    medical_clearance_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="intakes"
    )
    patient_email = models.EmailField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(triage__in=TriageLevel.values), name="intake_triage_known"),
            models.CheckConstraint(
                condition=models.Q(medical_clearance_at__isnull=True) | models.Q(triage=TriageLevel.URGENT),
                name="intake_clearance_only_when_urgent",
            ),
            # Invariant 9: an emergency intake never leads to a booking.
            models.CheckConstraint(
                condition=models.Q(appointment__isnull=True) | ~models.Q(triage=TriageLevel.EMERGENCY),
                name="intake_emergency_never_booked",
            ),
            models.CheckConstraint(
                condition=~models.Q(question_set_version="") & ~models.Q(privacy_notice_version=""),
                name="intake_versions_recorded",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="intake_language_known",
            ),
        ]

    def __str__(self) -> str:
        # Never the answers: this is what admin pages, logs and error reports show.
        return f"intake {self.public_id}"

    @property
    def may_book(self) -> bool:
        """Invariant 9: routine, or urgent with the patient's confirmation that a doctor has seen them."""
        if self.triage == TriageLevel.ROUTINE:
            return True
        return self.triage == TriageLevel.URGENT and self.medical_clearance_at is not None


class Reader(models.TextChoices):
    PATIENT = "patient", _("The patient")
    STAFF = "staff", _("Clinic staff")
    CLINICIAN = "clinician", _("Network clinician")


class IntakeAccess(models.Model):
    """One read of an intake's answers: who, when, which intake, from which page. Never the answers."""

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="accesses")
    at = models.DateTimeField()
    reader = models.CharField(max_length=16, choices=Reader.choices)
    # The user's id as it was (not a foreign key: the trail outlives a deleted account); none for the patient.
    user_id = models.BigIntegerField(null=True, blank=True)
    role = models.CharField(max_length=32, blank=True)
    # The URL name of the page or API operation that read it (e.g. "patients:answer"), not its path.
    where = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["intake", "at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(reader__in=Reader.values), name="intake_access_reader_known"),
            models.CheckConstraint(
                condition=models.Q(reader=Reader.PATIENT) | models.Q(user_id__isnull=False),
                name="intake_access_staff_named",
            ),
            models.CheckConstraint(condition=~models.Q(where=""), name="intake_access_where_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} read {self.intake_id} at {self.at:%Y-%m-%d %H:%M}Z"


class CheckInBy(models.TextChoices):
    PATIENT = "patient", _("The patient")
    STAFF = "staff", _("Clinic staff")


# The global rating of change: a 7-point scale, -3 (much worse) to +3 (much better), 0 about the same.
GROC_MIN, GROC_MAX = -3, 3
NPRS_MIN, NPRS_MAX = 0, 10
PSFS_MIN, PSFS_MAX = 0, 10


class OutcomeCheckIn(models.Model):
    """One outcome measurement after the intake's baseline (patients/outcomes.py): pain now (NPRS 0-10), the
    intake's PSFS activities re-rated (``psfs_1..3`` follow the order of ``intake.answers["activities"]``) and a
    global rating of change. Invited before a visit (``taken_at`` empty until recorded, through a one-time link
    whose hash only is kept) or recorded by the practitioner in the portal. Health information: the intake's
    rules apply (every staff read is an ``IntakeAccess``); deleting the intake deletes its check-ins."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="checkins")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcome_checkins"
    )
    created_at = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)
    nprs = models.SmallIntegerField(null=True, blank=True)
    psfs_1 = models.SmallIntegerField(null=True, blank=True)
    psfs_2 = models.SmallIntegerField(null=True, blank=True)
    psfs_3 = models.SmallIntegerField(null=True, blank=True)
    groc = models.SmallIntegerField(null=True, blank=True)
    # Measures a clinic holding a licence registered (patients.outcomes_measures): {measure id: value}.
    extra = models.JSONField(default=dict, blank=True)
    recorded_by = models.CharField(max_length=16, choices=CheckInBy.choices, blank=True)
    # The staff user's id as it was (not a foreign key, like IntakeAccess.user_id); none for the patient.
    recorded_by_user_id = models.BigIntegerField(null=True, blank=True)
    # The check-in link's secret: its hash only, spent by recording (one time), dead after ``token_expires_at``.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["intake", "taken_at"], name="outcome_checkin_intake_taken")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nprs__isnull=True) | models.Q(nprs__gte=NPRS_MIN, nprs__lte=NPRS_MAX),
                name="outcome_checkin_nprs_range",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"psfs_{n}__isnull": True})
                    | models.Q(**{f"psfs_{n}__gte": PSFS_MIN, f"psfs_{n}__lte": PSFS_MAX}),
                    name=f"outcome_checkin_psfs_{n}_range",
                )
                for n in (1, 2, 3)
            ],
            models.CheckConstraint(
                condition=models.Q(groc__isnull=True) | models.Q(groc__gte=GROC_MIN, groc__lte=GROC_MAX),
                name="outcome_checkin_groc_range",
            ),
            # Recorded means pain now and the global rating are there, and who recorded it; not yet recorded
            # means no value at all.
            models.CheckConstraint(
                condition=(
                    models.Q(taken_at__isnull=False, nprs__isnull=False, groc__isnull=False)
                    & models.Q(recorded_by__in=CheckInBy.values)
                )
                | models.Q(
                    taken_at__isnull=True,
                    nprs__isnull=True,
                    groc__isnull=True,
                    psfs_1__isnull=True,
                    psfs_2__isnull=True,
                    psfs_3__isnull=True,
                    recorded_by="",
                ),
                name="outcome_checkin_recorded_whole",
            ),
            models.CheckConstraint(
                condition=~models.Q(recorded_by=CheckInBy.STAFF) | models.Q(recorded_by_user_id__isnull=False),
                name="outcome_checkin_staff_named",
            ),
            models.CheckConstraint(
                condition=models.Q(token_hash__isnull=True) | models.Q(token_expires_at__isnull=False),
                name="outcome_checkin_token_expires",
            ),
            # One check-in per visit and intake: inviting twice, or the patient and the practitioner both, is one.
            models.UniqueConstraint(
                fields=["intake", "appointment"],
                condition=models.Q(appointment__isnull=False),
                name="outcome_checkin_one_per_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"check-in {self.pk} of intake {self.intake_id}"

    @property
    def psfs(self) -> list[int | None]:
        return [self.psfs_1, self.psfs_2, self.psfs_3]


# My PainHero's account (patients/account.py), imported here so Django finds the model.
from patients.account import PatientAccount  # noqa: E402, F401

# Care plans (patients/careplan_models.py), imported here so Django finds the models.
from patients.careplan_models import CarePlan, CarePlanPhase, CarePlanTemplate  # noqa: E402, F401
