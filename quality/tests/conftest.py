"""Helpers shared by the quality tests: a network inspector and an inspection with every inspector point decided."""

from __future__ import annotations

from typing import Any

import pytest

from painhero.testing import NOW, World, make_user
from quality.models import Inspection
from quality.rubric import POINTS
from quality.services import inspection_start, point_record


@pytest.fixture
def inspector(world: World) -> Any:
    user = make_user("ines@painhero.test")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def decide_all(inspection: Inspection, by: Any, *, passed: bool = True, **overrides: bool) -> None:
    """Record every inspector-checked point (``overrides``: point id with dashes as underscores -> result)."""
    for point_id, point in POINTS.items():
        if point.computed:
            continue
        result = overrides.get(point_id.replace("-", "_"), passed)
        point_record(inspection=inspection, point_id=point_id, passed=result, by=by, now=NOW, evidence="Seen on site.")


@pytest.fixture
def applicant(world: World) -> World:
    world.clinic.network_status = "applicant"
    world.clinic.inspection_score = None
    world.clinic.save(update_fields=["network_status", "inspection_score"])
    return world


@pytest.fixture
def started(applicant: World, inspector: Any) -> Inspection:
    return inspection_start(clinic=applicant.clinic, inspector=inspector, now=NOW)
