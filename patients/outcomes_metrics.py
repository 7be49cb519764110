"""A clinic's outcome figures, which its portal shows and the inspection's computed points read.

- **New patients**: the people (by email address, any case) whose first visit at the clinic that was not
  cancelled started in the window (``since`` .. ``now``).
- **With a baseline**: of those, the ones with an intake (with a pain score) that went with one of their visits.
- **With a follow-up**: a check-in recorded at their 4th, 5th or 6th visit, or at their discharge: the last of
  at least two visits, over, with nothing booked after it. (Care plans may later say "discharge" outright.)
- **Meaningful change**: their progress reached the rule (NPRS down 2 points or 30 %; PSFS average up 2).
- **Completed visits measured**: completed visits in the window with a recorded check-in, of all completed ones.

The cost follows one clinic's own history (four queries), never the network's. Aggregates only: no answer and no
patient leaves this module, so reading the figures is not a read of anyone's intake.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from booking.models import Appointment, AppointmentStatus
from clinics.models import Clinic
from patients.models import Intake, OutcomeCheckIn
from patients.outcomes_progress import intake_baseline, outcome_progress_build

FOLLOW_UP_VISITS = range(4, 7)  # visits 4, 5 and 6


@dataclass(frozen=True)
class OutcomeMetrics:
    since: datetime | None
    until: datetime
    new_patients: int
    with_baseline: int
    with_follow_up: int
    meaningful: int
    completed_visits: int
    completed_visits_measured: int

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def baseline_share(self) -> float | None:
        return self._share(self.with_baseline, self.new_patients)

    @property
    def follow_up_share(self) -> float | None:
        return self._share(self.with_follow_up, self.new_patients)

    @property
    def meaningful_share(self) -> float | None:
        return self._share(self.meaningful, self.new_patients)

    @property
    def measured_share(self) -> float | None:
        return self._share(self.completed_visits_measured, self.completed_visits)


def clinic_outcome_metrics(
    clinic: Clinic, since: datetime | None = None, *, now: datetime | None = None
) -> OutcomeMetrics:
    """The clinic's outcome figures for the patients who came first between ``since`` (all time when None) and
    ``now``."""
    now = now or timezone.now()
    visits = list(
        Appointment.objects.filter(clinic=clinic)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("start", "pk")
        .values_list("pk", "patient_email", "start", "end", "status")
    )
    by_patient: dict[str, list[tuple[int, datetime, datetime, str]]] = defaultdict(list)
    patient_of: dict[int, str] = {}
    for pk, email, start, end, status in visits:
        key = (email or "").strip().lower()
        if not key:
            continue
        by_patient[key].append((pk, start, end, status))
        patient_of[pk] = key
    new = {key for key, rows in by_patient.items() if rows[0][1] <= now and (since is None or rows[0][1] >= since)}

    intakes = [
        intake
        for intake in Intake.objects.filter(appointment__clinic=clinic).only(
            "pk", "answers", "created_at", "appointment_id"
        )
        if intake.appointment_id in patient_of
        and patient_of[intake.appointment_id] in new
        and intake_baseline(intake) is not None
    ]
    patient_intakes: dict[str, list[Intake]] = defaultdict(list)
    for intake in intakes:
        assert intake.appointment_id is not None  # noqa: S101  (filtered above)
        patient_intakes[patient_of[intake.appointment_id]].append(intake)
    checkins_by_intake: dict[int, list[OutcomeCheckIn]] = defaultdict(list)
    for checkin in OutcomeCheckIn.objects.filter(intake__in=[i.pk for i in intakes], taken_at__isnull=False):
        checkins_by_intake[checkin.intake_id].append(checkin)

    followed = meaningful = 0
    for key, its_intakes in patient_intakes.items():
        rows = by_patient[key]
        number_of = {pk: n for n, (pk, _s, _e, _st) in enumerate(rows, start=1)}
        last_pk, _last_start, last_end, last_status = rows[-1]
        discharged = len(rows) >= 2 and last_end <= now and last_status == AppointmentStatus.COMPLETED
        checkins = [c for i in its_intakes for c in checkins_by_intake[i.pk]]
        if any(
            (c.appointment_id is not None and number_of.get(c.appointment_id, 0) in FOLLOW_UP_VISITS)
            or (discharged and c.appointment_id == last_pk)
            for c in checkins
        ):
            followed += 1
        if any(outcome_progress_build(i, checkins_by_intake[i.pk]).meaningful_index is not None for i in its_intakes):
            meaningful += 1

    completed = [
        pk
        for pk, _email, start, _end, status in visits
        if status == AppointmentStatus.COMPLETED and start <= now and (since is None or start >= since)
    ]
    measured = set(
        OutcomeCheckIn.objects.filter(appointment_id__in=completed, taken_at__isnull=False).values_list(
            "appointment_id", flat=True
        )
    )
    return OutcomeMetrics(
        since=since,
        until=now,
        new_patients=len(new),
        with_baseline=len(patient_intakes),
        with_follow_up=followed,
        meaningful=meaningful,
        completed_visits=len(completed),
        completed_visits_measured=len(measured),
    )
