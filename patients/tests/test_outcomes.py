"""Outcome check-ins: the database refuses values out of range, the meaningful-change rule, the one-time link from
the emailed invitation, the chart marking the right point, the clinic's shares, and a licensed measure registered."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from booking.models import Appointment, AppointmentStatus
from booking.services import appointment_book
from notifications.services import outbox_sweep
from painhero.redact import url_redact
from painhero.testing import NOW, SLOT, World, patient
from patients.models import CheckInBy, Intake, IntakeAccess, OutcomeCheckIn, Reader
from patients.outcomes import (
    CHECKIN_LEAD,
    NPRS,
    PSFS,
    Measure,
    checkin_invite,
    clinic_outcome_metrics,
    measures_for,
    outcome_progress,
)
from patients.outcomes_checkins import LINK_VALID_AFTER_START
from patients.services import intake_create
from patients.templatetags.outcomes import chart_context
from patients.tests.conftest import lower_back

LINK = re.compile(r"https?://[^\s\"<]+/check-in/([A-Za-z0-9_-]+)/")


# Days the world's clinic is closed between SLOT and the new year: weekends, and these holidays in Ontario.
_CLOSED = {(12, 25), (12, 26), (12, 28), (1, 1)}


def _working_day(days: int) -> timedelta:
    """SLOT's offset to the ``days``-th working day after it (the world works Monday to Friday)."""
    offset, left = 0, days
    while left:
        offset += 1
        day = (SLOT + timedelta(days=offset)).date()
        if day.weekday() < 5 and (day.month, day.day) not in _CLOSED:
            left -= 1
    return timedelta(days=offset)


def visit(world: World, days: int, *, email: str = "patient1@example.com", token: str = "") -> Appointment:
    """A visit at SLOT's time ``days`` working days after SLOT."""
    return appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=SLOT + _working_day(days),
        patient=patient(email=email),
        now=NOW,
        intake_token=token,
    ).appointment


@pytest.fixture
def first_visit(world: World) -> tuple[Intake, Appointment]:
    created = intake_create(answers=lower_back(pain_now=6), language="en", consent=True, now=NOW)
    return created.intake, visit(world, 0, token=created.token)


def record(intake: Intake, appointment: Appointment | None, *, nprs: int, psfs: list[int], groc: int = 1) -> Any:
    values = dict(zip(["psfs_1", "psfs_2", "psfs_3"], psfs, strict=False))
    return OutcomeCheckIn.objects.create(
        intake=intake,
        appointment=appointment,
        created_at=NOW,
        taken_at=appointment.start if appointment else NOW,
        nprs=nprs,
        groc=groc,
        recorded_by=CheckInBy.PATIENT,
        **values,
    )


# --- The database --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"nprs": 11},
        {"nprs": -1},
        {"psfs_1": 11},
        {"psfs_3": -1},
        {"groc": 4},
        {"groc": -4},
        {"nprs": None},  # recorded without pain now
        {"recorded_by": ""},  # recorded without saying by whom
        {"recorded_by": CheckInBy.STAFF},  # staff without their id
    ],
)
def test_the_database_refuses_a_check_in_out_of_range_or_half_recorded(
    first_visit: tuple[Intake, Appointment], values: dict[str, Any]
) -> None:
    intake, _appointment = first_visit
    row: dict[str, Any] = {"nprs": 4, "groc": 1, "psfs_1": 5, "recorded_by": CheckInBy.PATIENT, **values}
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeCheckIn.objects.create(intake=intake, created_at=NOW, taken_at=NOW, **row)


def test_the_database_refuses_values_on_a_check_in_not_yet_recorded(first_visit: tuple[Intake, Appointment]) -> None:
    intake, _appointment = first_visit
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeCheckIn.objects.create(intake=intake, created_at=NOW, nprs=3)


def test_one_check_in_per_visit_and_intake(first_visit: tuple[Intake, Appointment]) -> None:
    intake, appointment = first_visit
    OutcomeCheckIn.objects.create(intake=intake, appointment=appointment, created_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeCheckIn.objects.create(intake=intake, appointment=appointment, created_at=NOW)


# --- The rule ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "value", "meaningful"),
    [
        (6, 4, True),  # down 2 points
        (6, 5, False),  # down 1 point (17 %)
        (3, 2, True),  # down 1 point, 33 %
        (10, 8, True),
        (10, 9, False),  # 10 %
        (0, 0, False),
        (4, 6, False),  # worse
    ],
)
def test_pain_is_meaningfully_better_down_2_points_or_30_percent(baseline: int, value: int, meaningful: bool) -> None:
    assert NPRS.meaningful(baseline, value) is meaningful


