"""Outcomes in the portal: the practitioner records a visit's check-in, the chart on the consultation and care-plan
pages, and the clinic's Outcomes page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Appointment, AppointmentStatus
from painhero.testing import World, at, book, client_for
from patients.careplan_testing import consultation_make, plan_make
from patients.models import CheckInBy, Intake, IntakeAccess, OutcomeCheckIn
from portal.models import AuditEntry

VALID = {"nprs": "3", "psfs_1": "6", "psfs_2": "7", "groc": "2"}


@pytest.fixture
def follow_up(world: World) -> Appointment:
    """Jo's free consultation yesterday (intake: pain 6, two activities), and a treatment with chen today at 10:00."""
    consultation_make(world)
    return book(world, at(10), patient_name="Jo Tremblay", patient_email="jo@example.com")


def _url(clinic_id: int, appointment: Appointment) -> str:
    return reverse("portal:appointment_checkin", args=[clinic_id, appointment.pk])


def test_the_practitioner_sees_the_form_with_the_patients_own_activities_and_the_read_is_recorded(
    world: World, practitioner_client: Client, follow_up: Appointment
) -> None:
    response = practitioner_client.get(_url(world.clinic.pk, follow_up))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Tying my shoes" in response.text and "Sitting an hour" in response.text
    assert 'name="groc"' in response.text
    access = IntakeAccess.objects.get(where="portal:appointment_checkin")
    assert access.user_id == world.practitioner.pk and access.role == "practitioner"
    assert not OutcomeCheckIn.objects.exists(), "a GET records nothing but the read"


def test_recording_writes_the_check_in_as_the_clinics_with_an_audit_entry_and_the_chart_shows_it(
    world: World, practitioner_client: Client, follow_up: Appointment
) -> None:
    response = practitioner_client.post(_url(world.clinic.pk, follow_up), VALID)
    assert response.status_code == 302
    checkin = OutcomeCheckIn.objects.get()
    assert (checkin.nprs, checkin.psfs_1, checkin.psfs_2, checkin.psfs_3, checkin.groc) == (3, 6, 7, None, 2)
    assert checkin.recorded_by == CheckInBy.STAFF and checkin.recorded_by_user_id == world.practitioner.pk
    assert checkin.appointment_id == follow_up.pk
    entry = AuditEntry.objects.get(action="health_info.checkin_recorded")
    assert entry.clinic_id == world.clinic.pk and entry.object_id == str(follow_up.pk)
    assert entry.changes == {"appointment_id": follow_up.pk, "checkin_id": checkin.pk}, "no value in the audit"

    page = practitioner_client.get(response["Location"])
    assert "This visit's check-in is recorded." in page.text
    assert "Recorded by the clinic." in page.text
    assert 'name="nprs"' not in page.text, "no second form once recorded"
    # Pain 6 -> 3 is down 3 points: meaningful at the first check-in; the table says the same.
    assert 'data-meaningful-index="1"' in page.text
    assert "Yes, from here" in page.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nprs": "11"}, "nprs", "Choose a number from 0 to 10."),
        ({"nprs": "-1"}, "nprs", "Choose a number from 0 to 10."),
        ({"nprs": "seven"}, "nprs", "Choose a number from 0 to 10."),
        ({"psfs_2": ""}, "psfs_2", "Choose a number from 0 to 10."),
        ({"groc": "5"}, "groc", "Choose how you are compared with the start."),
    ],
)
def test_a_value_out_of_range_answers_422_naming_what_to_fix_and_writes_nothing(
    world: World, practitioner_client: Client, follow_up: Appointment, changes: dict[str, str], field: str, message: str
) -> None:
    response = practitioner_client.post(_url(world.clinic.pk, follow_up), {**VALID, **changes})
    assert response.status_code == 422
    assert message in response.text
    assert field in response.context["form"].errors
    assert not OutcomeCheckIn.objects.filter(taken_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="health_info.checkin_recorded").exists()


def test_an_empty_post_names_every_question(world: World, practitioner_client: Client, follow_up: Appointment) -> None:
    response = practitioner_client.post(_url(world.clinic.pk, follow_up), {})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"nprs", "psfs_1", "psfs_2", "groc"}


