"""JSON API for the intake ("Tell us what hurts"): the questions, and sending the answers.

Thin: the questions come from patients.rules, the answers are checked by patients.answers and stored by
patients.services.intake_create. Every answer is declared in the OpenAPI document (``AnswersIn``); its
validation is as strict as JSON Schema (``"5"`` is not a number, ``"yes"`` is not ``true``; ``5.0`` is 5).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field, StrictBool, field_validator

from clinics.schemas import ALWAYS, NO_NUL, errors
from painhero.http import client_ip, secret_token
from patients.answers import AnswerError
from patients.models import PRIVACY_NOTICE_VERSION, Intake
from patients.rules import (
    ACTIVITY_NAME_MAX,
    MAX_ACTIVITIES,
    MAX_AGE,
    MESSAGES,
    MIN_AGE,
    QUESTION_SET_VERSION,
    QUESTIONS,
    REGIONS,
    TEXT_MAX,
)
from patients.services import IntakeError, intake_create, intake_open

router = Router(tags=["intake"])

Language = Literal["en", "fr"]
Region = Literal[
    "neck",
    "upper_back",
    "lower_back",
    "shoulder",
    "elbow",
    "wrist_hand",
    "hip",
    "knee",
    "ankle_foot",
    "head_jaw",
    "other",
]
Duration = Literal["under_1_week", "1_6_weeks", "6_12_weeks", "over_12_weeks"]
Onset = Literal["injury", "gradual", "surgery"]


def _a_number(cls: Any, value: Any) -> Any:
    """JSON Schema's integer is a number without a fraction (6 or 6.0), never text ("6") nor true/false."""
    if isinstance(value, str | bool):
        raise ValueError("Input should be a valid integer")
    return value


# Lax validation where JSON Schema is lax (6.0 is an integer), strict where pydantic would be laxer than JSON
# Schema: text is never a number (each model's ``_numbers`` validator) and "yes" is never true.
YesNo = StrictBool

INTAKE_TOKEN = {
    "name": "X-Intake-Token",
    "in": "header",
    "required": False,
    "description": "The intake's `token` from its creation (or send `Authorization: Bearer <token>`); "
    "without the right one, 404.",
    "schema": {"type": "string"},
}


def _yes_no(concept: str) -> Any:
    return Field(None, description=f"Warning sign `{concept}`: true (yes) or false (no).")


class ActivityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=ACTIVITY_NAME_MAX, pattern=NO_NUL)
    score: int = Field(ge=0, le=10, description="0: unable to do it; 10: able to do it as well as before the pain.")

    _numbers = field_validator("score", mode="before")(_a_number)


class AnswersIn(Schema):
    """One field per question of ``GET /intake/questions`` (its `id`); warning-sign questions that apply to the
    chosen regions must be answered (422 naming the first one missing)."""

    model_config = ConfigDict(extra="forbid")

    region: list[Region] | None = Field(None, min_length=1, description="Where it hurts (one or more).")
    duration: Duration | None = Field(None, description="How long it has hurt.")
    onset: Onset | None = Field(None, description="How it started.")
    pain_now: int | None = Field(None, ge=0, le=10, description="Pain right now, 0-10 (NPRS).")
    activities: list[ActivityIn] | None = Field(
        None, max_length=MAX_ACTIVITIES, description="Up to three activities, each rated 0-10 (PSFS)."
    )
    goals: str | None = Field(None, max_length=TEXT_MAX, pattern=NO_NUL)
    better: str | None = Field(None, max_length=TEXT_MAX, pattern=NO_NUL, description="What makes it better.")
    worse: str | None = Field(None, max_length=TEXT_MAX, pattern=NO_NUL, description="What makes it worse.")
    age: int | None = Field(None, ge=MIN_AGE, le=MAX_AGE, description="In years.")
    cauda_equina: YesNo | None = _yes_no("cauda_equina")
    progressive_neuro: YesNo | None = _yes_no("progressive_neuro")
    myelopathy: YesNo | None = _yes_no("myelopathy")
    vascular: YesNo | None = _yes_no("vascular")
    meningitis: YesNo | None = _yes_no("meningitis")
    chest_pain: YesNo | None = _yes_no("chest_pain")
    neck_trauma_high_risk: YesNo | None = _yes_no("neck_trauma_high_risk")
    fever: YesNo | None = _yes_no("fever")
    infection_risk: YesNo | None = _yes_no("infection_risk")
    cancer_history: YesNo | None = _yes_no("cancer_history")
    weight_loss: YesNo | None = _yes_no("weight_loss")
    night_pain: YesNo | None = _yes_no("night_pain")
    fragility_fracture: YesNo | None = _yes_no("fragility_fracture")
    neck_trauma: YesNo | None = _yes_no("neck_trauma")
    no_improvement: YesNo | None = _yes_no("no_improvement")
    inflammatory: YesNo | None = _yes_no("inflammatory")

    _numbers = field_validator("pain_now", "age", mode="before")(_a_number)


class IntakeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: AnswersIn
    lang: Language | None = Field(None, description="The patient's language for the messages; default: en.")
    consent: StrictBool = Field(
        True,
        description="Sending answers is agreeing to the privacy notice (its version is in GET /intake/questions); "
        "`false` is a 422.",
    )


class ChoiceOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    id: str
    concept: str
    text: str
    type: str = Field(description="multiple_choice, choice, integer, text, activities or yes_no.")
    choices: list[ChoiceOut] | None = None
    required: bool = Field(
        description="For a warning sign: required whenever it applies (see `regions`), never skippable."
    )
    regions: list[str] | None = Field(
        None, description="For a warning sign asked only for some regions: those regions (and always for `other`)."
    )
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None