@pytest.mark.parametrize(("baseline", "value", "meaningful"), [(3.5, 5.5, True), (3.5, 5.4, False), (5, 3, False)])
def test_the_activities_are_meaningfully_better_up_2_points(baseline: float, value: float, meaningful: bool) -> None:
    assert PSFS.meaningful(baseline, value) is meaningful


def test_progress_starts_at_the_intake_and_marks_the_first_meaningful_check_in(
    world: World, first_visit: tuple[Intake, Appointment]
) -> None:
    intake, _appointment = first_visit  # pain 6, activities 3 and 4 (average 3.5)
    record(intake, visit(world, 2), nprs=5, psfs=[4, 4])  # -1 pain, +0.5: not yet
    record(intake, visit(world, 4), nprs=4, psfs=[4, 5])  # -2 pain: meaningful here
    record(intake, visit(world, 7), nprs=2, psfs=[7, 8])
    progress = outcome_progress(intake)
    assert [(p.nprs, p.psfs) for p in progress.points] == [(6, 3.5), (5, 4.0), (4, 4.5), (2, 7.5)]
    assert progress.points[0].baseline
    assert progress.meaningful_index == 2
    assert progress.points[2].nprs_meaningful and not progress.points[2].psfs_meaningful


def test_the_chart_marks_the_meaningful_point_with_a_labelled_line_and_a_table_row(
    world: World, first_visit: tuple[Intake, Appointment]
) -> None:
    intake, _appointment = first_visit
    record(intake, visit(world, 2), nprs=6, psfs=[3, 4])
    record(intake, visit(world, 4), nprs=5, psfs=[6, 6])  # activities +2.5: meaningful here
    context = chart_context(outcome_progress(intake))
    assert context["meaningful_x"] == context["xlabels"][2]["x"]
    assert [row["meaningful"] for row in context["rows"]] == [False, False, True]

    from django.template import Context, Template

    html = Template("{% load outcomes %}{% outcome_progress intake %}").render(Context({"intake": intake}))
    assert 'data-meaningful-index="2"' in html
    assert "<title" in html and "<desc" in html and "<table" in html
    assert html.count("<circle") == 3 and html.count("<rect") == 3  # pain and activities, shapes not colours
    assert f'x1="{context["xlabels"][2]["x"]:.1f}"' in html  # the meaningful line stands at the third point
    assert html.count("Yes, from here") == 1


def test_the_chart_says_so_when_nothing_is_meaningful_yet(first_visit: tuple[Intake, Appointment]) -> None:
    intake, _appointment = first_visit
    context = chart_context(outcome_progress(intake))
    assert context["meaningful_x"] is None
    assert str(context["summary"]) == "No meaningful change yet."


# --- The invitation and the one-time link ----------------------------------------------------------------------


def _deliver_invitation(time_machine: Any, appointment: Appointment) -> str:
    time_machine.move_to(appointment.start - CHECKIN_LEAD, tick=False)
    mail.outbox.clear()
    outbox_sweep()
    [email] = [m for m in mail.outbox if "check-in" in str(m.body)]
    found = LINK.search(str(email.body))
    assert found
    return found.group(1)


def test_the_invitation_leaves_once_hours_before_the_visit_without_health_in_its_subject(
    world: World, first_visit: tuple[Intake, Appointment], time_machine: Any
) -> None:
    intake, _first = first_visit
    second = visit(world, 3)
    checkin = checkin_invite(appointment=second, intake=intake, now=NOW)
    assert checkin is not None and checkin.taken_at is None
    assert checkin_invite(appointment=second, intake=intake, now=NOW) == checkin  # again: the same, nothing more

    time_machine.move_to(second.start - CHECKIN_LEAD - timedelta(minutes=1), tick=False)
    mail.outbox.clear()
    outbox_sweep()
    assert not [m for m in mail.outbox if "check-in" in str(m.body)], "not before its time"

    token = _deliver_invitation(time_machine, second)
    [email] = [m for m in mail.outbox if "check-in" in str(m.body)]
    assert email.to == ["patient1@example.com"]
    assert "Alpha Physio" in email.subject and "10:00" in email.subject  # the clinic's wall clock
    for word in ("pain", "back", "Tying", "shoes", "6/10"):
        assert word not in email.subject
    assert str(OutcomeCheckIn.objects.get().token_hash) not in str(email.body) and token not in str(
        OutcomeCheckIn.objects.get().token_hash
    )
    outbox_sweep()
    assert len([m for m in mail.outbox if "check-in" in str(m.body)]) == 1, "sent once"


