"""A care plan's outcome check-ins: which visits of the booked series invite one, queued as the series is booked.

The issue's rule (13, "Outcomes"): before **each** plan visit the patient gets a one-minute check-in link. That
covers the points the clinic's figures read (patients.outcomes_metrics): the first visit (next to the intake's
baseline), a follow-up at visit 4, 5 or 6, and the last visit (the discharge). The invitations are queued inside
the series' transaction (booking.hooks' series attacher), so a series that rolls back invites nobody; each email
leaves ``CHECKIN_LEAD`` before its visit, once. A visit moved or cancelled later moves or drops its invitation
(``patients.outcomes_checkins.checkins_follow_appointment``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from booking.models import Appointment
from patients.careplan_models import CarePlan
from patients.models import OutcomeCheckIn
from patients.outcomes_checkins import checkins_invite_for_visits


def plan_checkin_visits(appointments: Sequence[Appointment]) -> list[Appointment]:
    """The visits of a plan that invite a check-in: every one (the issue's rule), in time order."""
    return sorted(appointments, key=lambda a: a.start)


def careplan_checkins_queue(
    *, plan: CarePlan, appointments: Sequence[Appointment], now: datetime
) -> list[OutcomeCheckIn]:
    """Invite the check-ins of the plan's visits (inside the series' transaction); none without the plan's intake
    or its baseline (a pain score to measure against)."""
    if plan.intake is None:
        return []
    return checkins_invite_for_visits(appointments=plan_checkin_visits(appointments), intake=plan.intake, now=now)
