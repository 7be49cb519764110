"""Outcome measures, in one place to import from (stable names; the pieces live in ``patients/outcomes_*.py``).

- Measures: ``Measure``, ``NPRS``, ``PSFS``, ``GROC``, ``measures_for``, ``measure_register`` (outcomes_measures).
- Check-ins: ``checkin_invite`` (a visit's one-minute check-in, its email queued once), ``checkin_record_by_patient``,
  ``checkin_record_by_staff`` (outcomes_checkins).
- Progress: ``outcome_progress(intake) -> Progress`` and the rule of meaningful change (outcomes_progress); the
  chart is ``{% load outcomes %}{% outcome_progress intake %}``.
- Per clinic: ``clinic_outcome_metrics(clinic, since=None)`` (outcomes_metrics).
"""

from patients.outcomes_checkins import (
    CHECKIN_LEAD,
    CheckInError,
    checkin_invite,
    checkin_record_by_patient,
    checkin_record_by_staff,
)
from patients.outcomes_measures import GROC, NPRS, PSFS, Measure, measure_register, measures_for
from patients.outcomes_metrics import OutcomeMetrics, clinic_outcome_metrics
from patients.outcomes_progress import Progress, ProgressPoint, outcome_progress

__all__ = [
    "CHECKIN_LEAD",
    "GROC",
    "NPRS",
    "PSFS",
    "CheckInError",
    "Measure",
    "OutcomeMetrics",
    "Progress",
    "ProgressPoint",
    "checkin_invite",
    "checkin_record_by_patient",
    "checkin_record_by_staff",
    "clinic_outcome_metrics",
    "measure_register",
    "measures_for",
    "outcome_progress",
]
