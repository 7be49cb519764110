"""My PainHero once signed in: the appointments and intakes of the verified address, the access report, the
download of everything held, and the deletion."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

import patients.account_services as account_services
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services import appointment_book
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, World, book, patient
from patients.account import PatientAccount
from patients.models import Intake, IntakeAccess, Reader
from patients.services import intake_create
from patients.tests.conftest import lower_back
from patients.tests.test_account_sign_in import sign_in

EMAIL = "sam@example.com"


@pytest.fixture
def sam(world: World) -> dict[str, Any]:
    """Sam's history: a visit last week (completed, with a note), one booked for tomorrow through the booking
    service (with "Sam@Example.com": addresses match whatever their case), an intake given with the address,
    one linked to the past visit; and someone else's appointment and intake."""
    past = book(world, NOW - timedelta(days=7), patient_email=EMAIL, status=AppointmentStatus.COMPLETED)
    AppointmentEvent.objects.create(
        appointment=past, kind="rescheduled", at=NOW - timedelta(days=9), actor="patient", source="web",
        reason="my knee got worse",
    )  # fmt: skip
    upcoming = appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=SLOT,
        patient=patient(email="Sam@Example.com", note="Sciatica down the left leg"),
        now=NOW,
    ).appointment
    given = intake_create(answers=lower_back(), language="en", consent=True, now=NOW).intake
    Intake.objects.filter(pk=given.pk).update(patient_email="SAM@example.com")
    linked = intake_create(answers=lower_back(goals="Run a 10k"), language="en", consent=True, now=NOW).intake
    Intake.objects.filter(pk=linked.pk).update(appointment=past)
    IntakeAccess.objects.create(
        intake=linked, at=NOW - timedelta(days=6), reader=Reader.STAFF, user_id=world.practitioner.pk,
        role="practitioner", where="portal:intake",
    )  # fmt: skip
    others = book(world, SLOT + timedelta(hours=2), patient_email="other@example.com", note="Other's hip")
    theirs = intake_create(answers=lower_back(goals="Garden again"), language="en", consent=True, now=NOW).intake
    Intake.objects.filter(pk=theirs.pk).update(patient_email="other@example.com")
    outbox_sweep(now=NOW)
    mail.outbox.clear()
    return {"past": past, "upcoming": upcoming, "given": given, "linked": linked, "others": others, "theirs": theirs}


@pytest.fixture
def signed_in(client: Client, sam: dict[str, Any]) -> Client:
    sign_in(client, EMAIL)
    mail.outbox.clear()
    return client


def test_signed_out_visitors_and_staff_are_sent_to_the_sign_in_page(client: Client, world: World) -> None:
    from painhero.testing import client_for

    for visitor in (client, client_for(world.owner)):
        for path in ("/my/", "/my/download/", "/my/delete/"):
            assert visitor.get(path)["Location"] == "/my/sign-in/"


def test_the_page_shows_the_appointments_of_the_verified_address(signed_in: Client, sam: dict[str, Any]) -> None:
    html = signed_in.get("/my/").content.decode()
    upcoming, past = html.split("Upcoming appointments", 1)[1].split("Past and cancelled appointments", 1)
    assert "Alpha Physio" in upcoming and "10:00" in upcoming  # Toronto's wall clock, not UTC (15:00)
    assert "Booked" in upcoming and f"/appointments/{sam['upcoming'].manage_token}/" in upcoming
    assert "Completed" in past and f"/appointments/{sam['past'].manage_token}/" in past
    assert sam["others"].manage_token not in html and "Other" not in html


