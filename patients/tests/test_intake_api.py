"""The intake's JSON API: GET /api/v1/intake/questions, POST /api/v1/intake, GET /api/v1/intake/{id}."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from patients.models import Intake, IntakeAccess, TriageLevel, token_hash
from patients.rules import QUESTION_SET_VERSION, QUESTIONS
from patients.services import MAX_INTAKES_PER_IP_PER_HOUR
from patients.tests.conftest import lower_back


def send(client: Client, body: dict[str, Any], **headers: Any) -> Any:
    return client.post("/api/v1/intake", json.dumps(body), content_type="application/json", **headers)


def test_the_questions_come_with_the_version_and_every_question(client: Client, now: datetime) -> None:
    body = client.get("/api/v1/intake/questions").json()
    assert body["version"] == QUESTION_SET_VERSION
    assert [q["id"] for q in body["questions"]] == [q.id for q in QUESTIONS]
    by_id = {q["id"]: q for q in body["questions"]}
    assert by_id["cauda_equina"]["concept"] == "cauda_equina"
    assert by_id["cauda_equina"]["type"] == "yes_no"
    assert by_id["cauda_equina"]["regions"] == ["lower_back", "hip"]
    assert "regions" not in by_id["fever"]
    assert [c["value"] for c in by_id["region"]["choices"]][:3] == ["neck", "upper_back", "lower_back"]
    assert by_id["pain_now"]["minimum"] == 0
    assert by_id["pain_now"]["maximum"] == 10


def test_the_questions_are_in_french_when_asked(client: Client, now: datetime, french: None) -> None:
    english = client.get("/api/v1/intake/questions?lang=en").json()["questions"][0]["text"]
    french = client.get("/api/v1/intake/questions?lang=fr").json()["questions"][0]["text"]
    assert english == "Where does it hurt?"
    assert french == "Où avez-vous mal?"


def test_an_unknown_language_is_a_422_naming_lang(client: Client, now: datetime) -> None:
    response = client.get("/api/v1/intake/questions?lang=de")
    assert response.status_code == 422
    assert "lang" in response.json()["detail"]


def test_routine_lower_back_pain_gets_its_id_token_and_the_care_that_fits(client: Client, now: datetime) -> None:
    response = send(client, {"answers": lower_back()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "token", "triage", "reasons", "suggested_disciplines", "suggested_techniques"}
    assert body["triage"] == "routine"
    assert body["reasons"] == []
    assert body["suggested_disciplines"] == ["physiotherapy", "chiropractic"]
    assert "active-release-technique" in body["suggested_techniques"]
    intake = Intake.objects.get(public_id=body["id"])
    assert intake.question_set_version == QUESTION_SET_VERSION
    assert intake.consent_at == now
    # Only the hash of the token is kept.
    assert intake.token_hash == token_hash(body["token"])
    assert body["token"] not in json.dumps(list(Intake.objects.values()), default=str)


def test_a_saddle_numbness_yes_is_an_emergency_with_its_reason(client: Client, now: datetime, french: None) -> None:
    body = send(client, {"answers": lower_back(cauda_equina=True), "lang": "fr"}).json()
    assert body["triage"] == "emergency"
    assert [r["concept"] for r in body["reasons"]] == ["cauda_equina"]
    assert "vessie" in body["reasons"][0]["message"]  # in French, as asked
    assert body["suggested_disciplines"] == []


def test_a_fever_alone_means_see_a_doctor_first(client: Client, now: datetime) -> None:
    body = send(client, {"answers": lower_back(fever=True)}).json()
    assert body["triage"] == "urgent"
    assert body["reasons"][0]["concept"] == "fever"


def test_an_applicable_warning_sign_left_out_is_a_422_naming_it(client: Client, now: datetime) -> None:
    answers = lower_back()
    del answers["cauda_equina"]
    response = send(client, {"answers": answers})
    assert response.status_code == 422
    assert response.json()["field"] == "cauda_equina"
    assert response.json()["detail"].startswith("payload.answers.cauda_equina:")
    assert not Intake.objects.exists()


def test_a_warning_sign_for_another_region_may_be_left_out(client: Client, now: datetime) -> None:
    answers = lower_back()
    assert "myelopathy" not in answers  # a neck question
    assert send(client, {"answers": answers}).status_code == 201


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"pain_now": 11}, "answers.pain_now"),
        ({"pain_now": "6"}, "answers.pain_now"),
        ({"age": 0}, "answers.age"),
        ({"cauda_equina": "no"}, "answers.cauda_equina"),
        ({"cauda_equina": 0}, "answers.cauda_equina"),
        ({"age": True}, "answers.age"),
        ({"pain_now": 6.5}, "answers.pain_now"),
        ({"goals": 12}, "answers.goals"),
        ({"region": ["tail"]}, "answers.region"),
        ({"region": []}, "answers.region"),
        ({"duration": "forever"}, "answers.duration"),
        ({"activities": [{"name": "run", "score": 12}]}, "answers.activities.0.score"),
        ({"activities": [{"name": "a", "score": 1}] * 4}, "answers.activities"),
        ({"colour": "blue"}, "answers.colour"),
    ],
)
def test_a_wrong_type_or_out_of_range_answer_is_a_422_naming_the_field(
    client: Client, now: datetime, changes: dict[str, Any], named: str
) -> None:
    response = send(client, {"answers": lower_back(**changes)})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"payload.{named}"), response.json()["detail"]


def test_a_whole_number_written_with_a_fraction_is_a_number_as_json_schema_says(client: Client, now: datetime) -> None:
    response = send(client, {"answers": lower_back(pain_now=6.0, age=40.0)})
    assert response.status_code == 201
    assert Intake.objects.get().answers["pain_now"] == 6


def test_a_missing_required_answer_is_a_422_naming_it(client: Client, now: datetime) -> None:
    answers = lower_back()
    del answers["age"]
    response = send(client, {"answers": answers})
    assert response.status_code == 422
    assert response.json()["field"] == "age"


def test_refusing_consent_is_a_422_and_nothing_is_stored(client: Client, now: datetime) -> None:
    response = send(client, {"answers": lower_back(), "consent": False})
    assert response.status_code == 422
    assert response.json()["field"] == "consent"
    assert not Intake.objects.exists()


def test_too_many_questionnaires_from_one_address_is_a_429(client: Client, now: datetime) -> None:
    for _ in range(MAX_INTAKES_PER_IP_PER_HOUR):
        assert send(client, {"answers": lower_back()}).status_code == 201
    response = send(client, {"answers": lower_back()})
    assert response.status_code == 429
    # Another address is not held back.
    assert send(client, {"answers": lower_back()}, REMOTE_ADDR="192.0.2.9").status_code == 201


def test_the_intake_is_read_back_with_its_token_and_the_read_is_recorded(client: Client, now: datetime) -> None:
    created = send(client, {"answers": lower_back()}).json()
    response = client.get(f"/api/v1/intake/{created['id']}", HTTP_X_INTAKE_TOKEN=created["token"])
    assert response.status_code == 200
    assert response.json()["answers"]["pain_now"] == 6
    access = IntakeAccess.objects.get()
    assert (access.reader, access.where, access.at, access.user_id) == ("patient", "api-v1:intake_get", now, None)


@pytest.mark.parametrize("token", ["", "wrong"])
def test_without_the_right_token_it_is_a_404_and_nothing_is_read(client: Client, now: datetime, token: str) -> None:
    created = send(client, {"answers": lower_back()}).json()
    response = client.get(f"/api/v1/intake/{created['id']}", HTTP_X_INTAKE_TOKEN=token)
    assert response.status_code == 404
    assert "answers" not in response.json()
    assert not IntakeAccess.objects.exists()


def test_no_answer_reaches_the_logs(client: Client, now: datetime, caplog: pytest.LogCaptureFixture) -> None:
    secret = "Chemotherapy last spring"
    caplog.set_level(logging.DEBUG)
    created = send(client, {"answers": lower_back(goals=secret)}).json()
    send(client, {"answers": lower_back(goals=secret, pain_now=99)})  # a 422, which Django logs
    client.get(f"/api/v1/intake/{created['id']}", HTTP_X_INTAKE_TOKEN=created["token"])
    assert caplog.records  # the 422 was logged...
    text = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    assert secret not in text  # ...without what the patient said
    assert created["token"] not in text


def test_the_document_declares_every_answer_and_the_token_header(client: Client, now: datetime) -> None:
    document = client.get("/api/v1/openapi.json").json()
    answers = document["components"]["schemas"]["AnswersIn"]["properties"]
    assert set(answers) == {q.id for q in QUESTIONS}
    operation = document["paths"]["/api/v1/intake/{intake_id}"]["get"]
    assert "X-Intake-Token" in [p["name"] for p in operation["parameters"]]
    assert set(document["paths"]["/api/v1/intake"]["post"]["responses"]) >= {"201", "422", "429"}


def test_the_triage_levels_are_the_models_choices() -> None:
    assert set(TriageLevel.values) == {"emergency", "urgent", "routine"}
