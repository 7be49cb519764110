"""A patient's progress: the intake's baseline, then each recorded check-in, and the first point where the change
became meaningful (NPRS down 2 points or 30 %; PSFS average up 2 points: patients.outcomes_measures).

Reading a progress is reading health information: the page that shows one records the read (``IntakeAccess``)
the way it records reading the intake; this module only computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from patients.models import Intake, OutcomeCheckIn
from patients.outcomes_measures import NPRS, PSFS


@dataclass(frozen=True)
class ProgressPoint:
    at: datetime
    nprs: int | None
    psfs: float | None  # the average of the activities rated, one decimal
    groc: int | None
    baseline: bool = False
    checkin_id: int | None = None
    recorded_by: str = ""
    nprs_meaningful: bool = False
    psfs_meaningful: bool = False

    @property
    def meaningful(self) -> bool:
        return self.nprs_meaningful or self.psfs_meaningful


@dataclass(frozen=True)
class Progress:
    intake: Intake
    activities: list[str]  # the PSFS activities in the patient's words, in the order they are rated
    points: list[ProgressPoint] = field(default_factory=list)
    # The index in ``points`` of the first point whose change from the baseline is meaningful, if any.
    meaningful_index: int | None = None

    @property
    def has_baseline(self) -> bool:
        return bool(self.points) and self.points[0].baseline

    @property
    def followups(self) -> list[ProgressPoint]:
        return [p for p in self.points if not p.baseline]

    @property
    def meaningful_point(self) -> ProgressPoint | None:
        return self.points[self.meaningful_index] if self.meaningful_index is not None else None


def _average(values: Iterable[int | None]) -> float | None:
    rated = [v for v in values if v is not None]
    return round(sum(rated) / len(rated), 1) if rated else None


def intake_activities(intake: Intake) -> list[dict[str, object]]:
    """The intake's PSFS activities (name, score), at most three."""
    activities = intake.answers.get("activities") or []
    return [a for a in activities if isinstance(a, dict)][:3]


def intake_baseline(intake: Intake) -> ProgressPoint | None:
    """The baseline the intake gives: pain now and the activities' average; None without pain now."""
    pain = intake.answers.get("pain_now")
    if not isinstance(pain, int) or isinstance(pain, bool):
        return None
    scores = [a.get("score") for a in intake_activities(intake)]
    return ProgressPoint(
        at=intake.created_at,
        nprs=pain,
        psfs=_average(s if isinstance(s, int) else None for s in scores),
        groc=None,
        baseline=True,
    )


def outcome_progress_build(intake: Intake, checkins: Sequence[OutcomeCheckIn]) -> Progress:
    """The progress from an intake and its recorded check-ins (any order); no query."""
    activities = [str(a.get("name", "")) for a in intake_activities(intake)]
    baseline = intake_baseline(intake)
    points: list[ProgressPoint] = [baseline] if baseline else []
    meaningful_index: int | None = None
    recorded = sorted((c for c in checkins if c.taken_at is not None), key=lambda c: (c.taken_at, c.pk))
    for checkin in recorded:
        assert checkin.taken_at is not None  # noqa: S101  (filtered above; for the type checker)
        psfs = _average(checkin.psfs[: len(activities)])
        nprs_meaningful = bool(
            baseline
            and baseline.nprs is not None
            and checkin.nprs is not None
            and NPRS.meaningful(baseline.nprs, checkin.nprs)
        )
        psfs_meaningful = bool(
            baseline and baseline.psfs is not None and psfs is not None and PSFS.meaningful(baseline.psfs, psfs)
        )
        point = ProgressPoint(
            at=checkin.taken_at,
            nprs=checkin.nprs,
            psfs=psfs,
            groc=checkin.groc,
            checkin_id=checkin.pk,
            recorded_by=checkin.recorded_by,
            nprs_meaningful=nprs_meaningful,
            psfs_meaningful=psfs_meaningful,
        )
        points.append(point)
        if meaningful_index is None and point.meaningful:
            meaningful_index = len(points) - 1
    return Progress(intake=intake, activities=activities, points=points, meaningful_index=meaningful_index)


def outcome_progress(intake: Intake) -> Progress:
    """The progress of one intake: its baseline and every recorded check-in, oldest first (one query)."""
    checkins = list(OutcomeCheckIn.objects.filter(intake=intake, taken_at__isnull=False).order_by("taken_at", "pk"))
    return outcome_progress_build(intake, checkins)
