"""The intake tests: the suite's clock (painhero.testing.NOW) and answers to send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from painhero.testing import NOW
from patients.rules import red_flags_for


def lower_back(**changes: Any) -> dict[str, Any]:
    """Lower back pain for 1-6 weeks, started gradually, aged 40, every warning sign that applies answered no."""
    answers: dict[str, Any] = {
        "region": ["lower_back"],
        "duration": "1_6_weeks",
        "onset": "gradual",
        "pain_now": 6,
        "activities": [{"name": "Tying my shoes", "score": 3}, {"name": "Sitting an hour", "score": 4}],
        "goals": "Play with my kids",
        "age": 40,
    }
    answers.update({q.id: False for q in red_flags_for(["lower_back"])})
    answers.update(changes)
    return answers


@pytest.fixture
def now(db: Any, time_machine: Any) -> datetime:
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def french() -> None:
    """The French catalogue has the intake's words (the lead merges /tmp/po/intake.po into locale/fr): skip on a
    branch without them, fail in CI, where nothing may be skipped."""
    from django.utils import translation

    from conftest import _need

    with translation.override("fr"):
        translated = translation.gettext("Where does it hurt?") != "Where does it hurt?"
    _need(translated, "the French catalogue lacks the intake's words (merge /tmp/po/intake.po)")
