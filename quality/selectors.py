"""Reads of inspections: a clinic's latest report, point by point, as patients and the API see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Subquery

from clinics.models import Clinic
from quality.models import Inspection, InspectionPoint, Review, ReviewStatus
from quality.rubric import RUBRIC, RUBRIC_VERSION, Category, Point, score_derive


@dataclass(frozen=True)
class PointResult:
    point: Point
    passed: bool | None  # None: not assessed (no data yet) or not inspected
    evidence: str


@dataclass(frozen=True)
class CategoryResult:
    category: Category
    points: tuple[PointResult, ...]
    passed: int
    assessed: int

    @property
    def percent(self) -> int | None:
        """The share of assessed points that passed, 0 to 100; None when nothing was assessed."""
        return round(100 * self.passed / self.assessed) if self.assessed else None


@dataclass(frozen=True)
class Report:
    clinic: Clinic
    inspection: Inspection | None
    score: int | None
    inspected_on: date | None
    rubric_version: str
    categories: tuple[CategoryResult, ...]

    @property
    def unassessed(self) -> int:
        """Points without a result in a finished inspection: computed points with no data yet."""
        return sum(len(c.points) - c.assessed for c in self.categories) if self.inspection else 0


def inspection_latest(*, clinic: Clinic) -> Inspection | None:
    return Inspection.objects.finished().filter(clinic=clinic).order_by("-finished_at", "-pk").first()


def inspection_report(*, clinic: Clinic, inspection: Inspection | None = None) -> Report:
    """The latest finished inspection of ``clinic`` (or ``inspection``) over the whole rubric, in one query.

    Without a finished inspection every point reads None and the score is None. An inspection made under an
    older rubric shows the points this rubric still has (a new rubric version is announced with its page).
    """
    if inspection is None:
        # One query: the latest finished inspection's points, each with its inspection.
        latest = Inspection.objects.finished().filter(clinic=clinic).order_by("-finished_at", "-pk").values("pk")[:1]
        found = list(InspectionPoint.objects.filter(inspection=Subquery(latest)).select_related("inspection"))
        inspection = found[0].inspection if found else None
    else:
        found = list(inspection.points.all())
    rows: dict[str, tuple[bool | None, str]] = {row.point_id: (row.passed, row.evidence) for row in found}
    derived = score_derive({pid: rows[pid][0] for pid in rows if pid in _POINT_IDS}) if inspection else None
    categories = []
    for i, category in enumerate(RUBRIC):
        points = tuple(PointResult(p, *rows.get(p.id, (None, ""))) for p in category.points)
        scored = derived.categories[i] if derived else None
        categories.append(
            CategoryResult(
                category=category,
                points=points,
                passed=scored.passed if scored else 0,
                assessed=scored.assessed if scored else 0,
            )
        )
    finished_on = None
    if inspection is not None and inspection.finished_at is not None:
        finished_on = inspection.finished_at.astimezone(ZoneInfo(clinic.time_zone)).date()
    return Report(
        clinic=clinic,
        inspection=inspection,
        score=inspection.score if inspection else None,
        inspected_on=finished_on,
        rubric_version=inspection.rubric_version if inspection else RUBRIC_VERSION,
        categories=tuple(categories),
    )


_POINT_IDS = frozenset(p.id for c in RUBRIC for p in c.points)


REVIEWS_PER_PAGE = 10
SUBRATING_FIELDS = ("explained", "listened", "on_time", "clean_and_accessible", "recommend")


@dataclass(frozen=True)
class ReviewsPage:
    items: list[Review]  # each with its ``reply`` loaded (or none)
    page: int
    count: int
    pages: int

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def reviews_published(*, clinic_id: int, page: int = 1, per_page: int = REVIEWS_PER_PAGE) -> ReviewsPage:
    """One page of the clinic's published reviews, newest first, each with the clinic's reply (two queries).

    A page past the last answers an empty page: callers say 400 or show nothing, as suits them."""
    published = Review.objects.filter(clinic_id=clinic_id, status=ReviewStatus.PUBLISHED)
    count = published.count()
    pages = max(1, -(-count // per_page))
    start = (page - 1) * per_page
    newest = published.select_related("reply").order_by("-created_at", "-pk")
    items = list(newest[start : start + per_page]) if count and page <= pages else []
    return ReviewsPage(items=items, page=page, count=count, pages=pages)


def reviews_for_clinic_staff(*, clinic_id: int) -> list[Review]:
    """Every review of the clinic for its own staff, held ones too (with their reason), newest first."""
    return list(Review.objects.filter(clinic_id=clinic_id).select_related("reply").order_by("-created_at", "-pk"))
