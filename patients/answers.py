"""Checking a patient's answers against the question set (patients.rules), for the API and the pages alike.

``answers_clean`` takes answers as JSON gives them (or as the pages collect them) and returns them normalised, or
raises ``AnswerError`` naming the one field to fix. Its messages never repeat what was typed: an error message
can end up in a log line, and the answers are health information.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from patients.rules import (
    ABOUT,
    MAX_ACTIVITIES,
    QUESTIONS_BY_ID,
    REGIONS,
    Question,
    applies,
    red_flags_for,
)


class AnswerError(Exception):
    """An answer that is missing, of the wrong type or out of range; ``field`` is the question id (or a path
    such as ``activities.1.score``), ``message`` says what to send instead."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _integer(question: Question, field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(field, _("send a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
    if not low <= value <= high:
        raise AnswerError(field, _("must be from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def _text(field: str, value: Any, max_length: int, *, blank: bool = True) -> str:
    if not isinstance(value, str):
        raise AnswerError(field, _("send text."))
    value = value.strip()
    if "\x00" in value:
        raise AnswerError(field, _("must not contain a NUL character."))
    if len(value) > max_length:
        raise AnswerError(field, _("must be at most %(n)s characters.") % {"n": max_length})
    if not value and not blank:
        raise AnswerError(field, _("must not be empty."))
    return value


def _one(question: Question, value: Any) -> Any:
    field = question.id
    if question.type == "multiple_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerError(field, _('send a list of choices, e.g. ["lower_back"].'))
        unknown = [v for v in value if v not in question.choices]
        if unknown:
            raise AnswerError(field, _("unknown choice: use %(choices)s.") % {"choices": ", ".join(question.choices)})
        if not value:
            raise AnswerError(field, _("choose at least one."))
        return [c for c in question.choices if c in value]
    if question.type == "choice":
        if not isinstance(value, str) or value not in question.choices:
            raise AnswerError(field, _("use one of %(choices)s.") % {"choices": ", ".join(question.choices)})
        return value
    if question.type == "integer":
        return _integer(question, field, value, question.minimum, question.maximum)
    if question.type == "text":
        return _text(field, value, question.max_length)
    if question.type == "yes_no":
        if not isinstance(value, bool):
            raise AnswerError(field, _("answer true (yes) or false (no)."))
        return value
    # activities (PSFS)
    if not isinstance(value, list):
        raise AnswerError(field, _("send a list of activities, each with a name and a score."))
    if len(value) > MAX_ACTIVITIES:
        raise AnswerError(field, _("at most %(n)s activities.") % {"n": MAX_ACTIVITIES})
    activities = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != {"name", "score"}:
            raise AnswerError(f"{field}.{i}", _("send an object with a name and a score."))
        name = _text(f"{field}.{i}.name", item["name"], question.max_length, blank=False)
        score = _integer(question, f"{field}.{i}.score", item["score"], question.minimum, question.maximum)
        activities.append({"name": name, "score": score})
    return activities


def answers_clean(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The answers checked and normalised; ``AnswerError`` for the first one to fix.

    Every required question must be answered, and every warning-sign question that applies to the chosen
    regions (``patients.rules.applies``) too: a warning sign is never skipped. One that does not apply may be
    answered; a "yes" to it still counts.
    """
    for key in raw:
        if key not in QUESTIONS_BY_ID:
            raise AnswerError(key, _("there is no such question (see GET /api/v1/intake/questions)."))
    cleaned: dict[str, Any] = {}
    for question in ABOUT:
        if raw.get(question.id) is None:
            if question.required:
                raise AnswerError(question.id, _("this question must be answered."))
            continue
        cleaned[question.id] = _one(question, raw[question.id])
    regions = cleaned["region"]
    asked = red_flags_for(regions)
    for question in asked:
        if raw.get(question.id) is None:
            raise AnswerError(
                question.id,
                _("this warning-sign question applies to the chosen regions: answer yes (true) or no (false)."),
            )
    for question in QUESTIONS_BY_ID.values():
        if question.red_flag and raw.get(question.id) is not None:
            cleaned[question.id] = _one(question, raw[question.id])
    return cleaned


def region_labels(regions: list[str]) -> list[str]:
    return [str(REGIONS[r]) for r in regions if r in REGIONS]


__all__ = ["AnswerError", "answers_clean", "applies", "region_labels"]
