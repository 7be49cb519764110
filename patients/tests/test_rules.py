"""The red-flag rules (patients.rules.triage), concept by concept, in combination, and region by region."""

from __future__ import annotations

from typing import Any

import pytest

from clinics.models import Discipline
from demo.reference import TECHNIQUES
from patients import rules
from patients.rules import DURATIONS, EMERGENCY, NOTE, ONSETS, RED_FLAGS, REGIONS, URGENT, applies, triage


def answers(**changes: Any) -> dict[str, Any]:
    """Lower back pain for 1-6 weeks that came on gradually, aged 40, every warning sign answered "no"."""
    base: dict[str, Any] = {
        "region": ["lower_back"],
        "duration": "1_6_weeks",
        "onset": "gradual",
        "pain_now": 5,
        "age": 40,
    }
    base.update({q.id: False for q in RED_FLAGS})
    base.update(changes)
    return base


def test_no_warning_sign_is_routine_without_reasons_or_notes() -> None:
    result = triage(answers())
    assert result.level == "routine"
    assert result.reasons == ()
    assert result.clinician_notes == ()


@pytest.mark.parametrize("concept", sorted(EMERGENCY))
def test_each_emergency_sign_alone_is_an_emergency(concept: str) -> None:
    result = triage(answers(**{concept: True}))
    assert result.level == "emergency"
    assert [c for c, _message in result.reasons] == [concept]
    assert result.suggested_disciplines == ()
    assert result.suggested_techniques == ()


@pytest.mark.parametrize("concept", sorted(URGENT))
def test_each_urgent_sign_alone_means_see_a_doctor_first(concept: str) -> None:
    result = triage(answers(**{concept: True}))
    assert result.level == "urgent"
    assert [c for c, _message in result.reasons] == [concept]


def test_fever_with_an_infection_risk_is_an_emergency() -> None:
    result = triage(answers(fever=True, infection_risk=True))
    assert result.level == "emergency"
    assert [c for c, _m in result.reasons] == ["infection_risk"]


def test_fever_alone_is_urgent_and_an_infection_risk_alone_is_routine() -> None:
    assert triage(answers(fever=True)).level == "urgent"
    assert triage(answers(infection_risk=True)).level == "routine"


@pytest.mark.parametrize(("age", "level"), [(64, "urgent"), (65, "emergency"), (90, "emergency")])
def test_a_recent_accident_behind_neck_pain_is_high_risk_from_65(age: int, level: str) -> None:
    result = triage(answers(region=["neck"], neck_trauma=True, age=age))
    assert result.level == level
    expected = "neck_trauma_high_risk" if level == "emergency" else "neck_trauma"
    assert [c for c, _m in result.reasons] == [expected]


def test_an_emergency_outranks_urgent_signs_and_names_only_its_own_reasons() -> None:
    result = triage(answers(cancer_history=True, cauda_equina=True, weight_loss=True, chest_pain=True))
    assert result.level == "emergency"
    # In the order the questions are asked.
    assert [c for c, _m in result.reasons] == ["cauda_equina", "chest_pain"]


def test_several_urgent_signs_are_all_named() -> None:
    result = triage(answers(night_pain=True, cancer_history=True))
    assert result.level == "urgent"
    assert [c for c, _m in result.reasons] == ["cancer_history", "night_pain"]


def test_inflammatory_pain_is_routine_with_a_note_to_the_clinician() -> None:
    result = triage(answers(inflammatory=True))
    assert result.level == "routine"
    assert result.reasons == ()
    assert [c for c, _m in result.clinician_notes] == ["inflammatory"]


@pytest.mark.parametrize(
    ("age", "duration", "noted"),
    [
        (19, "1_6_weeks", True),
        (20, "1_6_weeks", False),
        (55, "under_1_week", False),
        (56, "6_12_weeks", True),
        (80, "under_1_week", True),
        (16, "over_12_weeks", False),  # not new pain
        (70, "over_12_weeks", False),
    ],
)
def test_new_pain_under_20_or_over_55_is_routine_with_a_note(age: int, duration: str, noted: bool) -> None:
    result = triage(answers(age=age, duration=duration))
    assert result.level == "routine"
    assert ("age" in [c for c, _m in result.clinician_notes]) is noted


def test_notes_stay_with_an_urgent_answer() -> None:
    result = triage(answers(inflammatory=True, age=60, weight_loss=True))
    assert result.level == "urgent"
    assert [c for c, _m in result.clinician_notes] == ["inflammatory", "age"]


