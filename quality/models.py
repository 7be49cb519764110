"""Inspections, their point results, and the history of each clinic's place in the network."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic, NetworkStatus


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINISHED = "finished", _("Finished")


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def finished(self) -> InspectionQuerySet:
        return self.filter(status=InspectionStatus.FINISHED)


class Inspection(models.Model):
    """One run of the rubric over a clinic by a network inspector: a draft until finished, then a score."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("clinic"))
    rubric_version = models.CharField(_("rubric version"), max_length=20)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Derived by quality.rubric.score_derive when the inspection is finished; never entered.
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"))
    gates_passed = models.BooleanField(_("all gates passed"), null=True, blank=True)
    # The clinic's status after the inspection (what finishing it decided).
    outcome = models.CharField(_("outcome"), max_length=20, choices=NetworkStatus.choices, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "status", "finished_at"], name="inspection_clinic_latest")]
        constraints = [
            # One inspection at a time per clinic: two inspectors never fill in two drafts.
            models.UniqueConstraint(
                fields=["clinic"], condition=models.Q(status="draft"), name="inspection_one_draft_per_clinic"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="draft", finished_at__isnull=True, score__isnull=True, gates_passed__isnull=True
                )
                | models.Q(
                    status="finished",
                    finished_at__isnull=False,
                    score__isnull=False,
                    score__lte=100,
                    gates_passed__isnull=False,
                ),
                name="inspection_finished_has_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic} {self.started_at:%Y-%m-%d} ({self.get_status_display()})"


class InspectionPoint(models.Model):
    """The result of one rubric point in one inspection; ``passed`` is None until it is decided."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="points")
    point_id = models.CharField(_("point"), max_length=40)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True, max_length=2000)
    link = models.URLField(_("evidence link"), blank=True, max_length=500)
    computed = models.BooleanField(_("computed"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection point")
        verbose_name_plural = _("inspection points")
        ordering = ["inspection", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "point_id"], name="inspection_point_once"),
        ]

    def __str__(self) -> str:
        return self.point_id


class ClinicStatusChange(models.Model):
    """One move of a clinic in the network (applicant -> admitted -> probation -> suspended -> removed)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=NetworkStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=NetworkStatus.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Copied from the inspection that justified the move, so the database itself can hold the admission rule.
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(null=True, blank=True)
    gates_passed = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("clinic status change")
        verbose_name_plural = _("clinic status changes")
        ordering = ["-at", "-pk"]
        constraints = [
            # Admission needs every gate and the pass mark, whoever writes the row.
            models.CheckConstraint(
                condition=~models.Q(to_status="in_network")
                | models.Q(
                    inspection__isnull=False, gates_passed=True, score__gte=models.F("pass_mark"), score__isnull=False
                ),
                name="status_admission_needs_gates_and_pass_mark",
            ),
            # Probation is decided by an inspection whose gates all passed.
            models.CheckConstraint(
                condition=~models.Q(to_status="probation") | models.Q(inspection__isnull=False, gates_passed=True),
                name="status_probation_needs_gates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.from_status} -> {self.to_status} at {self.at:%Y-%m-%d}"


class ClinicToInspect(Clinic):
    """The network team's queue (a view of clinics): applicants, and clinics due for re-inspection."""

    class Meta:
        proxy = True
        verbose_name = _("clinic to inspect")
        verbose_name_plural = _("inspection queue")


class ReviewStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for moderation")


class Review(models.Model):
    """A verified review: one per appointment the clinic marked completed (the database holds the "one")."""

    appointment = models.OneToOneField(
        "booking.Appointment", on_delete=models.PROTECT, related_name="review", verbose_name=_("appointment")
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("clinic"))
    rating = models.PositiveSmallIntegerField(_("rating"))
    explained = models.PositiveSmallIntegerField(_("explained the problem and the plan"), null=True, blank=True)
    listened = models.PositiveSmallIntegerField(_("listened"), null=True, blank=True)
    on_time = models.PositiveSmallIntegerField(_("started on time"), null=True, blank=True)
    clean_and_accessible = models.PositiveSmallIntegerField(_("clean and accessible"), null=True, blank=True)
    recommend = models.PositiveSmallIntegerField(_("would recommend"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=4000)
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PUBLISHED)
    # Why the text is held (never silently deleted); the patient is told this reason.
    held_reason = models.CharField(_("reason held"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "status", "created_at"], name="review_clinic_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_range"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True})
                    | models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"review_{name}_range",
                )
                for name in ("explained", "listened", "on_time", "clean_and_accessible", "recommend")
            ),
            models.CheckConstraint(
                condition=models.Q(status="published") | ~models.Q(held_reason=""), name="review_held_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.rating}/5"


class ClinicRating(models.Model):
    """A clinic's published-review figures, stored on every change (never computed per search)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="rating")
    count = models.PositiveIntegerField(default=0)
    mean = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    adjusted = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("clinic rating")
        verbose_name_plural = _("clinic ratings")

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.adjusted} ({self.count})"


class ReviewReply(models.Model):
    """The clinic's one public reply to a review (the one-to-one is the database's "once"); editable, and the
    review it answers stays whatever the reply says."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply", verbose_name=_("review"))
    text = models.TextField(_("reply"), max_length=2000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written"))
    updated_at = models.DateTimeField(_("last edited"))

    class Meta:
        verbose_name = _("reply to a review")
        verbose_name_plural = _("replies to reviews")
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="review_reply_not_empty"),
        ]

    def __str__(self) -> str:
        return f"reply to review {self.review_id}"


