"""The care plan API behind the plan's secret token (issue 13): GET /api/v1/care-plans/{token} is the plan as its
patient sees it; POST .../book books every visit as one series or none; POST .../cancel-rest cancels what it can."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.test import Client

from booking.models import Appointment, AppointmentSource, AppointmentStatus
from painhero.redact import text_redact, url_redact
from painhero.testing import World
from patients.careplan_models import CarePlan, CarePlanStatus
from patients.careplan_testing import consultation_make, emailed_token, plan_make

SHAPE = ((2, 1), (1, 1))  # two visits in the first week, one in the second: three in all


def _plan_and_token(world: World) -> tuple[CarePlan, str]:
    plan = plan_make(world, consultation_make(world), shape=SHAPE)
    return plan, emailed_token(plan)


def _url(token: str, action: str = "") -> str:
    return f"/api/v1/care-plans/{token}" + (f"/{action}" if action else "")


def _book(client: Client, token: str, body: dict[str, Any] | None = None, key: str | None = "key-1") -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(_url(token, "book"), json.dumps(body or {}), content_type="application/json", headers=headers)


def _take(world: World, start: datetime) -> None:
    """Someone else books this time with the plan's practitioner."""
    Appointment.objects.create(
        clinic=world.clinic,
        practitioner=world.chen,
        service=world.service,
        start=start,
        end=start + timedelta(minutes=world.service.duration_minutes),
        patient_name="Someone Else",
        patient_email="else@example.com",
        patient_phone="+14165550199",
        source=AppointmentSource.WEB,
    )


def test_the_plan_reads_as_its_patient_sees_it_with_every_visit_proposed_at_an_instant_with_its_offset(
    world: World, client: Client
) -> None:
    _plan, token = _plan_and_token(world)
    response = client.get(_url(token))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "sent" and data["series_id"] is None
    assert data["clinic"]["name"] == world.clinic.name and data["clinic"]["time_zone"] == "America/Toronto"
    assert data["practitioner"] == {"id": world.chen.pk, "name": world.chen.full_name}
    assert [(p["visits_per_week"], p["weeks"], p["visits"]) for p in data["phases"]] == [(2, 1, 2), (1, 1, 1)]
    assert any("cancel any one of them alone" in term for term in data["terms"])
    assert data["goals"] == "Sit an hour" and data["cost_estimate_cents"] == 90000
    visits = data["visits"]
    assert [v["number"] for v in visits] == [1, 2, 3] and [v["phase"] for v in visits] == [0, 0, 1]
    assert all(v["status"] == "proposed" and v["manage_url"] is None for v in visits)
    starts = [datetime.fromisoformat(v["start"]) for v in visits]
    assert all(v["start"].endswith("-05:00") for v in visits), "instants with the clinic's offset"
    assert len({s.date() for s in starts}) == 3 and starts == sorted(starts)
    assert all(v["alternatives"] for v in visits)
    assert response["Cache-Control"] == "private, no-store"
    assert not Appointment.objects.filter(series__isnull=False).exists(), "a GET books nothing"


def test_an_unknown_token_or_a_draft_is_a_404(world: World, client: Client) -> None:
    plan_make(world, consultation_make(world), shape=SHAPE, send=False)
    assert client.get(_url("not-a-token")).status_code == 404
    assert _book(client, "not-a-token").status_code == 404
    assert client.post(_url("not-a-token", "cancel-rest")).status_code == 404


def test_book_books_the_proposed_times_as_one_series_and_the_same_key_replays_it(world: World, client: Client) -> None:
    plan, token = _plan_and_token(world)
    proposed = [v["start"] for v in client.get(_url(token)).json()["visits"]]
    answer = _book(client, token)
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["status"] == "booked" and data["series_id"]
    assert [v["start"] for v in data["visits"]] == proposed
    assert all(v["status"] == "booked" and "/appointments/" in v["manage_url"] for v in data["visits"])
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.BOOKED and plan.series_id == data["series_id"]
    assert plan.series is not None
    assert [a.source for a in plan.series.appointments.all()] == [AppointmentSource.API] * 3
    # The same key and body: the same plan, nothing more booked.
    again = _book(client, token)
    assert again.status_code == 200 and again.json() == data
    assert Appointment.objects.filter(series__isnull=False).count() == 3
    # The same key with another body is a 422; another key is told the plan is booked already.
    assert _book(client, token, {"visits": [{"start": proposed[0]}]}).status_code == 422
    other = _book(client, token, key="key-2")
    assert other.status_code == 409 and "booked already" in other.json()["detail"]
    assert client.get(_url(token)).json()["visits"] == data["visits"]


