"""JSON API of the inspection: a clinic's latest report over all 50 points."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from booking.selectors import appointment_for_token
from clinics.models import Clinic
from clinics.schemas import ALWAYS, MAX_ID, NO_NUL, errors
from quality.errors import InspectionError
from quality.selectors import inspection_report
from quality.services import review_create

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