def test_the_invitation_is_in_the_patients_language(world: World, time_machine: Any) -> None:
    created = intake_create(answers=lower_back(), language="fr", consent=True, now=NOW)
    appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=SLOT,
        patient=patient(),
        now=NOW,
        intake_token=created.token,
        language="fr",
    )
    second = appointment_book(
        practitioner=world.chen,
        service=world.service,
        start=SLOT + timedelta(days=2),
        patient=patient(),
        now=NOW,
        language="fr",
    ).appointment
    checkin_invite(appointment=second, intake=created.intake, now=NOW)
    time_machine.move_to(second.start - CHECKIN_LEAD, tick=False)
    mail.outbox.clear()
    outbox_sweep()
    [email] = [m for m in mail.outbox if "/check-in/" in str(m.body)]
    assert "/fr/check-in/" in str(email.body)


def test_no_invitation_without_a_baseline_for_another_patient_or_a_cancelled_visit(
    world: World, first_visit: tuple[Intake, Appointment]
) -> None:
    intake, _first = first_visit
    stranger = visit(world, 3, email="someone.else@example.com")
    assert checkin_invite(appointment=stranger, intake=intake, now=NOW) is None
    mine = visit(world, 4)
    Appointment.objects.filter(pk=mine.pk).update(status=AppointmentStatus.CANCELLED)
    mine.refresh_from_db()
    assert checkin_invite(appointment=mine, intake=intake, now=NOW) is None
    no_pain = intake_create(answers=lower_back(), language="en", consent=True, now=NOW).intake
    no_pain.answers.pop("pain_now")
    no_pain.save()
    assert checkin_invite(appointment=visit(world, 5), intake=no_pain, now=NOW) is None
    assert not OutcomeCheckIn.objects.exists()


def test_the_link_opens_the_form_records_once_and_then_opens_nothing(
    world: World, first_visit: tuple[Intake, Appointment], time_machine: Any
) -> None:
    intake, _first = first_visit
    second = visit(world, 3)
    checkin_invite(appointment=second, intake=intake, now=NOW)
    token = _deliver_invitation(time_machine, second)
    client = Client()

    page = client.get(f"/check-in/{token}/")
    assert page.status_code == 200
    assert "Tying my shoes" in page.content.decode() and "Sitting an hour" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert OutcomeCheckIn.objects.get().taken_at is None, "a GET records nothing and spends nothing"
    assert client.get(f"/check-in/{token}/").status_code == 200

    bad = client.post(f"/check-in/{token}/", {"nprs": "11", "psfs_1": "5", "psfs_2": "5", "groc": "2"})
    assert bad.status_code == 422 and OutcomeCheckIn.objects.get().taken_at is None

    answers = {"nprs": "3", "psfs_1": "6", "psfs_2": "7", "groc": "2"}
    done = client.post(f"/check-in/{token}/", answers)
    assert done.status_code == 302 and done["Location"] == "/check-in/thanks/"
    checkin = OutcomeCheckIn.objects.get()
    assert (checkin.nprs, checkin.psfs, checkin.groc, checkin.recorded_by) == (3, [6, 7, None], 2, CheckInBy.PATIENT)
    assert checkin.token_hash is None

    thanks = client.get("/check-in/thanks/")
    assert thanks.status_code == 200 and "<svg" in thanks.content.decode()
    assert 'data-meaningful-index="1"' in thanks.content.decode()  # pain 6 -> 3

    assert Client().post(f"/check-in/{token}/", {**answers, "nprs": "0"}).status_code == 404
    assert client.get(f"/check-in/{token}/").status_code == 404
    assert OutcomeCheckIn.objects.get().nprs == 3
    assert Client().get("/check-in/thanks/").status_code == 404, "another browser sees nothing"


def test_the_link_expires_hours_after_the_visit(
    world: World, first_visit: tuple[Intake, Appointment], time_machine: Any
) -> None:
    intake, _first = first_visit
    second = visit(world, 3)
    checkin_invite(appointment=second, intake=intake, now=NOW)
    token = _deliver_invitation(time_machine, second)
    time_machine.move_to(second.start + LINK_VALID_AFTER_START, tick=False)
    assert Client().get(f"/check-in/{token}/").status_code == 404


def test_the_patients_reads_through_the_link_are_recorded(
    world: World, first_visit: tuple[Intake, Appointment], time_machine: Any
) -> None:
    intake, _first = first_visit
    second = visit(world, 3)
    checkin_invite(appointment=second, intake=intake, now=NOW)
    token = _deliver_invitation(time_machine, second)
    Client().get(f"/check-in/{token}/")
    assert list(IntakeAccess.objects.filter(intake=intake).values_list("reader", "where")) == [
        (Reader.PATIENT, "patients:checkin")
    ]


def test_the_check_in_link_is_redacted_in_log_lines() -> None:
    assert url_redact("/check-in/abcdefghijklmnopqrstuvwxyz/") == "/check-in/[redacted]/"
    assert url_redact("/fr/check-in/abcdefghijklmnopqrstuvwxyz/") == "/fr/check-in/[redacted]/"