def test_a_visit_taken_meanwhile_is_a_409_naming_it_with_alternatives_and_nothing_is_booked(
    world: World, client: Client
) -> None:
    plan, token = _plan_and_token(world)
    visits = client.get(_url(token)).json()["visits"]
    taken = datetime.fromisoformat(visits[1]["start"])
    _take(world, taken)
    body = {"visits": [{"start": v["start"], "practitioner_id": v["practitioner_id"]} for v in visits]}
    answer = _book(client, token, body)
    assert answer.status_code == 409, answer.content
    [conflict] = answer.json()["conflicts"]
    assert conflict["number"] == 2 and datetime.fromisoformat(conflict["start"]) == taken
    assert conflict["alternatives"] and conflict["start"] not in conflict["alternatives"]
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.SENT and plan.series_id is None
    assert not Appointment.objects.filter(patient_email="jo@example.com", series__isnull=False).exists()
    # With visit 2 moved to an alternative, the same request under a new key books the plan.
    body["visits"][1]["start"] = conflict["alternatives"][0]
    booked = _book(client, token, body, key="key-2")
    assert booked.status_code == 201, booked.content
    assert booked.json()["visits"][1]["start"] == conflict["alternatives"][0]


def test_what_does_not_fit_the_plan_is_a_422_naming_it(world: World, client: Client) -> None:
    _plan, token = _plan_and_token(world)
    visits = client.get(_url(token)).json()["visits"]
    two = {"visits": [{"start": v["start"]} for v in visits[:2]]}
    answer = _book(client, token, two)
    assert answer.status_code == 422 and "each of the 3 visits" in answer.json()["detail"]
    far = {"visits": [{"start": "2200-01-01T10:00:00-05:00"}] * 3}
    assert _book(client, token, far, key="key-2").status_code == 422
    assert not Appointment.objects.filter(series__isnull=False).exists()


def test_book_without_an_idempotency_key_is_a_400_that_asks_for_one(world: World, client: Client) -> None:
    _plan, token = _plan_and_token(world)
    answer = _book(client, token, key=None)
    assert answer.status_code == 400 and "Idempotency-Key" in answer.json()["detail"]
    assert not Appointment.objects.filter(series__isnull=False).exists()


def test_a_plan_the_clinic_withdrew_is_a_409_that_says_so(world: World, client: Client) -> None:
    plan, token = _plan_and_token(world)
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlanStatus.CANCELLED)
    assert client.get(_url(token)).json()["status"] == "cancelled"
    answer = _book(client, token)
    assert answer.status_code == 409 and "withdrew this plan" in answer.json()["detail"]
    assert not Appointment.objects.filter(series__isnull=False).exists()


def test_cancel_the_rest_cancels_every_other_visit_and_names_the_one_inside_the_window(
    world: World, client: Client, time_machine: Any
) -> None:
    _plan, token = _plan_and_token(world)
    booked = _book(client, token).json()["visits"]
    first = datetime.fromisoformat(booked[0]["start"])
    time_machine.move_to(first - timedelta(hours=12), tick=False)  # inside the clinic's 24-hour window
    answer = client.post(_url(token, "cancel-rest"))
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert [v["appointment_id"] for v in data["cancelled"]] == [v["appointment_id"] for v in booked[1:]]
    assert all(v["status"] == "cancelled" for v in data["cancelled"])
    [kept] = data["not_cancelled"]
    assert kept["appointment_id"] == booked[0]["appointment_id"] and "call the clinic" in kept["reason"]
    statuses = dict(Appointment.objects.filter(series__isnull=False).values_list("pk", "status"))
    assert statuses[booked[0]["appointment_id"]] == AppointmentStatus.BOOKED
    assert [statuses[v["appointment_id"]] for v in booked[1:]] == [AppointmentStatus.CANCELLED] * 2


def test_cancel_the_rest_of_a_plan_not_booked_is_a_409(world: World, client: Client) -> None:
    _plan, token = _plan_and_token(world)
    answer = client.post(_url(token, "cancel-rest"))
    assert answer.status_code == 409 and answer.json()["detail"]


def test_the_plans_token_never_reaches_a_log_line() -> None:
    # All lower case: not caught by the "looks like a token" fallback, only by naming the route.
    token = "plainlowercasetokenvalue"
    assert url_redact(f"/api/v1/care-plans/{token}/book") == "/api/v1/care-plans/[redacted]/book"
    assert url_redact(f"/api/v1/care-plans/{token}") == "/api/v1/care-plans/[redacted]"
    assert url_redact(f"/fr/care-plan/{token}/cancel-rest/") == "/fr/care-plan/[redacted]/cancel-rest/"
    assert token not in text_redact(f"Not Found: /api/v1/care-plans/{token}")
