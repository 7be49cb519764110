"""Writes on a clinic's booking policy (how long before a visit patients may still cancel online).

Beside its model, ``ClinicBookingPolicy``: the policy is booking's, so its service is too (clinics, below
booking, cannot import it). The clinic portal's schedules page calls it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from booking.models import ClinicBookingPolicy
from clinics.models import Clinic


def cancellation_window_set(*, clinic: Clinic, hours: int) -> int | None:
    """How long before a visit patients may still cancel online; answers the previous value (None: default)."""
    if hours < 0:
        raise ValidationError(_("The cancellation window must not be below 0."))
    with transaction.atomic():
        policy = ClinicBookingPolicy.objects.select_for_update().filter(clinic=clinic).first()
        old = policy.cancellation_window_hours if policy else None
        if policy is None:
            ClinicBookingPolicy.objects.create(clinic=clinic, cancellation_window_hours=hours)
        elif old != hours:
            policy.cancellation_window_hours = hours
            policy.save(update_fields=["cancellation_window_hours"])
    return old