class ComplaintTopic(models.TextChoices):
    CARE = "care", _("The care or treatment")
    CONDUCT = "conduct", _("How I was treated by staff")
    BILLING = "billing", _("Billing or prices")
    SAFETY = "safety", _("Safety or cleanliness")
    PRIVACY = "privacy", _("Privacy of my information")
    BOOKING = "booking", _("Booking, waiting or cancellation")
    OTHER = "other", _("Something else")


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def late(self, *, now: Any) -> ComplaintQuerySet:
        """Acknowledged or resolved after its deadline, or still waiting past it."""
        return self.filter(
            models.Q(acknowledged_at__isnull=True, acknowledge_by__lt=now)
            | models.Q(acknowledged_at__gt=models.F("acknowledge_by"))
            | models.Q(resolved_at__isnull=True, resolve_by__lt=now)
            | models.Q(resolved_at__gt=models.F("resolve_by"))
        )


class Complaint(models.Model):
    """A patient's complaint about one visit: the clinic acknowledges and answers it; network staff triage it.

    The deadlines are stored when it is filed (2 business days in the clinic's province, 30 days), so lateness is a
    query, and a substantiated complaint counts in the inspection (quality/computed.py).
    """

    public_id = models.UUIDField(unique=True, editable=False)
    appointment = models.OneToOneField(
        "booking.Appointment", on_delete=models.PROTECT, related_name="complaint", verbose_name=_("appointment")
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="complaints", verbose_name=_("clinic"))
    topic = models.CharField(_("about"), max_length=20, choices=ComplaintTopic.choices)
    text = models.TextField(_("what happened"), max_length=4000)
    filed_at = models.DateTimeField(_("filed"))
    acknowledge_by = models.DateTimeField(_("acknowledge by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    response = models.TextField(_("clinic's answer"), blank=True, max_length=4000)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    substantiated = models.BooleanField(_("substantiated"), null=True, blank=True)
    triage_reason = models.CharField(_("triage reason"), max_length=500, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triaged by"),
    )
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "filed_at"], name="complaint_clinic_filed")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledge_by__gt=models.F("filed_at"), resolve_by__gt=models.F("filed_at")),
                name="complaint_deadlines_after_filing",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True) | models.Q(acknowledged_at__gte=models.F("filed_at")),
                name="complaint_acknowledged_after_filing",
            ),
            # A resolution is an answer the patient can read, after the complaint was acknowledged.
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True)
                | (models.Q(acknowledged_at__isnull=False) & ~models.Q(response="")),
                name="complaint_resolved_has_answer",
            ),
            # Triage is a decision with its reason, by someone, at a time; or not made yet.
            models.CheckConstraint(
                condition=models.Q(substantiated__isnull=True, triaged_at__isnull=True, triage_reason="")
                | (models.Q(substantiated__isnull=False, triaged_at__isnull=False) & ~models.Q(triage_reason="")),
                name="complaint_triage_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.get_topic_display()} ({self.filed_at:%Y-%m-%d})"
