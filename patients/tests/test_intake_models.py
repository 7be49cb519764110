"""Intakes in the database: what the constraints guarantee, the token, the clearance and the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from painhero.testing import World, book, later
from patients.models import PRIVACY_NOTICE_VERSION, Intake, IntakeAccess, Reader, TriageLevel
from patients.services import IntakeError, intake_clearance_confirm, intake_create, intake_open
from patients.tests.conftest import lower_back


def create(now: datetime, **changes: Any) -> Any:
    return intake_create(answers=lower_back(**changes), language="en", consent=True, now=now)


def violates(**fields: Any) -> bool:
    try:
        with transaction.atomic():
            Intake.objects.filter(pk=fields.pop("pk")).update(**fields)
    except IntegrityError:
        return True
    return False


def test_an_intake_records_the_versions_and_consent(now: datetime) -> None:
    intake = create(now).intake
    assert intake.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert intake.question_set_version
    assert intake.consent_at == now
    assert intake.triage == TriageLevel.ROUTINE
    assert str(intake) == f"intake {intake.public_id}"  # never the answers


def test_the_database_refuses_an_unknown_triage_level(now: datetime) -> None:
    assert violates(pk=create(now).intake.pk, triage="fine")


def test_the_database_refuses_a_clearance_on_a_routine_or_emergency_intake(now: datetime) -> None:
    assert violates(pk=create(now).intake.pk, medical_clearance_at=now)
    assert violates(pk=create(now, cauda_equina=True).intake.pk, medical_clearance_at=now)
    assert not violates(pk=create(now, fever=True).intake.pk, medical_clearance_at=now)


def test_the_database_refuses_to_link_an_emergency_intake_to_an_appointment(world: World, now: datetime) -> None:
    appointment = book(world, later(0))
    assert violates(pk=create(now, cauda_equina=True).intake.pk, appointment=appointment)
    assert not violates(pk=create(now).intake.pk, appointment=appointment)


def test_the_database_refuses_an_intake_without_versions(now: datetime) -> None:
    assert violates(pk=create(now).intake.pk, question_set_version="")
    assert violates(pk=create(now).intake.pk, privacy_notice_version="")


def test_the_clearance_is_recorded_once_for_an_urgent_intake(now: datetime, time_machine: Any) -> None:
    intake = create(now, night_pain=True).intake
    assert not intake.may_book
    intake_clearance_confirm(intake=intake, now=now)
    time_machine.move_to(now + timedelta(hours=1), tick=False)
    intake_clearance_confirm(intake=intake, now=now + timedelta(hours=1))
    intake.refresh_from_db()
    assert intake.medical_clearance_at == now
    assert intake.may_book


@pytest.mark.parametrize("changes", [{}, {"cauda_equina": True}])
def test_only_an_urgent_intake_takes_a_clearance(now: datetime, changes: dict[str, Any]) -> None:
    intake = create(now, **changes).intake
    with pytest.raises(IntakeError):
        intake_clearance_confirm(intake=intake, now=now)


def test_an_emergency_intake_may_never_book(now: datetime) -> None:
    assert not create(now, cauda_equina=True).intake.may_book
    assert create(now).intake.may_book


def test_opening_records_who_when_and_where_but_not_the_answers(now: datetime) -> None:
    created = create(now, goals="Run a marathon")
    intake = intake_open(
        public_id=created.intake.public_id,
        token=created.token,
        where="portal:intake",
        now=now,
        reader=Reader.STAFF,
        user_id=42,
        role="practitioner",
    )
    assert intake is not None
    access = IntakeAccess.objects.get()
    assert (access.intake_id, access.reader, access.user_id, access.role, access.where, access.at) == (
        created.intake.pk,
        "staff",
        42,
        "practitioner",
        "portal:intake",
        now,
    )
    assert "marathon" not in str(IntakeAccess.objects.values().get())


@pytest.mark.parametrize("public_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_id_opens_nothing(now: datetime, public_id: str) -> None:
    created = create(now)
    assert intake_open(public_id=public_id, token=created.token, where="x", now=now) is None
    assert not IntakeAccess.objects.exists()


def test_another_intakes_token_opens_nothing(now: datetime) -> None:
    first, second = create(now), create(now)
    assert intake_open(public_id=first.intake.public_id, token=second.token, where="x", now=now) is None


def test_the_database_refuses_a_staff_read_without_a_user(now: datetime) -> None:
    intake = create(now).intake
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeAccess.objects.create(intake=intake, at=now, reader=Reader.STAFF, where="portal:intake")


@pytest.mark.parametrize(
    ("language", "stored"), [("fr-CA", "fr"), ("FR", "fr"), ("en", "en"), ("de", "en"), (None, "en")]
)
def test_the_language_is_one_the_site_speaks(now: datetime, language: str | None, stored: str) -> None:
    created = intake_create(answers=lower_back(), language=language, consent=True, now=now)
    assert created.intake.language == stored
