"""``{% load outcomes %}{% outcome_progress intake %}``: the progress chart, drawn on the server as SVG.

Readable without colour: pain is a solid line with round markers, the activities a dashed line with square
markers, every marker carries its value as text, the point where the change became meaningful is a labelled
vertical line with a star; the SVG has a <title> and a <desc>, and a table says the same in rows.

The tag computes and draws; it records nothing. Put it only on a page that has recorded its read of the intake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.translation import gettext as _

from patients.models import Intake
from patients.outcomes_measures import GROC, NPRS, PSFS
from patients.outcomes_progress import Progress, outcome_progress

register = template.Library()

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 24, 56
SCALE_MAX = 10  # both lines are on 0-10 scales


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    value: str
    label_y: float

    @property
    def corner_x(self) -> float:  # a square marker's top left corner
        return self.x - 6

    @property
    def corner_y(self) -> float:
        return self.y - 6


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count == 1 else inner * index / (count - 1))


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / SCALE_MAX)


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, int) or float(value).is_integer() else f"{value:.1f}"


def chart_context(progress: Progress) -> dict[str, Any]:
    points = progress.points
    count = len(points)
    xs = [_x(i, count) for i in range(count)]
    pain = [
        Marker(xs[i], _y(p.nprs), _number(p.nprs), _y(p.nprs) - 10) for i, p in enumerate(points) if p.nprs is not None
    ]
    activity = [
        Marker(xs[i], _y(p.psfs), _number(p.psfs), _y(p.psfs) + 20) for i, p in enumerate(points) if p.psfs is not None
    ]
    groc_labels = dict(GROC.anchors)
    labels = [_("Start") if p.baseline else _("Check-in %(n)s") % {"n": i} for i, p in enumerate(points)]
    rows = [
        {
            "label": labels[i],
            "at": p.at,
            "nprs": _number(p.nprs),
            "psfs": _number(p.psfs),
            "groc": str(groc_labels.get(p.groc, "")) if p.groc is not None else "—",
            "meaningful": i == progress.meaningful_index,
        }
        for i, p in enumerate(points)
    ]
    meaningful = progress.meaningful_point
    if meaningful is None:
        summary = _("No meaningful change yet.")
    else:
        what = []
        if meaningful.nprs_meaningful:
            what.append(str(NPRS.rule))
        if meaningful.psfs_meaningful:
            what.append(str(PSFS.rule))
        summary = _("The change became meaningful at %(point)s: %(rule)s") % {
            "point": labels[progress.meaningful_index or 0],
            "rule": " ".join(what),
        }
    description = "; ".join(
        _("%(label)s: pain %(nprs)s, activities %(psfs)s") % {"label": r["label"], "nprs": r["nprs"], "psfs": r["psfs"]}
        for r in rows
    )
    return {
        "progress": progress,
        "width": WIDTH,
        "height": HEIGHT,
        "plot_left": LEFT,
        "plot_right": WIDTH - RIGHT,
        "axis_bottom": _y(0),
        "gridlines": [{"y": _y(v), "value": v} for v in (0, 2, 4, 6, 8, 10)],
        "xlabels": [{"x": xs[i], "label": labels[i], "y": HEIGHT - BOTTOM + 20} for i in range(count)],
        "pain": pain,
        "pain_path": " ".join(f"{m.x:.1f},{m.y:.1f}" for m in pain),
        "activity": activity,
        "activity_path": " ".join(f"{m.x:.1f},{m.y:.1f}" for m in activity),
        "meaningful_x": xs[progress.meaningful_index] if progress.meaningful_index is not None else None,
        "star_y": TOP - 4,
        "rows": rows,
        "summary": summary,
        "description": description,
        "chart_id": f"progress-{progress.intake.pk}",
        "has_activities": bool(progress.activities),
    }


@register.inclusion_tag("patients/outcomes/_progress.html")
def outcome_progress_chart(progress: Progress) -> dict[str, Any]:
    return chart_context(progress)


@register.inclusion_tag("patients/outcomes/_progress.html", name="outcome_progress")
def outcome_progress_tag(intake: Intake | Progress) -> dict[str, Any]:
    """The chart of an intake's progress (or of a ``Progress`` already computed)."""
    progress = intake if isinstance(intake, Progress) else outcome_progress(intake)
    return chart_context(progress)
