"""The progress chart on the patient's plan page and in My PainHero: My PainHero lists the patient's plans, each
opening the plan, its visits and the chart to the signed-in patient who owns it only (others: 404), every read of
the progress recorded in the intake's audit trail; empty states when there is nothing to draw yet."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from painhero.testing import NOW, World
from patients.account import PatientAccount
from patients.careplan_models import CarePlan
from patients.careplan_propose import Preferences
from patients.careplan_testing import consultation_make, emailed_token, plan_make
from patients.careplans import VisitChoice, careplan_book, plan_times_propose
from patients.models import IntakeAccess, OutcomeCheckIn, Reader

SHAPE = ((2, 1), (1, 1))


def _patient_client(email: str) -> Client:
    """A browser signed in to My PainHero as the patient with this address."""
    account = PatientAccount.objects.filter(email=email).first()
    if account is None:
        user = get_user_model().objects.create_user(username=f"patient:{uuid.uuid4()}", email=email)
        account = PatientAccount.objects.create(user=user, email=email, created_at=NOW, verified_at=NOW)
    client = Client()
    client.force_login(account.user)
    return client


@pytest.fixture
def booked(world: World) -> tuple[CarePlan, str]:
    """Jo's plan, booked; the first visit's check-in recorded: pain 6 -> 3 (meaningful)."""
    plan = plan_make(world, consultation_make(world), shape=SHAPE)
    token = emailed_token(plan)
    proposed = plan_times_propose(plan=plan, preferences=Preferences(), now=NOW)
    careplan_book(
        plan=plan,
        token=token,
        choices=[VisitChoice(v.time.practitioner_id, v.time.start) for v in proposed if v.time is not None],
        now=NOW,
    )
    plan.refresh_from_db()
    first = OutcomeCheckIn.objects.filter(intake=plan.intake).order_by("appointment__start").first()
    assert first is not None
    OutcomeCheckIn.objects.filter(pk=first.pk).update(
        taken_at=NOW, nprs=3, groc=2, psfs_1=6, psfs_2=7, recorded_by="patient"
    )
    return plan, token


def test_the_plan_page_shows_the_chart_and_its_table_and_records_the_read(
    booked: tuple[CarePlan, str], client: Client
) -> None:
    plan, token = booked
    response = client.get(reverse("patients:care_plan", args=[token]))
    assert response.status_code == 200
    assert "outcome-progress__chart" in response.text and "The same figures as a table" in response.text
    assert "Check-in 1" in response.text and "Yes, from here" in response.text  # 6 -> 3 is meaningful
    assert IntakeAccess.objects.filter(intake=plan.intake, reader=Reader.PATIENT, where="patients:care_plan").count()


def test_the_plan_page_says_so_before_any_check_in_and_without_an_intake(world: World, client: Client) -> None:
    plan = plan_make(world, consultation_make(world), shape=SHAPE)
    token = emailed_token(plan)
    before = client.get(reverse("patients:care_plan", args=[token]))
    assert "No check-in yet" in before.text and "outcome-progress__chart" in before.text  # the start, alone
    CarePlan.objects.filter(pk=plan.pk).update(intake=None)
    without = client.get(reverse("patients:care_plan", args=[token]))
    assert without.status_code == 200
    assert "No progress to show" in without.text and "outcome-progress__chart" not in without.text


def test_my_painhero_lists_the_patients_plans_and_says_so_when_there_is_none(
    booked: tuple[CarePlan, str],
) -> None:
    plan, _token = booked
    mine = _patient_client("jo@example.com").get(reverse("patients:my_home"))
    assert mine.status_code == 200
    assert reverse("patients:my_care_plan", args=[plan.public_id]) in mine.text
    assert "Your plan at Alpha Physio" in mine.text
    other = _patient_client("else@example.com").get(reverse("patients:my_home"))
    assert reverse("patients:my_care_plan", args=[plan.public_id]) not in other.text
    assert "No care plan sent to this address yet" in other.text


def test_the_owner_sees_the_plan_its_visits_and_the_chart_and_the_read_is_recorded(
    booked: tuple[CarePlan, str],
) -> None:
    plan, _token = booked
    url = reverse("patients:my_care_plan", args=[plan.public_id])
    jo = _patient_client("jo@example.com")
    response = jo.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Mechanical low back pain" in response.text  # the plan
    assert response.text.count("See or change this appointment") == 3  # its visits
    assert "outcome-progress__chart" in response.text and "Yes, from here" in response.text  # the chart
    [access] = IntakeAccess.objects.filter(intake=plan.intake, where="patients:my_care_plan")
    assert access.reader == Reader.PATIENT and access.at == NOW
    home = jo.get(reverse("patients:my_home"))
    assert "your care plan in My PainHero" in home.text  # in the patient's access report


@pytest.mark.parametrize("who", ["another patient", "clinic staff", "nobody"])
def test_nobody_else_reaches_the_plan(booked: tuple[CarePlan, str], world: World, who: str) -> None:
    plan, _token = booked
    url = reverse("patients:my_care_plan", args=[plan.public_id])
    clients: dict[str, Any] = {"another patient": _patient_client("else@example.com"), "nobody": Client()}
    if who == "clinic staff":
        clients[who] = Client()
        clients[who].force_login(world.practitioner)
    response = clients[who].get(url)
    if who == "another patient":
        assert response.status_code == 404
    else:  # not a patient: to the sign-in page, nothing shown
        assert response.status_code == 302 and response["Location"] == reverse("patients:my_sign_in")
    assert not IntakeAccess.objects.filter(where="patients:my_care_plan").exists()


def test_an_unknown_plan_or_a_draft_is_a_404_and_a_plan_without_visits_says_so(world: World) -> None:
    jo = _patient_client("jo@example.com")
    assert jo.get(reverse("patients:my_care_plan", args=[uuid.uuid4()])).status_code == 404
    draft = plan_make(world, consultation_make(world), shape=SHAPE, send=False)
    assert jo.get(reverse("patients:my_care_plan", args=[draft.public_id])).status_code == 404
    sent = plan_make(world, draft.consultation, shape=SHAPE)  # type: ignore[arg-type]
    response = jo.get(reverse("patients:my_care_plan", args=[sent.public_id]))
    assert response.status_code == 200 and "No visit booked yet" in response.text
    assert "No check-in yet" in response.text