# --- The clinic's figures --------------------------------------------------------------------------------------


def test_the_clinics_shares_of_baseline_follow_up_and_meaningful_change(world: World, time_machine: Any) -> None:
    # Patient 1: intake, visits 1-5, a check-in at visit 4 that is meaningful (pain 6 -> 3).
    one = intake_create(answers=lower_back(pain_now=6), language="en", consent=True, now=NOW)
    visits = [visit(world, 0, token=one.token)] + [visit(world, d) for d in (1, 2, 3, 4)]
    record(one.intake, visits[1], nprs=5, psfs=[3, 4])
    record(one.intake, visits[3], nprs=3, psfs=[4, 4])
    # Patient 2: intake, two visits, a check-in at visit 2 (not a follow-up: not 4-6, not discharged), no change.
    two = intake_create(answers=lower_back(pain_now=5), language="en", consent=True, now=NOW)
    visit(world, 7, email="two@example.com", token=two.token)
    record(two.intake, visit(world, 8, email="two@example.com"), nprs=5, psfs=[3, 4])
    # Patients 3 and 4: no intake.
    visit(world, 9, email="three@example.com")
    visit(world, 10, email="four@example.com")
    # Another clinic's patient with everything: not counted here.
    time_machine.move_to(NOW + timedelta(days=30), tick=False)

    metrics = clinic_outcome_metrics(world.clinic, now=NOW + timedelta(days=30))
    assert (metrics.new_patients, metrics.with_baseline, metrics.with_follow_up, metrics.meaningful) == (4, 2, 1, 1)
    assert metrics.baseline_share == 0.5 and metrics.follow_up_share == 0.25 and metrics.meaningful_share == 0.25

    later = clinic_outcome_metrics(world.clinic, since=SLOT + timedelta(days=7), now=NOW + timedelta(days=30))
    assert (later.new_patients, later.with_baseline, later.with_follow_up, later.meaningful) == (3, 1, 0, 0)
    assert clinic_outcome_metrics(world.other_clinic, now=NOW + timedelta(days=30)).baseline_share is None


def test_a_check_in_at_discharge_counts_as_a_follow_up(world: World, time_machine: Any) -> None:
    one = intake_create(answers=lower_back(pain_now=6), language="en", consent=True, now=NOW)
    first = visit(world, 0, token=one.token)
    last = visit(world, 2)
    Appointment.objects.filter(pk__in=[first.pk, last.pk]).update(status=AppointmentStatus.COMPLETED)
    record(one.intake, last, nprs=4, psfs=[3, 4])
    metrics = clinic_outcome_metrics(world.clinic, now=NOW + timedelta(days=10))
    assert (metrics.with_follow_up, metrics.completed_visits, metrics.completed_visits_measured) == (1, 2, 1)
    visit(world, 20)  # booked again: not discharged after all
    assert clinic_outcome_metrics(world.clinic, now=NOW + timedelta(days=10)).with_follow_up == 0


# --- A licensed measure ---------------------------------------------------------------------------------------

LICENSED = Measure(
    id="licensed-back-index",
    name="A licensed back index",
    minimum=0,
    maximum=50,
    direction="lower_is_better",
    question="The licensed question (wording supplied by the licence holder)",
    licensed_to=None,
)


def test_a_measure_named_in_the_setting_appears_for_the_clinic_holding_its_licence(
    world: World, settings: Any, first_visit: tuple[Intake, Appointment], time_machine: Any
) -> None:
    assert [m.id for m in measures_for(world.clinic.pk)] == ["nprs", "psfs", "groc"]
    settings.OUTCOME_EXTRA_MEASURES = ["patients.tests.test_outcomes.LICENSED_FOR_ALPHA"]
    globals()["LICENSED_FOR_ALPHA"] = Measure(**{**LICENSED.__dict__, "licensed_to": frozenset({world.clinic.pk})})
    assert [m.id for m in measures_for(world.clinic.pk)] == ["nprs", "psfs", "groc", "licensed-back-index"]
    assert [m.id for m in measures_for(world.other_clinic.pk)] == ["nprs", "psfs", "groc"]

    intake, _first = first_visit
    second = visit(world, 3)
    checkin_invite(appointment=second, intake=intake, now=NOW)
    token = _deliver_invitation(time_machine, second)
    assert "The licensed question" in Client().get(f"/check-in/{token}/").content.decode()
    answers = {"nprs": "3", "psfs_1": "6", "psfs_2": "7", "groc": "2", "extra_licensed-back-index": "51"}
    assert Client().post(f"/check-in/{token}/", answers).status_code == 422
    answers["extra_licensed-back-index"] = "20"
    assert Client().post(f"/check-in/{token}/", answers).status_code == 302
    assert OutcomeCheckIn.objects.get().extra == {"licensed-back-index": 20}
