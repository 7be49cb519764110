"""The clinic page's inspection breakdown, as an inclusion tag the directory's template calls."""

from __future__ import annotations

from typing import Any

from django import template

from clinics.models import Clinic
from quality.forms import SUBRATING_LABELS
from quality.models import Review
from quality.selectors import inspection_report, reviews_published
from quality.services import SUBRATINGS

register = template.Library()


@register.inclusion_tag("quality/_breakdown.html")
def inspection_breakdown(clinic: Clinic) -> dict[str, Any]:
    """The score by category of the clinic's latest finished inspection (two queries; the page caches it)."""
    return {"report": inspection_report(clinic=clinic)}


@register.inclusion_tag("quality/_reviews.html")
def clinic_reviews(clinic: Clinic, rating: Any, reviews_url: str) -> dict[str, Any]:
    """The clinic page's verified reviews: the stored figures (``rating``, loaded with the clinic) and the first
    page, newest first, with the clinic's replies (two queries; the page caches it under the clinic's version)."""
    page = reviews_published(clinic_id=clinic.pk) if rating and rating.count else None
    return {"clinic": clinic, "rating": rating, "page": page, "reviews_url": reviews_url}


@register.filter
def review_subratings(review: Review) -> list[tuple[str, int]]:
    """The sub-ratings the patient gave, with what they were asked, in the form's order."""
    return [
        (str(label), value)
        for name, label in SUBRATING_LABELS.items()
        if (value := getattr(review, SUBRATINGS[name])) is not None
    ]
