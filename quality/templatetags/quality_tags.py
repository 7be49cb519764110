"""The clinic page's inspection breakdown, as an inclusion tag the directory's template calls."""

from __future__ import annotations

from typing import Any

from django import template

from clinics.models import Clinic
from quality.selectors import inspection_report

register = template.Library()


@register.inclusion_tag("quality/_breakdown.html")
def inspection_breakdown(clinic: Clinic) -> dict[str, Any]:
    """The score by category of the clinic's latest finished inspection (two queries; the page caches it)."""
    return {"report": inspection_report(clinic=clinic)}
