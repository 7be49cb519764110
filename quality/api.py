"""JSON API of the inspection: a clinic's latest report over all 50 points."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Router, Schema
from pydantic import Field

from clinics.models import Clinic
from clinics.schemas import ALWAYS, MAX_ID, errors
from quality.selectors import inspection_report

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
