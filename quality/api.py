"""JSON API of the inspection: a clinic's latest report over all 50 points."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from booking.selectors import appointment_for_token
from clinics.models import Clinic
from clinics.schemas import ALWAYS, MAX_ID, NO_NUL, errors
from quality.errors import InspectionError
from quality.models import ClinicRating, Review
from quality.selectors import inspection_report, reviews_published
from quality.services import SUBRATINGS, review_create

router = Router(tags=["quality"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class PointOut(Schema):
    id: str
    label: str
    passed: bool | None = Field(description="null: not assessed (a computed point without data) or not inspected.")
    gate: bool = Field(description="Must pass for the clinic to be admitted, whatever its score.")
    computed: bool = Field(description="Computed from PainHero's own data rather than checked by an inspector.")


class CategoryOut(Schema):
    name: str
    weight: int = Field(description="Percent of the score.")
    points: list[PointOut]


class InspectionOut(Schema):
    score: int | None = Field(description="0 to 100, derived from the points; null before the first inspection.")
    status: str = Field(description="The clinic's network status: in_network (admitted) or probation.")
    inspected_on: date | None
    rubric_version: str
    categories: list[CategoryOut]


@router.get(
    "/{clinic_id}/inspection",
    response={200: InspectionOut, **errors(*ALWAYS, 404)},
    operation_id="clinic_inspection",
    summary="A clinic's 50-point inspection",
)
def clinic_inspection_view(request: HttpRequest, clinic_id: Id) -> Any:
    clinic = Clinic.objects.in_network().filter(pk=clinic_id).first()
    if clinic is None:
        return 404, {"detail": f"No clinic in the network with id {clinic_id}."}
    report = inspection_report(clinic=clinic)
    # The API is outside the /fr/ URLs: the labels follow the Accept-Language header.
    with translation.override(translation.get_language_from_request(request)):
        return 200, {
            "score": report.score,
            "status": clinic.network_status,
            "inspected_on": report.inspected_on,
            "rubric_version": report.rubric_version,
            "categories": [
                {
                    "name": str(c.category.name),
                    "weight": c.category.weight,
                    "points": [
                        {
                            "id": r.point.id,
                            "label": str(r.point.label),
                            "passed": r.passed,
                            "gate": r.point.gate,
                            "computed": r.point.computed,
                        }
                        for r in c.points
                    ],
                }
                for c in report.categories
            ],
        }


class SubratingsOut(Schema):
    explained: int | None = Field(description="Explained the problem and the plan, 1-5; null: not given.")
    listened: int | None
    on_time: int | None = Field(description="Started on time.")
    clean: int | None = Field(description="Clean and accessible.")
    recommend: int | None = Field(description="Would recommend.")


class ReplyOut(Schema):
    text: str
    created_at: datetime
    updated_at: datetime = Field(description="The clinic may edit its reply; it cannot remove the review.")


class PublishedReviewOut(Schema):
    id: int
    rating: int = Field(description="Overall, 1-5.")
    subratings: SubratingsOut
    text: str
    created_at: datetime
    reply: ReplyOut | None = Field(description="The clinic's one public reply, if it wrote one.")


class RatingOut(Schema):
    count: int = Field(description="Published verified reviews.")
    mean: float | None = Field(description="Their raw mean, 1 to 5, to 0.01; null without any.")
    adjusted: float | None = Field(
        description="Bayesian average toward the network mean (see the How we inspect page), 1 to 5, to 0.01."
    )


class ReviewPageOut(Schema):
    count: int
    page: int
    pages: int
    rating: RatingOut
    items: list[PublishedReviewOut] = Field(description="Published reviews, newest first.")
    next: str | None = Field(description="The next page's path, null on the last page.")


class ReviewPageQuery(Schema):
    page: int = Field(1, ge=1, le=10_000, description="From 1; a page past the last is a 400.")


@router.get(
    "/{clinic_id}/reviews",
    response={200: ReviewPageOut, **errors(*ALWAYS, 404)},
    operation_id="clinic_reviews",
    summary="A clinic's verified reviews",
)
def clinic_reviews_view(request: HttpRequest, clinic_id: Id, query: Query[ReviewPageQuery]) -> Any:
    """Published reviews of visits the clinic marked completed, newest first, ten a page, each with its
    sub-ratings and the clinic's reply. Reviews held for moderation are not shown."""
    clinic = Clinic.objects.in_network().filter(pk=clinic_id).first()
    if clinic is None:
        return 404, {"detail": f"No clinic in the network with id {clinic_id}."}
    found = reviews_published(clinic_id=clinic.pk, page=query.page)
    if query.page > found.pages:
        return 400, {"detail": f"page {query.page} is past the last page ({found.pages}).", "field": "page"}
    stored = ClinicRating.objects.filter(clinic_id=clinic.pk).first()
    return 200, {
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "rating": {
            "count": stored.count if stored else 0,
            "mean": _number(stored.mean if stored else None),
            "adjusted": _number(stored.adjusted if stored else None),
        },
        "items": [_review_out(review) for review in found.items],
        "next": f"{request.path}?page={found.next_page}" if found.next_page else None,
    }


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _review_out(review: Review) -> dict[str, Any]:
    reply = getattr(review, "reply", None)
    return {
        "id": review.pk,
        "rating": review.rating,
        "subratings": {name: getattr(review, column) for name, column in SUBRATINGS.items()},
        "text": review.text,
        "created_at": review.created_at,
        "reply": {"text": reply.text, "created_at": reply.created_at, "updated_at": reply.updated_at}
        if reply
        else None,
    }


reviews_router = Router(tags=["reviews"])


class SubratingsIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt sub-rating is a 422, not silently dropped

    explained: int | None = Field(default=None, ge=1, le=5, description="Explained the problem and the plan.")
    listened: int | None = Field(default=None, ge=1, le=5)
    on_time: int | None = Field(default=None, ge=1, le=5, description="Started on time.")
    clean: int | None = Field(default=None, ge=1, le=5, description="Clean and accessible.")
    recommend: int | None = Field(default=None, ge=1, le=5, description="Would recommend.")


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    manage_token: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    rating: int = Field(ge=1, le=5)
    subratings: SubratingsIn | None = None
    text: str = Field(default="", max_length=4000, pattern=NO_NUL)


class ReviewOut(Schema):
    id: int
    status: str = Field(description="published, or held for moderation (then held_reason says why).")
    held_reason: str
    rating: int


@reviews_router.post(
    "/reviews",
    response={201: ReviewOut, **errors(*ALWAYS, 403, 404, 409)},
    operation_id="review_create",
    summary="Review a completed visit",
    description="One review per visit the clinic marked completed: 403 (with the reason) for a visit that is not "
    "completed, 409 for a second review, 404 for a manage token that opens no appointment.",
)
def review_create_view(request: HttpRequest, payload: ReviewIn) -> Any:
    appointment = appointment_for_token(token=payload.manage_token.strip())
    if appointment is None:
        return 404, {"detail": "No appointment has this manage_token."}
    subratings = {k: v for k, v in (payload.subratings.dict() if payload.subratings else {}).items() if v is not None}
    try:
        review = review_create(
            appointment=appointment, rating=payload.rating, subratings=subratings, text=payload.text, now=timezone.now()
        )
    except InspectionError as error:
        return error.status, {"detail": error.message}
    return 201, {"id": review.pk, "status": review.status, "held_reason": review.held_reason, "rating": review.rating}