def test_another_clinic_a_colleagues_visit_the_desk_and_the_owner_reach_nothing(
    world: World, practitioner_client: Client, colleague_client: Client, owner_client: Client, follow_up: Appointment
) -> None:
    lee_visit = book(world, at(11), practitioner=world.lee, patient_email="jo@example.com")
    other_visit = book(world, at(10), practitioner=world.other_practitioner, patient_email="jo@example.com")
    outsider = client_for(world.outsider)
    tries: list[tuple[Client, str]] = [
        (outsider, _url(world.clinic.pk, follow_up)),  # not staff of the clinic
        (outsider, _url(world.other_clinic.pk, follow_up)),  # their own clinic, our visit's id
        (practitioner_client, _url(world.other_clinic.pk, other_visit)),  # another clinic's visit
        (practitioner_client, _url(world.clinic.pk, other_visit)),  # another clinic's visit under ours
        (practitioner_client, _url(world.clinic.pk, lee_visit)),  # a colleague's patient
        (colleague_client, _url(world.clinic.pk, follow_up)),  # the front desk
        (owner_client, _url(world.clinic.pk, follow_up)),  # the owner
    ]
    for client, url in tries:
        assert client.get(url).status_code == 404, url
        assert client.post(url, VALID).status_code == 404, url
    assert not OutcomeCheckIn.objects.exists()
    assert not IntakeAccess.objects.filter(where="portal:appointment_checkin").exists()
    assert not AuditEntry.objects.filter(action="health_info.checkin_recorded").exists()


def test_signed_out_goes_to_sign_in(world: World, follow_up: Appointment) -> None:
    response = Client().get(_url(world.clinic.pk, follow_up))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


@pytest.mark.parametrize(
    ("status", "days", "message"),
    [
        (AppointmentStatus.CANCELLED, 0, "This visit was cancelled"),
        (AppointmentStatus.NO_SHOW, 0, "The patient did not come to this visit"),
        (AppointmentStatus.BOOKED, 1, "This visit is on a later day"),
    ],
)
def test_a_cancelled_missed_or_later_visit_has_no_check_in(
    world: World, practitioner_client: Client, status: str, days: int, message: str
) -> None:
    consultation_make(world)
    visit = book(world, at(10, days=days), patient_email="jo@example.com", status=status)
    url = _url(world.clinic.pk, visit)
    page = practitioner_client.get(url)
    assert page.status_code == 200 and message in page.text and 'name="nprs"' not in page.text
    response = practitioner_client.post(url, VALID)
    assert response.status_code == 409
    assert message in response.text
    assert not OutcomeCheckIn.objects.filter(taken_at__isnull=False).exists()


def test_a_visit_already_checked_in_answers_409_and_keeps_the_first(
    world: World, practitioner_client: Client, follow_up: Appointment
) -> None:
    url = _url(world.clinic.pk, follow_up)
    assert practitioner_client.post(url, VALID).status_code == 302
    again = practitioner_client.post(url, {**VALID, "nprs": "9"})
    assert again.status_code == 409
    assert OutcomeCheckIn.objects.get().nprs == 3


def test_without_a_pain_score_to_start_from_there_is_nothing_to_record(
    world: World, practitioner_client: Client
) -> None:
    visit = book(world, at(10), patient_email="nobody@example.com")
    page = practitioner_client.get(_url(world.clinic.pk, visit))
    assert page.status_code == 200
    assert "Nothing to measure against yet." in page.text
    assert practitioner_client.post(_url(world.clinic.pk, visit), VALID).status_code == 409
    assert not OutcomeCheckIn.objects.exists()


def test_the_day_view_links_the_check_in_for_the_practitioner_only(
    world: World, practitioner_client: Client, colleague_client: Client, follow_up: Appointment
) -> None:
    url = _url(world.clinic.pk, follow_up)
    assert url in practitioner_client.get(reverse("portal:today", args=[world.clinic.pk])).text
    assert url not in colleague_client.get(reverse("portal:today", args=[world.clinic.pk])).text


def test_the_consultation_page_shows_the_progress_chart_and_its_table(
    world: World, practitioner_client: Client, follow_up: Appointment
) -> None:
    practitioner_client.post(_url(world.clinic.pk, follow_up), VALID)
    consultation = Appointment.objects.get(service__kind="free_consultation")
    page = practitioner_client.get(reverse("portal:appointment_consultation", args=[world.clinic.pk, consultation.pk]))
    assert page.status_code == 200
    assert '<figure class="outcome-progress"' in page.text
    assert "The same figures as a table" in page.text
    assert "Check-in 1" in page.text