def test_the_page_lists_their_intakes_and_who_read_them_by_role(
    signed_in: Client, sam: dict[str, Any], world: World
) -> None:
    html = signed_in.get("/my/").content.decode()
    assert f"/my/intakes/{sam['given'].public_id}/" in html and f"/my/intakes/{sam['linked'].public_id}/" in html
    assert str(sam["theirs"].public_id) not in html
    report = html.split("Who has read your answers", 1)[1]
    # In words: the role's label; a page not in the report's list as recorded.
    assert "Clinic staff" in report and "Practitioner" in report and "portal:intake" in report
    assert world.practitioner.email not in html and "Chen" not in report
    # The list itself shows no answers, so reading it is no read of them.
    assert "Run a 10k" not in html
    assert not IntakeAccess.objects.filter(reader=Reader.PATIENT).exists()


def test_reading_their_own_intake_shows_the_answers_and_records_the_read(
    signed_in: Client, sam: dict[str, Any]
) -> None:
    response = signed_in.get(f"/my/intakes/{sam['linked'].public_id}/")
    html = response.content.decode()
    assert "Run a 10k" in html and "Tying my shoes: 3/10" in html and "Lower back" in html
    assert "Routine" in html
    assert "no-store" in response["Cache-Control"]
    read = IntakeAccess.objects.get(reader=Reader.PATIENT)
    assert (read.intake_id, read.where, read.at, read.user_id) == (sam["linked"].pk, "patients:my_intake", NOW, None)
    report = signed_in.get("/my/").content.decode().split("Who has read your answers", 1)[1]
    assert "The patient" in report and "My PainHero" in report and "patients:my_intake" not in report


def test_someone_elses_intake_is_a_404_and_no_read_is_recorded(signed_in: Client, sam: dict[str, Any]) -> None:
    assert signed_in.get(f"/my/intakes/{sam['theirs'].public_id}/").status_code == 404
    assert not IntakeAccess.objects.filter(intake=sam["theirs"]).exists()


