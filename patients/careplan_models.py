"""A care plan: what the therapist proposes after the free consultation, and the phases it is booked in.

Health information (DESIGN.md invariant 5): ``impression``, ``goals`` and ``home_exercises`` are what the therapist
concluded about the patient; they are shown only to the patient (who holds the plan's secret token, or is signed in
to My PainHero with the plan's email) and to the clinic's staff, never in logs, URLs or email subjects. The token is
stored as a hash (like ``Intake.token_hash``): the raw token goes out once, in the email's link.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from booking.models import Appointment, AppointmentSeries
from clinics.models import Clinic, Practitioner, Service

# A plan is booked as one series, and a series holds at most this many visits (booking.series says the same).
MAX_PLAN_VISITS = 36
MAX_PHASES = 6
TEXT_MAX = 4000


class CarePlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the patient")
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class OutcomeMeasure(models.TextChoices):
    """Measures free to build in (issue 13): no licensed questionnaire's wording ships here."""

    NPRS = "nprs", _("Pain 0-10 (NPRS)")
    PSFS = "psfs", _("Activities you find hard (PSFS)")
    GROC = "groc", _("How you are compared with the start (global rating of change)")


class Condition(models.TextChoices):
    LOWER_BACK = "lower_back", _("Lower back pain")
    NECK = "neck", _("Neck pain")
    SHOULDER = "shoulder", _("Shoulder pain")
    KNEE = "knee", _("Knee pain")
    ANKLE = "ankle", _("Ankle sprain")
    OTHER = "other", _("Other")


class CarePlanTemplate(models.Model):
    """A starting point for a condition's plan. ``clinic`` empty: PainHero's default (seeded by a data migration);
    a clinic edits its own copy, which then replaces the default in its picker."""

    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.CASCADE, related_name="plan_templates")
    condition = models.CharField(_("condition"), max_length=32, choices=Condition.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    title = models.CharField(_("title"), max_length=120)
    goals = models.TextField(_("goals"), max_length=TEXT_MAX, blank=True)
    home_exercises = models.TextField(_("home exercises"), max_length=TEXT_MAX, blank=True)
    # [[visits_per_week, weeks], ...], in order: e.g. [[3, 2], [2, 2], [1, 2]] tapers from three a week to one.
    phases = models.JSONField(default=list)
    outcome_measures = models.JSONField(default=list)
    insurance_note = models.TextField(_("what insurance commonly covers"), max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["condition", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "condition", "language"], name="careplan_template_one_per_clinic_condition"
            ),
            models.UniqueConstraint(
                fields=["condition", "language"],
                condition=models.Q(clinic__isnull=True),
                name="careplan_template_one_default_per_condition",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="careplan_template_language_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CarePlan(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="care_plans")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="care_plans")
    consultation = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="care_plans"
    )
    intake = models.ForeignKey(
        "patients.Intake", null=True, blank=True, on_delete=models.SET_NULL, related_name="care_plans"
    )
    condition = models.CharField(_("condition"), max_length=32, choices=Condition.choices, default=Condition.OTHER)
    # The patient, as the consultation knew them (the series is booked with these details).
    patient_name = models.CharField(_("name"), max_length=120)
    patient_email = models.EmailField(_("email"))
    patient_phone = models.CharField(_("mobile phone"), max_length=20, help_text=_("E.164"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    # Health information.
    impression = models.TextField(_("working impression"), max_length=TEXT_MAX, blank=True)
    goals = models.TextField(_("goals"), max_length=TEXT_MAX, blank=True)
    home_exercises = models.TextField(_("home exercises"), max_length=TEXT_MAX, blank=True)
    outcome_measures = models.JSONField(default=list, blank=True)
    expected_visits = models.PositiveSmallIntegerField(_("expected number of visits"))
    cost_estimate_cents = models.PositiveIntegerField(_("cost estimate"))
    insurance_note = models.TextField(_("what insurance commonly covers"), max_length=TEXT_MAX, blank=True)
    # The visits the patient booked from this plan, all at once (booking.series); linked by the series' attacher.
    series = models.OneToOneField(
        AppointmentSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="care_plan"
    )
    status = models.CharField(max_length=16, choices=CarePlanStatus.choices, default=CarePlanStatus.DRAFT)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "created_at"]), models.Index(fields=["patient_email"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CarePlanStatus.values), name="careplan_status_known"),
            models.CheckConstraint(
                condition=models.Q(expected_visits__gte=1, expected_visits__lte=MAX_PLAN_VISITS),
                name="careplan_expected_visits_bounded",
            ),
            # A sent (or later) plan has its secret and its sending time; a draft has neither.
            models.CheckConstraint(
                condition=models.Q(status=CarePlanStatus.DRAFT, sent_at__isnull=True)
                | (~models.Q(status=CarePlanStatus.DRAFT) & models.Q(sent_at__isnull=False, token_hash__isnull=False)),
                name="careplan_sent_has_token",
            ),
            models.CheckConstraint(
                condition=models.Q(booked_at__isnull=True) | ~models.Q(status=CarePlanStatus.DRAFT),
                name="careplan_booked_after_sent",
            ),
            # A booked plan has its series and its booking time.
            models.CheckConstraint(
                condition=~models.Q(status=CarePlanStatus.BOOKED)
                | models.Q(series__isnull=False, booked_at__isnull=False),
                name="careplan_booked_has_series",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="careplan_language_known",
            ),
        ]

    def __str__(self) -> str:
        # Never the impression: this is what admin pages, logs and error reports show.
        return f"care plan {self.public_id}"

    @property
    def total_visits(self) -> int:
        return sum(phase.visits for phase in self.phases.all())


class CarePlanPhase(models.Model):
    """``visits_per_week`` visits a week for ``weeks`` weeks, of ``service`` with ``practitioner``."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField()
    visits_per_week = models.PositiveSmallIntegerField(_("visits a week"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="careplan_phase_order_unique"),
            models.CheckConstraint(
                condition=models.Q(visits_per_week__gte=1, visits_per_week__lte=7), name="careplan_phase_per_week"
            ),
            models.CheckConstraint(condition=models.Q(weeks__gte=1), name="careplan_phase_weeks_positive"),
            # One phase alone never exceeds a series; the whole plan's sum is checked by careplan_save.
            models.CheckConstraint(
                condition=LessThanOrEqual(models.F("visits_per_week") * models.F("weeks"), MAX_PLAN_VISITS),
                name="careplan_phase_visits_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visits_per_week}x{self.weeks}"

    @property
    def visits(self) -> int:
        return self.visits_per_week * self.weeks
