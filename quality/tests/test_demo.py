"""The demo's inspections: every score the demo shows is derived from its 50 points (quality/demo.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from clinics.models import Clinic, NetworkStatus
from demo.network import network_generate
from painhero.testing import NOW
from quality.demo import inspections_generate
from quality.models import ClinicStatusChange, Inspection
from quality.rubric import GATES, score_derive


@pytest.mark.django_db
def test_the_demo_network_is_inspected_and_every_score_is_derived_from_the_points() -> None:
    network_generate(clinics=150, seed=4, schedules=False)
    inspected = inspections_generate(seed=4, now=NOW)
    statuses = Counter(Clinic.objects.values_list("network_status", flat=True))
    assert inspected == Inspection.objects.count() == 150 - statuses[NetworkStatus.APPLICANT]
    assert statuses[NetworkStatus.PROBATION] >= 1 and statuses[NetworkStatus.SUSPENDED] >= 1
    for inspection in Inspection.objects.select_related("clinic").prefetch_related("points"):
        results = {row.point_id: row.passed for row in inspection.points.all()}
        derived = score_derive(results)
        assert len(results) == 50
        assert inspection.score == derived.value == inspection.clinic.inspection_score
        status = inspection.clinic.network_status
        assert derived.admissible == (status == NetworkStatus.IN_NETWORK), inspection.clinic
        if status == NetworkStatus.SUSPENDED:
            assert any(results[gate] is False for gate in GATES)
    assert ClinicStatusChange.objects.count() == inspected
    assert not Clinic.objects.filter(network_status=NetworkStatus.APPLICANT, inspection_score__isnull=False).exists()
