"""Who works at which clinic, in which role, and what they changed.

Tenancy is by clinic: every portal page is reached through ``portal.access`` with a
``Membership`` of the signed-in user at the clinic in the URL (404 otherwise).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic, Practitioner

INVITATION_LIFETIME = timedelta(days=7)


class Organization(models.Model):
    """A business that owns one or more clinics (locations)."""

    name = models.CharField(_("name"), max_length=160)
    clinics = models.ManyToManyField(
        Clinic, through="OrganizationClinic", related_name="organizations", verbose_name=_("clinics")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationClinic(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="clinic_links")
    # Unique: a clinic belongs to at most one organization.
    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="organization_link")

    class Meta:
        verbose_name = _("organization clinic")
        verbose_name_plural = _("organization clinics")

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.clinic_id}"


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    FRONT_DESK = "front_desk", _("Front desk")
    PRACTITIONER = "practitioner", _("Practitioner")


STAFF_ROLES = (Role.OWNER, Role.FRONT_DESK)  # roles that see the whole clinic's day


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_user(self, user: object) -> MembershipQuerySet:
        return self.filter(user=user).select_related("clinic", "practitioner").order_by("clinic__name")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # The practitioner role is the person behind one Practitioner row of the same clinic.
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("practitioner"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="membership_user_clinic_unique"),
            models.CheckConstraint(
                condition=~models.Q(role="practitioner") | models.Q(practitioner__isnull=False),
                name="membership_practitioner_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.clinic_id} {self.role}"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def sees_whole_clinic(self) -> bool:
        return self.role in STAFF_ROLES


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    email = models.EmailField(_("email"))
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="practitioner") | models.Q(practitioner__isnull=False),
                name="invitation_practitioner_required",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} {self.role}@{self.clinic_id}"


class AuditEntry(models.Model):
    """One change made in the portal. Never health information: ids, field names and plain values only."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="audit_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=40, blank=True, default="")
    summary = models.CharField(_("summary"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["clinic", "-at"], name="audit_clinic_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id} at {self.at:%Y-%m-%d %H:%M}Z"


class CalendarFeed(models.Model):
    """A practitioner's private iCalendar feed: the token is the secret; reissuing it revokes the old URL."""

    practitioner = models.OneToOneField(Practitioner, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed {self.practitioner_id}"


class SignInFailure(models.Model):
    """A failed sign-in (wrong password or code), or a password-reset email sent, counted per email, per IP
    and per both to slow guessing and mail-bombing (a table, so every worker process sees the same count).
    The rules are in ``portal.auth_services``."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("failed sign-in")
        RESET = "reset", _("password reset email")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SIGN_IN)
    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)
    # Made from a browser that once completed a full sign-in for this account: counted apart.
    recognised = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [models.Index(fields=["kind", "email", "at"], name="signin_failure_kind_email_at")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}Z"
