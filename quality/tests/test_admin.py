"""The network team's workspace in the staff admin: the queue, the 50-point form through the services, finishing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clinics.models import Clinic, NetworkStatus
from painhero.testing import World, client_for
from quality.models import ClinicStatusChange, Inspection, InspectionPoint, InspectionStatus

from .conftest import decide_all


@pytest.fixture
def staff(inspector: Any) -> Client:
    inspector.is_superuser = True
    inspector.save(update_fields=["is_superuser"])
    return client_for(inspector)


def _formset(inspection: Inspection, changes: dict[str, dict[str, str]]) -> dict[str, str]:
    """The change form's POST as the admin renders it, with ``changes`` by point id."""
    rows = list(inspection.points.order_by("pk"))
    data = {
        "points-TOTAL_FORMS": str(len(rows)),
        "points-INITIAL_FORMS": str(len(rows)),
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "0",
    }
    for i, row in enumerate(rows):
        data[f"points-{i}-id"] = str(row.pk)
        data[f"points-{i}-inspection"] = str(inspection.pk)
        values = {"passed": {True: "true", False: "false", None: "unknown"}[row.passed], "evidence": row.evidence}
        values |= {"link": row.link} | changes.get(row.point_id, {})
        for field, value in values.items():
            data[f"points-{i}-{field}"] = value
    return data


def test_the_queue_lists_applicants_and_starts_an_inspection_for_the_signed_in_inspector(
    staff: Client, applicant: World, inspector: Any
) -> None:
    page = staff.get("/admin/quality/clinictoinspect/?needs=applicants")
    assert page.status_code == 200 and "Alpha Physio" in page.content.decode()
    assert "Bravo Secret Physio" not in page.content.decode()
    response = staff.post(
        "/admin/quality/clinictoinspect/", {"action": "start", "_selected_action": [applicant.clinic.pk]}
    )
    inspection = Inspection.objects.get(clinic=applicant.clinic)
    assert response.status_code == 302 and response["Location"].endswith(f"/inspection/{inspection.pk}/change/")
    assert inspection.inspector == inspector and inspection.points.count() == 50
    assert staff.get(response["Location"]).status_code == 200


def test_the_form_records_points_through_the_service_and_never_a_computed_one(
    staff: Client, started: Inspection, inspector: Any
) -> None:
    data = _formset(
        started,
        {
            "credentials-register": {"passed": "true", "evidence": "Register checked 7 Dec"},
            "safety-records": {"passed": "true", "evidence": ""},  # no evidence: refused with a message
            "cost-prices-published": {"passed": "false"},  # computed: the field is disabled
        },
    )
    response = staff.post(f"/admin/quality/inspection/{started.pk}/change/", data, follow=True)
    assert response.status_code == 200
    assert "A passed point needs its evidence" in response.content.decode()
    register = InspectionPoint.objects.get(inspection=started, point_id="credentials-register")
    assert register.passed is True and register.recorded_by == inspector
    assert InspectionPoint.objects.get(inspection=started, point_id="safety-records").passed is None
    assert InspectionPoint.objects.get(inspection=started, point_id="cost-prices-published").passed is True


def test_the_finish_action_admits_the_applicant_and_nothing_can_type_a_score(
    staff: Client, started: Inspection, inspector: Any, applicant: World
) -> None:
    decide_all(started, inspector)
    response = staff.post(
        "/admin/quality/inspection/", {"action": "finish", "_selected_action": [started.pk]}, follow=True
    )
    assert "now In the network" in response.content.decode()
    started.refresh_from_db()
    assert started.status == InspectionStatus.FINISHED
    clinic = Clinic.objects.get(pk=applicant.clinic.pk)
    assert clinic.network_status == NetworkStatus.IN_NETWORK and clinic.inspection_score == started.score
    # The clinic admin shows the score and the status, read-only.
    html = staff.get(f"/admin/clinics/clinic/{clinic.pk}/change/").content.decode()
    assert 'name="inspection_score"' not in html and 'name="network_status"' not in html


def test_suspending_from_the_queue_writes_the_history(staff: Client, world: World) -> None:
    staff.post("/admin/quality/clinictoinspect/", {"action": "suspend", "_selected_action": [world.clinic.pk]})
    world.clinic.refresh_from_db()
    assert world.clinic.network_status == NetworkStatus.SUSPENDED
    assert ClinicStatusChange.objects.get(clinic=world.clinic).to_status == "suspended"


def test_clinic_staff_cannot_reach_the_workspace(owner_client: Client) -> None:
    assert owner_client.get("/admin/quality/inspection/").status_code == 302  # to the sign-in
