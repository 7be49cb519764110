"""A patient's account in My PainHero: a verified email, nothing else (no password, no name).

It is a Django user (so sessions, ``login`` and django-sesame's one-time tokens work as for anyone) with an
unusable password, plus this row, which is what makes it a *patient*: the sign-in link is only ever made for,
and only ever accepted from, a user that has one. A patient's user is never a clinic's staff user, even for the
same address: its username is ``patient:<uuid>``, and portal memberships belong to other users.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class PatientAccount(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_account")
    # Stored lower-cased; appointments and intakes are matched to it case-insensitively.
    email = models.EmailField(_("email"), unique=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField()
    # Set by the first sign-in with a link sent to ``email``: until then the address is not proven.
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "patients"
        verbose_name = _("patient account")
        verbose_name_plural = _("patient accounts")
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="patient_account_email_lower"),
        ]

    def __str__(self) -> str:
        # Never the email: this is what admin pages, logs and error reports show.
        return f"patient account {self.pk}"