def test_every_reason_and_note_has_words() -> None:
    for concept in EMERGENCY | URGENT | NOTE | {"infection_risk", "age"}:
        assert str(rules.MESSAGES[concept]).strip()


def test_every_warning_sign_question_leads_somewhere() -> None:
    """A question whose "yes" changes nothing would be a question asked for nothing (infection_risk counts with
    fever)."""
    assert {q.concept for q in RED_FLAGS} == EMERGENCY | URGENT | NOTE | {"fever", "infection_risk"}


# --- Which questions are asked for which region --------------------------------------------------------------

ALL = frozenset(REGIONS)
SPINE = frozenset({"neck", "upper_back", "lower_back", "hip"})
# What a clinician agreed to: each warning-sign question and the regions it is asked for ("other" asks all).
ASKED_FOR: dict[str, frozenset[str]] = {
    "cauda_equina": frozenset({"lower_back", "hip"}),
    "progressive_neuro": ALL,
    "myelopathy": frozenset({"neck", "upper_back"}),
    "vascular": frozenset({"neck", "head_jaw"}),
    "meningitis": frozenset({"neck", "head_jaw"}),
    "chest_pain": frozenset({"upper_back", "neck", "shoulder"}),
    "neck_trauma_high_risk": frozenset({"neck"}),
    "fever": ALL,
    "infection_risk": ALL,
    "cancer_history": ALL,
    "weight_loss": ALL,
    "night_pain": ALL,
    "fragility_fracture": ALL,
    "neck_trauma": frozenset({"neck"}),
    "no_improvement": ALL,
    "inflammatory": SPINE,
}


@pytest.mark.parametrize("question", RED_FLAGS, ids=lambda q: q.id)
@pytest.mark.parametrize("region", list(REGIONS))
def test_each_warning_sign_is_asked_for_exactly_its_regions(question: rules.Question, region: str) -> None:
    assert applies(question, [region]) is (region in ASKED_FOR[question.id] | {"other"})


def test_a_question_applies_when_any_chosen_region_needs_it() -> None:
    question = rules.QUESTIONS_BY_ID["cauda_equina"]
    assert applies(question, ["knee", "lower_back"])
    assert not applies(question, ["knee", "shoulder"])


def test_the_questions_asked_for_knee_pain_leave_out_the_spinal_ones() -> None:
    asked = {q.id for q in rules.red_flags_for(["knee"])}
    assert "cauda_equina" not in asked
    assert "myelopathy" not in asked
    assert {"fever", "infection_risk", "cancer_history", "progressive_neuro"} <= asked


# --- Which care fits -----------------------------------------------------------------------------------------


def test_lower_back_pain_for_weeks_without_warning_signs_suggests_physiotherapy_or_chiropractic() -> None:
    result = triage(answers())
    assert result.suggested_disciplines == ("physiotherapy", "chiropractic")
    assert result.suggested_techniques[:2] == ("active-release-technique", "spinal-manipulation")


def test_after_surgery_only_physiotherapy_and_no_manipulation() -> None:
    result = triage(answers(onset="surgery"))
    assert result.suggested_disciplines == ("physiotherapy",)
    assert "spinal-manipulation" not in result.suggested_techniques


def test_long_standing_gradual_pain_adds_massage_therapy() -> None:
    result = triage(answers(duration="over_12_weeks", region=["neck"]))
    assert "massage_therapy" in result.suggested_disciplines
    assert "trigger-point-therapy" in result.suggested_techniques


def test_a_head_injury_suggests_concussion_care_first() -> None:
    result = triage(answers(region=["head_jaw"], onset="injury", vascular=False, meningitis=False))
    assert result.suggested_techniques[0] == "concussion-rehabilitation"


@pytest.mark.parametrize("region", list(REGIONS))
@pytest.mark.parametrize("onset", list(ONSETS))
@pytest.mark.parametrize("duration", list(DURATIONS))
def test_every_suggestion_is_a_real_discipline_and_technique(region: str, onset: str, duration: str) -> None:
    result = triage(answers(region=[region], onset=onset, duration=duration))
    assert result.suggested_disciplines
    assert set(result.suggested_disciplines) <= set(Discipline.values)
    assert set(result.suggested_techniques) <= set(TECHNIQUES)
    assert len(result.suggested_techniques) <= rules.MAX_TECHNIQUES