def test_the_download_holds_everything_in_the_documented_shape(signed_in: Client, sam: dict[str, Any]) -> None:
    response = signed_in.get("/my/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-painhero-2026-12-07.json"'
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["format"] == "painhero.my-data/1"
    assert set(data) == {"format", "exported_at", "account", "appointments", "intakes", "consents", "accesses"}
    assert data["account"]["email"] == EMAIL
    notes = sorted(a["note"] for a in data["appointments"])
    assert notes == ["Sciatica down the left leg", "left knee since June"]
    assert {a["clinic"] for a in data["appointments"]} == {"Alpha Physio"}
    intakes = {i["id"]: i for i in data["intakes"]}
    assert set(intakes) == {str(sam["given"].public_id), str(sam["linked"].public_id)}
    assert intakes[str(sam["linked"].public_id)]["answers"]["goals"] == "Run a 10k"
    assert intakes[str(sam["linked"].public_id)]["triage"] == "routine"
    assert {c["what"] for c in data["consents"]} >= {"intake"}
    assert all(c["privacy_notice_version"] for c in data["consents"] if c["what"] == "intake")
    readers = [(a["reader"], a["role"], a["where"]) for a in data["accesses"]]
    # The practitioner's read, and this download's own reads (recorded before the report is written).
    assert ("staff", "practitioner", "portal:intake") in readers
    assert readers.count(("patient", "", "patients:my_download")) == 2
    assert "Garden again" not in response.content.decode()


def test_the_delete_page_changes_nothing_until_confirmed(signed_in: Client, sam: dict[str, Any]) -> None:
    html = signed_in.get("/my/delete/").content.decode()
    assert 'method="post"' in html and "Delete my data</button>" in html
    assert Intake.objects.count() == 3 and PatientAccount.objects.count() == 1
    assert Appointment.objects.get(pk=sam["upcoming"].pk).status == AppointmentStatus.BOOKED


def test_deleting_erases_the_health_information_cancels_what_is_ahead_and_signs_out(
    signed_in: Client, sam: dict[str, Any]
) -> None:
    response = signed_in.post("/my/delete/")
    assert response.status_code == 200
    assert "Your data is deleted" in response.content.decode()
    # Nothing of what Sam told us remains: no intake, no read of one, no note, no reason given for a change.
    assert list(Intake.objects.all()) == [sam["theirs"]]
    assert not IntakeAccess.objects.exclude(intake=sam["theirs"]).exists()
    past = Appointment.objects.get(pk=sam["past"].pk)
    upcoming = Appointment.objects.get(pk=sam["upcoming"].pk)
    assert (past.status, past.note, past.patient_email) == (AppointmentStatus.COMPLETED, "", EMAIL)
    assert (upcoming.status, upcoming.note) == (AppointmentStatus.CANCELLED, "")
    assert not AppointmentEvent.objects.filter(appointment__in=[past, upcoming]).exclude(reason="").exists()
    assert upcoming.events.filter(kind="cancelled", actor="patient").exists()
    # Someone else's data is untouched.
    assert Appointment.objects.get(pk=sam["others"].pk).note == "Other's hip"
    # The account is gone and the browser is signed out.
    assert not PatientAccount.objects.exists()
    assert signed_in.get("/my/")["Location"] == "/my/sign-in/"
    # The usual cancellation email goes to the patient.
    outbox_sweep(now=NOW)
    [email] = mail.outbox
    assert email.to == ["Sam@Example.com"] and "cancelled" in email.subject
    assert "Sciatica" not in str(email.body)


def test_an_appointment_too_close_to_cancel_online_stays_booked_without_its_note(
    client: Client, sam: dict[str, Any], time_machine: Any
) -> None:
    time_machine.move_to(SLOT - timedelta(hours=2), tick=False)  # inside the clinic's 24-hour window
    sign_in(client, EMAIL)
    page = client.get("/my/delete/").content.decode()
    assert "too late to cancel the one at Alpha Physio online" in page
    html = client.post("/my/delete/").content.decode()
    assert "call the clinic to cancel" in html
    upcoming = Appointment.objects.get(pk=sam["upcoming"].pk)
    assert (upcoming.status, upcoming.note) == (AppointmentStatus.BOOKED, "")


def test_a_failure_halfway_through_the_deletion_leaves_everything_as_it_was(
    signed_in: Client, sam: dict[str, Any], monkeypatch: Any
) -> None:
    def cancel_then_fail(**kwargs: Any) -> Any:
        Appointment.objects.filter(pk=kwargs["appointment"].pk).update(status=AppointmentStatus.CANCELLED)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(account_services, "appointment_cancel", cancel_then_fail)
    signed_in.raise_request_exception = False
    assert signed_in.post("/my/delete/").status_code == 500
    assert Intake.objects.count() == 3 and PatientAccount.objects.count() == 1
    assert Appointment.objects.get(pk=sam["upcoming"].pk).status == AppointmentStatus.BOOKED
    assert Appointment.objects.get(pk=sam["past"].pk).note == "left knee since June"


def test_a_busy_calendar_during_the_deletion_is_a_503_that_changed_nothing(
    signed_in: Client, sam: dict[str, Any], monkeypatch: Any
) -> None:
    from booking.errors import Busy

    def busy(**kwargs: Any) -> Any:
        raise Busy

    monkeypatch.setattr(account_services, "appointment_cancel", busy)
    response = signed_in.post("/my/delete/")
    assert response.status_code == 503
    assert "Nothing was deleted yet." in response.content.decode()
    assert Intake.objects.count() == 3 and PatientAccount.objects.count() == 1
    assert signed_in.get("/my/").status_code == 200


def test_a_past_completed_visit_offers_its_review_and_a_complaint_and_an_upcoming_one_neither(
    signed_in: Client, sam: dict[str, Any]
) -> None:
    html = signed_in.get("/my/").content.decode()
    upcoming, past = html.split("Upcoming appointments", 1)[1].split("Past and cancelled appointments", 1)
    token = sam["past"].manage_token
    assert f"/appointments/{token}/review/" in past and f"/appointments/{token}/complaint/" in past
    assert "/review/" not in upcoming and "/complaint/" not in upcoming
