"""The therapist's way: the consultations list, writing a plan from a template, the preview and sending it."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications.services import outbox_sweep
from painhero.testing import World, client_for
from patients.careplan_models import CarePlan, CarePlanStatus, CarePlanTemplate
from patients.careplan_testing import consultation_make, plan_make
from patients.models import IntakeAccess


def _form(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "condition": "lower_back",
        "impression": "Mechanical low back pain",
        "goals": "Sit an hour",
        "home_exercises": "Walk daily",
        "outcome_measures": ["nprs", "psfs", "groc"],
        "cost_estimate": "900.00",
        "insurance_note": "Most plans cover part",
        "phase-TOTAL_FORMS": "3",
        "phase-INITIAL_FORMS": "0",
        "phase-MIN_NUM_FORMS": "1",
        "phase-MAX_NUM_FORMS": "6",
    }
    for n, (per_week, weeks) in enumerate(((3, 2), (2, 2), (1, 2))):
        data.update(
            {
                f"phase-{n}-visits_per_week": str(per_week),
                f"phase-{n}-weeks": str(weeks),
                f"phase-{n}-service": str(world.service.pk),
                f"phase-{n}-practitioner": str(world.chen.pk),
            }
        )
    data.update(changes)
    return data


def test_the_consultations_list_shows_free_consultations_and_a_write_link_for_their_practitioner(
    world: World, practitioner_client: Client
) -> None:
    consultation = consultation_make(world)
    response = practitioner_client.get(reverse("portal:consultations", args=[world.clinic.pk]))
    assert response.status_code == 200
    assert "Jo Tremblay" in response.text
    assert reverse("portal:careplan_new", args=[world.clinic.pk, consultation.pk]) in response.text
    assert response["Cache-Control"] == "private, no-store"


def test_the_desk_sees_the_list_but_cannot_write_a_plan(world: World, colleague_client: Client) -> None:
    consultation = consultation_make(world)
    listed = colleague_client.get(reverse("portal:consultations", args=[world.clinic.pk]))
    assert "Jo Tremblay" in listed.text
    assert reverse("portal:careplan_new", args=[world.clinic.pk, consultation.pk]) not in listed.text
    url = reverse("portal:careplan_new", args=[world.clinic.pk, consultation.pk])
    assert colleague_client.get(url).status_code == 404
    assert colleague_client.post(url, _form(world)).status_code == 404
    assert not CarePlan.objects.exists()


def test_another_clinic_reaches_nothing(world: World) -> None:
    consultation = consultation_make(world)
    outsider = client_for(world.outsider)
    assert outsider.get(reverse("portal:consultations", args=[world.clinic.pk])).status_code == 404
    plan = plan_make(world, consultation, send=False)
    for name, args in (
        ("portal:careplan_new", [world.other_clinic.pk, consultation.pk]),
        ("portal:careplan_detail", [world.other_clinic.pk, plan.pk]),
    ):
        assert outsider.get(reverse(name, args=args)).status_code == 404
    assert outsider.post(reverse("portal:careplan_send", args=[world.other_clinic.pk, plan.pk])).status_code == 404
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.DRAFT


def test_writing_a_plan_reads_the_intake_and_records_the_read(world: World, practitioner_client: Client) -> None:
    consultation = consultation_make(world)
    template = CarePlanTemplate.objects.get(clinic=None, condition="lower_back", language="en")
    url = reverse("portal:careplan_new", args=[world.clinic.pk, consultation.pk])
    response = practitioner_client.get(url, {"template": template.pk})
    assert response.status_code == 200
    assert "Tying my shoes" in response.text, "the intake's answers beside the form"
    assert template.goals in response.text, "the template fills the form"
    access = IntakeAccess.objects.get()
    assert (access.where, access.user_id, access.reader) == ("portal:careplan_new", world.practitioner.pk, "staff")


def test_a_tapering_plan_is_saved_with_its_phases_then_sent_by_email_without_health_in_the_subject(
    world: World, practitioner_client: Client
) -> None:
    consultation = consultation_make(world)
    url = reverse("portal:careplan_new", args=[world.clinic.pk, consultation.pk])
    response = practitioner_client.post(url, _form(world))
    plan = CarePlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:careplan_detail", args=[world.clinic.pk, plan.pk])
    assert [(p.visits_per_week, p.weeks) for p in plan.phases.all()] == [(3, 2), (2, 2), (1, 2)]
    assert plan.expected_visits == 12 and plan.cost_estimate_cents == 90000
    assert plan.intake is not None and plan.status == CarePlanStatus.DRAFT

    preview = practitioner_client.get(response["Location"])
    assert "Mechanical low back pain" in preview.text
    sent = practitioner_client.post(reverse("portal:careplan_send", args=[world.clinic.pk, plan.pk]))
    assert sent.status_code == 302
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.SENT and plan.sent_at is not None
    mail.outbox.clear()
    assert outbox_sweep() >= 1
    [email] = [m for m in mail.outbox if "jo@example.com" in m.to]
    assert "low back" not in email.subject.lower() and "Mechanical" not in email.subject
    assert "Alpha Physio" in email.subject
    assert "/care-plan/" in email.body
    assert "Mechanical" not in email.body, "the plan's health information stays behind the link"


def test_a_plan_of_more_than_36_visits_is_refused_naming_the_problem(world: World, practitioner_client: Client) -> None:
    consultation = consultation_make(world)
    url = reverse("portal:careplan_new", args=[world.clinic.pk, consultation.pk])
    data = _form(world, **{"phase-0-visits_per_week": "5", "phase-0-weeks": "6"})  # 30 + 4 + 2 = 36: fine
    assert practitioner_client.post(url, data).status_code == 302
    data = _form(world, **{"phase-0-visits_per_week": "5", "phase-0-weeks": "7"})
    response = practitioner_client.post(url, data)
    assert response.status_code == 422
    assert "at most 36" in response.text
    assert CarePlan.objects.count() == 1
