"""Checking answers (patients.answers.answers_clean): what must be answered, and the 422's field names."""

from __future__ import annotations

from typing import Any

import pytest

from patients.answers import AnswerError, answers_clean
from patients.rules import red_flags_for


def knee(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"region": ["knee"], "duration": "1_6_weeks", "onset": "injury", "pain_now": 4, "age": 33}
    base.update({q.id: False for q in red_flags_for(["knee"])})
    base.update(changes)
    return base


def field_of(raw: dict[str, Any]) -> str:
    with pytest.raises(AnswerError) as caught:
        answers_clean(raw)
    return caught.value.field


def test_complete_answers_come_back_normalised() -> None:
    cleaned = answers_clean(knee(region=["knee", "hip", "knee"], cauda_equina=False, inflammatory=False))
    assert cleaned["region"] == ["hip", "knee"]


def test_a_warning_sign_that_applies_must_be_answered() -> None:
    raw = knee(region=["lower_back", "knee"])
    # lower back pain asks about cauda equina and inflammatory pain, which the knee answers above did not.
    assert field_of(raw) == "cauda_equina"


def test_a_warning_sign_that_does_not_apply_may_be_left_out() -> None:
    cleaned = answers_clean(knee())
    assert "cauda_equina" not in cleaned


def test_a_yes_to_a_question_that_does_not_apply_still_counts() -> None:
    assert answers_clean(knee(chest_pain=True))["chest_pain"] is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pain_now": 11}, "pain_now"),
        ({"pain_now": -1}, "pain_now"),
        ({"pain_now": "5"}, "pain_now"),
        ({"pain_now": True}, "pain_now"),
        ({"age": 0}, "age"),
        ({"age": 121}, "age"),
        ({"region": []}, "region"),
        ({"region": ["elbow", "tail"]}, "region"),
        ({"region": "knee"}, "region"),
        ({"duration": "forever"}, "duration"),
        ({"onset": 3}, "onset"),
        ({"fever": "yes"}, "fever"),
        ({"goals": "x" * 501}, "goals"),
        ({"goals": "a\x00b"}, "goals"),
        ({"activities": [{"name": "run", "score": 3}] * 4}, "activities"),
        ({"activities": [{"name": "run", "score": 11}]}, "activities.0.score"),
        ({"activities": [{"name": "run", "score": 3}, {"name": " ", "score": 3}]}, "activities.1.name"),
        ({"activities": [{"name": "run"}]}, "activities.0"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_a_wrong_type_or_out_of_range_answer_names_its_field(changes: dict[str, Any], field: str) -> None:
    assert field_of(knee(**changes)) == field


@pytest.mark.parametrize("missing", ["region", "duration", "onset", "pain_now", "age"])
def test_each_required_question_must_be_answered(missing: str) -> None:
    raw = knee()
    del raw[missing]
    assert field_of(raw) == missing


def test_an_error_message_never_repeats_the_answer() -> None:
    with pytest.raises(AnswerError) as caught:
        answers_clean(knee(goals="my secret diagnosis " * 40))
    assert "secret" not in caught.value.message