class QuestionsOut(Schema):
    version: str
    privacy_notice_version: str
    questions: list[QuestionOut]


class QuestionsQuery(Schema):
    lang: Language | None = None


class ReasonOut(Schema):
    concept: str
    message: str


class IntakeOut(Schema):
    id: uuid.UUID = Field(description="The intake's public id (no health information in it).")
    token: str = Field(description="The intake's secret, given once: send it as X-Intake-Token to read the intake.")
    triage: Literal["emergency", "urgent", "routine"]
    reasons: list[ReasonOut]
    suggested_disciplines: list[str]
    suggested_techniques: list[str]


class IntakeDetailOut(Schema):
    id: uuid.UUID
    triage: Literal["emergency", "urgent", "routine"]
    reasons: list[ReasonOut]
    suggested_disciplines: list[str]
    suggested_techniques: list[str]
    question_set_version: str
    answers: dict[str, Any]
    medical_clearance: bool


def _questions(language: str) -> list[dict[str, Any]]:
    with translation.override(language):
        out = []
        for q in QUESTIONS:
            item: dict[str, Any] = {
                "id": q.id,
                "concept": q.concept,
                "text": str(q.text),
                "type": q.type,
                "required": q.required,
            }
            if q.choices:
                item["choices"] = [{"value": v, "label": str(label)} for v, label in q.choices.items()]
            if q.regions:
                item["regions"] = [r for r in REGIONS if r in q.regions]
            if q.type in ("integer", "activities"):
                item["minimum"], item["maximum"] = q.minimum, q.maximum
            if q.max_length:
                item["max_length"] = q.max_length
            out.append(item)
        return out


@router.get(
    "/intake/questions",
    response={200: QuestionsOut, **errors(*ALWAYS)},
    operation_id="intake_questions",
    exclude_none=True,
    summary="The intake's questions",
)
def intake_questions_view(request: HttpRequest, query: Query[QuestionsQuery]) -> Any:
    """Every question of "Tell us what hurts", in English or French, with the question set's version."""
    return {
        "version": QUESTION_SET_VERSION,
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
        "questions": _questions(query.lang or "en"),
    }


def _reasons(concepts: list[str]) -> list[dict[str, str]]:
    return [{"concept": c, "message": str(MESSAGES[c])} for c in concepts]


def _answer_problem(error: AnswerError) -> tuple[int, dict[str, Any]]:
    """422 naming the answer to fix, as ``payload.answers.<id>`` like the validation errors (painhero.api)
    and, in ``field``, as the question id (or ``consent``)."""
    where = "payload.consent" if error.field == "consent" else f"payload.answers.{error.field}"
    return 422, {"detail": f"{where}: {error.message}", "field": error.field}


@router.post(
    "/intake",
    response={201: IntakeOut, **errors(*ALWAYS, 429)},
    operation_id="intake_create",
    exclude_none=True,
    summary="Send the intake's answers",
    openapi_extra={
        "responses": {
            201: {
                "links": {
                    "GetIntake": {
                        "operationId": "intake_get",
                        "parameters": {
                            "path.intake_id": "$response.body#/id",
                            "header.X-Intake-Token": "$response.body#/token",
                        },
                    }
                }
            }
        }
    },
)
def intake_create_view(request: HttpRequest, payload: IntakeIn) -> Any:
    """Triage the answers by the red-flag rules: `emergency` (no booking), `urgent` (see a doctor first) or
    `routine`, with the reasons in plain words and the care that may fit. 422 names the answer to fix; 429 after
    too many questionnaires from one address in an hour."""
    language = payload.lang or "en"
    with translation.override(language):
        try:
            created = intake_create(
                answers=payload.answers.model_dump(exclude_none=True),
                language=language,
                consent=payload.consent,
                now=timezone.now(),
                ip=client_ip(request),
            )
        except AnswerError as error:
            return _answer_problem(error)
        except IntakeError as error:
            return error.status, {"detail": error.message}
        intake = created.intake
        return 201, {
            "id": intake.public_id,
            "token": created.token,
            "triage": intake.triage,
            "reasons": _reasons(intake.reasons),
            "suggested_disciplines": intake.suggested_disciplines,
            "suggested_techniques": intake.suggested_techniques,
        }


@router.get(
    "/intake/{intake_id}",
    response={200: IntakeDetailOut, **errors(*ALWAYS, 404)},
    operation_id="intake_get",
    exclude_none=True,
    summary="One intake, for its patient",
    openapi_extra={"parameters": [INTAKE_TOKEN]},
)
def intake_detail_view(request: HttpRequest, intake_id: uuid.UUID) -> Any:
    """The intake and its answers, for whoever holds its token; every read is recorded in its audit trail."""
    intake: Intake | None = intake_open(
        public_id=intake_id,
        token=secret_token(request, "X-Intake-Token"),
        where="api-v1:intake_get",
        now=timezone.now(),
    )
    if intake is None:
        return 404, {"detail": _("No such intake (or the token does not match).")}
    with translation.override(intake.language):
        return 200, {
            "id": intake.public_id,
            "triage": intake.triage,
            "reasons": _reasons(intake.reasons),
            "suggested_disciplines": intake.suggested_disciplines,
            "suggested_techniques": intake.suggested_techniques,
            "question_set_version": intake.question_set_version,
            "answers": intake.answers,
            "medical_clearance": intake.medical_clearance_at is not None,
        }