def test_the_care_plan_page_shows_the_progress_and_records_the_read(
    world: World, practitioner_client: Client, colleague_client: Client
) -> None:
    consultation = consultation_make(world)
    plan = plan_make(world, consultation, send=False)
    assert plan.intake_id == Intake.objects.get().pk
    visit = book(world, at(10), patient_email="jo@example.com")
    practitioner_client.post(_url(world.clinic.pk, visit), VALID)
    url = reverse("portal:careplan_detail", args=[world.clinic.pk, plan.pk])
    page = practitioner_client.get(url)
    assert page.status_code == 200
    assert '<figure class="outcome-progress"' in page.text and "Check-in 1" in page.text
    assert IntakeAccess.objects.filter(where="portal:careplan_detail", user_id=world.practitioner.pk).count() == 1
    assert colleague_client.get(url).status_code == 404
    assert IntakeAccess.objects.filter(where="portal:careplan_detail").count() == 1


def test_the_outcomes_page_says_so_when_there_is_no_one_to_count(world: World, owner_client: Client) -> None:
    page = owner_client.get(reverse("portal:outcomes", args=[world.clinic.pk]))
    assert page.status_code == 200
    assert "No new patients to count yet." in page.text
    assert 'aria-current="page"' in page.text and ">Outcomes</a>" in page.text


def test_the_outcomes_page_shows_the_clinics_shares_with_counts(
    world: World, owner_client: Client, practitioner_client: Client, time_machine: Any
) -> None:
    consultation_make(world)  # Jo: first visit yesterday, a baseline
    book(world, at(9), patient_email="ben@example.com", status=AppointmentStatus.COMPLETED)  # Ben: no intake
    visit = book(world, at(10), patient_email="jo@example.com")
    practitioner_client.post(_url(world.clinic.pk, visit), VALID)  # Jo: meaningfully better at visit 2
    time_machine.move_to(at(12), tick=False)
    page = owner_client.get(reverse("portal:outcomes", args=[world.clinic.pk]))
    assert page.status_code == 200
    outcomes = page.context["outcomes"]
    by_label = {share.label: (share.count, share.of, share.percent) for share in outcomes.shares}
    assert by_label == {
        "Baseline captured": (1, 2, 50),
        "Follow-up captured": (0, 2, 0),  # visit 2 is not a follow-up (4th-6th visit, or discharge)
        "Meaningful change": (1, 2, 50),
    }
    assert "1 of 2" in page.text and "50%" in page.text
    assert "No new patients to count yet." not in page.text


def test_the_outcomes_page_is_for_the_owner_and_practitioners_of_the_clinic(
    world: World, practitioner_client: Client, colleague_client: Client
) -> None:
    url = reverse("portal:outcomes", args=[world.clinic.pk])
    assert practitioner_client.get(url).status_code == 200
    assert colleague_client.get(url).status_code == 404
    assert url not in colleague_client.get(reverse("portal:today", args=[world.clinic.pk])).text
    assert client_for(world.outsider).get(url).status_code == 404


def test_the_free_consultation_itself_has_no_check_in(world: World, practitioner_client: Client) -> None:
    consultation = consultation_make(world, start=at(9))
    url = _url(world.clinic.pk, consultation)
    assert "where the start is measured" in practitioner_client.get(url).text
    assert practitioner_client.post(url, VALID).status_code == 409
    assert not OutcomeCheckIn.objects.exists()
    assert url not in practitioner_client.get(reverse("portal:today", args=[world.clinic.pk])).text


def test_a_failure_halfway_leaves_no_check_in_and_no_audit(
    world: World, practitioner_client: Client, follow_up: Appointment, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portal.services.outcomes as service

    def broken(**_: Any) -> None:
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr(service, "audit_record", broken)
    with pytest.raises(RuntimeError):
        practitioner_client.post(_url(world.clinic.pk, follow_up), VALID)
    assert not OutcomeCheckIn.objects.filter(taken_at__isnull=False).exists()
