"""Starting, recording and finishing an inspection; the clinic's score and status follow (quality/services.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from booking.services import appointment_book
from clinics.models import Clinic, NetworkStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver
from painhero.testing import NOW, SLOT, World, patient
from quality.errors import EvidenceMissing, InspectionFinished, NotInspectorPoint, StatusNotAllowed
from quality.models import ClinicStatusChange, Inspection, InspectionStatus
from quality.rubric import RUBRIC_VERSION
from quality.services import clinic_status_move, inspection_finish, inspection_start, point_record

from .conftest import decide_all


def _status(clinic: Clinic) -> str:
    clinic.refresh_from_db()
    return clinic.network_status


def test_starting_opens_a_draft_of_all_50_points_with_the_computed_ones_filled_in(started: Inspection) -> None:
    assert started.status == InspectionStatus.DRAFT and started.rubric_version == RUBRIC_VERSION
    assert started.points.count() == 50
    computed = started.points.filter(computed=True)
    assert computed.count() == 22 and all(row.evidence for row in computed)
    prices = started.points.get(point_id="cost-prices-published")
    assert prices.passed is True and prices.evidence == "1 of 1 active services show a price."
    assert started.points.get(point_id="reviews-count").passed is None  # no reviews on PainHero yet


def test_starting_again_gives_back_the_open_draft(started: Inspection, inspector: Any) -> None:
    again = inspection_start(clinic=started.clinic, inspector=inspector, now=NOW)
    assert again.pk == started.pk and Inspection.objects.count() == 1


def test_a_computed_point_cannot_be_entered_by_hand(started: Inspection, inspector: Any) -> None:
    with pytest.raises(NotInspectorPoint):
        point_record(inspection=started, point_id="cost-prices-published", passed=False, by=inspector, now=NOW)


def test_a_passed_point_needs_evidence(started: Inspection, inspector: Any) -> None:
    with pytest.raises(EvidenceMissing):
        point_record(inspection=started, point_id="credentials-register", passed=True, by=inspector, now=NOW)
    row = point_record(
        inspection=started,
        point_id="credentials-register",
        passed=True,
        by=inspector,
        now=NOW,
        link="https://portal.collegept.org/register/123",
    )
    assert row.recorded_by == inspector and row.recorded_at == NOW


def test_an_applicant_passing_every_gate_and_the_mark_is_admitted_with_its_score_and_a_history_row(
    started: Inspection, inspector: Any, applicant: World
) -> None:
    decide_all(started, inspector)
    finished = inspection_finish(inspection=started, by=inspector, now=NOW)
    assert finished.status == InspectionStatus.FINISHED and finished.gates_passed
    assert finished.score is not None and finished.score >= 70
    assert _status(applicant.clinic) == NetworkStatus.IN_NETWORK
    assert applicant.clinic.inspection_score == finished.score
    change = ClinicStatusChange.objects.get(clinic=applicant.clinic)
    assert (change.from_status, change.to_status, change.by, change.inspection) == (
        "applicant",
        "in_network",
        inspector,
        finished,
    )
    assert Clinic.objects.in_network().filter(pk=applicant.clinic.pk).exists()


def test_an_applicant_failing_a_gate_stays_an_applicant_whatever_its_score(
    started: Inspection, inspector: Any, applicant: World
) -> None:
    decide_all(started, inspector, credentials_insurance=False)
    finished = inspection_finish(inspection=started, by=inspector, now=NOW)
    assert finished.score is not None and finished.score >= 70 and not finished.gates_passed
    assert _status(applicant.clinic) == NetworkStatus.APPLICANT
    assert applicant.clinic.inspection_score == finished.score


def test_a_finished_inspection_takes_no_more_results(started: Inspection, inspector: Any) -> None:
    decide_all(started, inspector)
    inspection_finish(inspection=started, by=inspector, now=NOW)
    with pytest.raises(InspectionFinished):
        point_record(inspection=started, point_id="safety-records", passed=False, by=inspector, now=NOW)
    with pytest.raises(InspectionFinished):
        inspection_finish(inspection=started, by=inspector, now=NOW)


def test_an_admitted_clinic_below_the_mark_goes_on_probation_and_stays_bookable(world: World, inspector: Any) -> None:
    inspection = inspection_start(clinic=world.clinic, inspector=inspector, now=NOW)
    decide_all(
        inspection,
        inspector,
        passed=False,
        **dict.fromkeys(["credentials_register", "credentials_insurance", "credentials_restriction"], True),
    )
    finished = inspection_finish(inspection=inspection, by=inspector, now=NOW)
    assert finished.score is not None and finished.score < 70 and finished.gates_passed
    assert _status(world.clinic) == NetworkStatus.PROBATION
    appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW)


def test_an_admitted_clinic_failing_a_gate_is_suspended_and_its_booked_patients_are_told(
    world: World, inspector: Any
) -> None:
    appointment_book(practitioner=world.chen, service=world.service, start=SLOT, patient=patient(), now=NOW)
    OutboxMessage.objects.all().delete()
    inspection = inspection_start(clinic=world.clinic, inspector=inspector, now=NOW)
    decide_all(inspection, inspector, credentials_register=False)
    inspection_finish(inspection=inspection, by=inspector, now=NOW)
    assert _status(world.clinic) == NetworkStatus.SUSPENDED
    (message,) = OutboxMessage.objects.filter(kind="quality.clinic_left")
    mail.outbox.clear()
    assert outbox_deliver(message_id=message.pk, now=NOW)
    (email,) = mail.outbox
    assert email.to == ["patient1@example.com"] and "is still booked" in email.body
    assert "(416) 555-0100" in email.body


def test_staff_can_suspend_but_never_admit_by_hand(world: World, inspector: Any) -> None:
    clinic_status_move(clinic=world.clinic, to_status="suspended", by=inspector, now=NOW, reason="College finding")
    assert _status(world.clinic) == NetworkStatus.SUSPENDED
    with pytest.raises(StatusNotAllowed):
        clinic_status_move(clinic=world.clinic, to_status="in_network", by=inspector, now=NOW, reason="please")
    assert _status(world.clinic) == NetworkStatus.SUSPENDED
    assert list(ClinicStatusChange.objects.values_list("to_status", flat=True)) == ["suspended"]


def test_the_database_refuses_an_admission_row_without_every_gate_and_the_pass_mark(
    started: Inspection, inspector: Any
) -> None:
    decide_all(started, inspector, credentials_restriction=False)
    failed = inspection_finish(inspection=started, by=inspector, now=NOW)
    for fields in (
        {"inspection": failed, "score": failed.score, "pass_mark": 70, "gates_passed": False},
        {"inspection": failed, "score": 69, "pass_mark": 70, "gates_passed": True},
        {"inspection": None, "score": None, "pass_mark": None, "gates_passed": None},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ClinicStatusChange.objects.create(
                clinic=started.clinic, from_status="applicant", to_status="in_network", at=NOW, **fields
            )
