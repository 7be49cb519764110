"""Appointments and the short holds taken while a patient checks out.

Both count as "taken" for the availability engine (scheduling): an appointment
that is not cancelled, and a hold that has not expired.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic, Practitioner, Service


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


class AppointmentSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    PORTAL = "portal", _("Clinic portal")
    IMPORT = "import", _("Import")


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def taking_time(self) -> AppointmentQuerySet:
        """Appointments that occupy their practitioner's time (everything but cancelled ones)."""
        return self.exclude(status=AppointmentStatus.CANCELLED)

    def overlapping(self, start: object, end: object) -> AppointmentQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Appointment(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    source = models.CharField(_("source"), max_length=20, choices=AppointmentSource.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start"]
        indexes = [models.Index(fields=["practitioner", "start"], name="appointment_practitioner_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} {self.start:%Y-%m-%d %H:%M}Z"


def _hold_token() -> str:
    return secrets.token_urlsafe(24)


class HoldQuerySet(models.QuerySet["Hold"]):
    def active(self, now: object) -> HoldQuerySet:
        return self.filter(expires_at__gt=now)


class Hold(models.Model):
    """A time set aside for a few minutes while one patient fills in the booking form."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="holds")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="holds")
    start = models.DateTimeField()
    end = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    token = models.CharField(max_length=64, unique=True, default=_hold_token)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [models.Index(fields=["practitioner", "start"], name="hold_practitioner_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="hold_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"hold {self.practitioner} {self.start:%Y-%m-%d %H:%M}Z"
