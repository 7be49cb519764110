"""Writes on a clinic's booking policy (how long before a visit patients may still cancel online).

Beside its model, ``ClinicBookingPolicy``: the policy is booking's, so its service is too (clinics, below
booking, cannot import it). The clinic portal's schedules page calls it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from booking.models import REMINDER_HOURS_MAX, ClinicBookingPolicy
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


def reminder_hours_set(*, clinic: Clinic, hours: int) -> int | None:
    """How long before a visit its reminder goes (0: none); answers the previous value (None: the default).

    Reminders already queued keep their time; visits booked or moved from now on use the new lead.
    """
    if not 0 <= hours <= REMINDER_HOURS_MAX:
        raise ValidationError(
            _("The reminder must be between 0 and %(max)d hours before the appointment.") % {"max": REMINDER_HOURS_MAX}
        )
    with transaction.atomic():
        policy = ClinicBookingPolicy.objects.select_for_update().filter(clinic=clinic).first()
        old = policy.reminder_hours if policy else None
        if policy is None:
            ClinicBookingPolicy.objects.create(clinic=clinic, reminder_hours=hours)
        elif old != hours:
            policy.reminder_hours = hours
            policy.save(update_fields=["reminder_hours"])
    return old
