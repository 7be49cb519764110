"""Schemathesis over the whole JSON API, in process: the OpenAPI document must be true.

Every operation is called with generated requests (valid and invalid) and every built-in check runs on each
answer: no 500, only declared statuses, bodies and headers that match their schemas, schema-violating input
rejected, schema-valid input accepted. The stateful run follows the document's links: a search's first clinic
feeds its open times, an open time feeds a hold, the hold's id and token feed the booking, the booking's id and
manage token feed reading, cancelling and moving it. Bounded and derandomized: the same run every time, in
seconds, on SQLite and PostgreSQL alike.

Schema-valid is not always bookable: a generated practitioner id rarely exists and a generated time is rarely
open. Where the document says an operation refuses such a request with a 400 or 422 and a ``detail`` (search
parameters that cannot be used together, a time outside the sane window, an unknown practitioner, a phone
number that is not one), the positive-data check accepts that status for that operation only, and
``validation_agrees_with_the_document`` keeps the part that matters: a schema-valid request is never refused
by request validation itself (a 422 carrying ``errors``), which is what a document and a validator that
disagree look like.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from booking.models import Appointment
from clinics.models import OpeningHours
from painhero.testing import NOW, SLOT, World, make_world
from scheduling.cache import next_open_times_refresh

PREFIX = "/api/v1/"

# Operations whose schema-valid requests can still be refused with a readable 400/422 (see the docstring).
SEMANTIC_REFUSALS = {
    "clinic_list": [400],
    "availability_list": [400],
    "hold_create": [400, 422],
    "appointment_create": [400, 422],
    # Times in the past, given twice or overlapping, more than 36 (booking.series).
    "appointment_series_create": [400, 422],
    "appointment_reschedule": [400, 422],
    # A warning-sign question that applies to the chosen regions and is left out (patients.answers).
    "intake_create": [422],
    "waitlist_join": [400, 422],
    # A page past the last (a clinic with few reviews has one page).
    "clinic_reviews": [400],
    # The plan's visits: times in the past or overlapping, a NUL character in a key (as the series API).
    "care_plan_book": [400, 422],
    "care_plan_cancel_rest": [400, 422],
}
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]

# Phone numbers as people type them; the document calls the format "phone".
PHONES = st.builds(
    lambda area, exchange, line, shape: shape.format(area=area, exchange=exchange, line=line),
    st.sampled_from(["416", "514", "604", "403", "902", "709", "306", "867"]),
    st.integers(200, 999),
    st.integers(0, 9999).map("{:04d}".format),
    st.sampled_from(["({area}) {exchange}-{line}", "{area} {exchange} {line}", "+1{area}{exchange}{line}"]),
)
schemathesis.openapi.format("phone", PHONES)


@schemathesis.check
def validation_agrees_with_the_document(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request the document calls valid never fails the API's own request validation."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE or response.status_code != 422:
        return None
    body = response.json()
    if isinstance(body, dict) and body.get("errors"):
        raise AssertionError(f"schema-valid request refused by validation: {body['detail']}")
    return True


def _config() -> Any:
    return schemathesis.Config.from_dict(
        {
            "operations": [
                {
                    "include-operation-id": operation_id,
                    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + [str(s) for s in extra]}},
                }
                for operation_id, extra in SEMANTIC_REFUSALS.items()
            ]
        }
    )


def _document() -> dict[str, Any]:
    """The document as built by the API, through JSON as it is served (status codes become strings)."""
    from painhero.api import api

    return json.loads(json.dumps(api.get_openapi_schema(path_prefix=PREFIX)))


def _schema() -> Any:
    """The document /api/v1/openapi.json serves, bound to the whole WSGI application (middleware included).

    Built from the API object rather than fetched, so that collecting this module touches no database;
    ``test_the_document_fuzzed_is_the_one_served`` checks that the two are the same.
    """
    from painhero.wsgi import application

    loaded = schemathesis.openapi.from_dict(_document(), config=_config())
    loaded.app = application
    return loaded


schema = _schema()

BOUNDED = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzz_world(db: Any) -> Iterator[World]:
    """The booking tests' clinic (a physiotherapist free 08:00-18:00 every day), at their fixed clock."""
    # Called straight through the WSGI handler, each request would close the test's database connection at
    # its end; Django's own test client disconnects the same handlers for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with time_machine.travel(NOW, tick=False):
            world = make_world()
            # Public opening hours, so that a clinic's record shows the wall-clock times the document describes.
            OpeningHours.objects.bulk_create(
                OpeningHours(clinic=world.clinic, weekday=day, opens=time(8), closes=time(18)) for day in range(7)
            )
            # Next open times precomputed, as the worker keeps them: a clinic's record then links to a hold.
            next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
            yield world
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@BOUNDED
def test_every_operation_answers_as_its_openapi_document_says(case: Any, fuzz_world: World) -> None:
    case.call_and_validate()


class _Scenario(schema.as_state_machine()):  # type: ignore[misc]  # schemathesis builds the base class at run time
    def setup(self) -> None:
        # Each scenario starts with an empty cache, as each test does: the throttles count in it, and a scenario
        # replayed after others had used up a limit would answer differently (hypothesis calls that flaky).
        from django.core.cache import cache

        cache.clear()


def test_call_sequences_following_the_documents_links_answer_as_documented(fuzz_world: World) -> None:
    _Scenario.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=8,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],
        )
    )


def _pointer(document: Any, expression: str) -> Any:
    """The value a link's ``$response.body#/a/0/b`` expression names in a response body."""
    assert expression.startswith("$response.body#/"), expression
    for part in expression.removeprefix("$response.body#/").split("/"):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def _follow(operation_id: str, status: int, link: str, response: Any, **extra: Any) -> Any:
    """Call what the document's link ``link`` (on ``operation_id``'s ``status`` answer) says comes next.

    The link's parameters and body fields come from ``response``, as its expressions say; ``extra`` adds what
    a client supplies itself (a patient, an Idempotency-Key). Every built-in check runs on the answer.
    """
    operation = schema.find_operation_by_id(operation_id)
    spec = operation.definition.raw["responses"][str(status)]["links"][link]
    target = schema.find_operation_by_id(spec["operationId"])
    values: dict[str, dict[str, Any]] = {"path": {}, "header": {}, "query": {}}
    for name, expression in spec.get("parameters", {}).items():
        location, _, key = name.partition(".")
        values[location][key] = _pointer(response.json(), expression)
    body = {key: _pointer(response.json(), expression) for key, expression in spec.get("requestBody", {}).items()}
    body.update(extra.pop("body", {}))
    case = target.Case(
        path_parameters=values["path"] or None,
        headers={**values["header"], **extra.pop("headers", {})} or None,
        query={**values["query"], **extra.pop("query", {})} or None,
        **({"body": body} if body or spec.get("requestBody") else {}),
    )
    return case.call_and_validate()


PATIENT = {"patient": {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "(416) 555-0123"}}


def test_the_documents_links_lead_from_a_search_to_a_booking_and_its_changes(fuzz_world: World) -> None:
    search = schema.find_operation_by_id("clinic_list").Case().call_and_validate()
    assert search.status_code == 200 and search.json()["items"]
    clinic = _follow("clinic_list", 200, "FirstClinic", search)
    assert clinic.status_code == 200 and clinic.json()["next_times"]
    # Three days ahead, so that the appointment can still be changed online.
    times = _follow(
        "clinic_get", 200, "OpenTimes", clinic, query={"start": (SLOT + timedelta(days=2)).date().isoformat()}
    )
    assert times.status_code == 200 and len(times.json()["items"]) > 2

    hold = _follow("availability_list", 200, "HoldTheFirstTime", times, headers={"X-Client-Key": "browser-1"})
    assert hold.status_code == 201
    key = {"Idempotency-Key": "7d3c7a52-1f0e-4c4e-9a57-0a4f1d0c2b11"}
    booked = _follow("hold_create", 201, "BookTheHeldTime", hold, headers=key, body=PATIENT)
    assert booked.status_code == 201
    replayed = _follow("hold_create", 201, "BookTheHeldTime", hold, headers=key, body=PATIENT)
    assert replayed.status_code == 200 and replayed.json() == booked.json()

    assert _follow("appointment_create", 201, "GetAppointment", booked).json() == booked.json()
    later = times.json()["items"][-1]["start"]
    moved = _follow("appointment_create", 201, "RescheduleAppointment", booked, body={"start": later})
    assert moved.status_code == 200 and moved.json()["start"] == later, moved.text
    cancelled = _follow("appointment_reschedule", 200, "CancelAppointment", moved)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert _follow("appointment_cancel", 200, "CancelAppointment", cancelled).status_code == 409

    other = _follow("clinic_list", 200, "HoldTheFirstClinicsNextTime", search)
    assert other.status_code == 201
    assert _follow("hold_create", 201, "ReleaseTheHold", other).status_code == 204
    assert _follow("hold_create", 201, "ReleaseTheHold", other).status_code == 404


def test_the_document_fuzzed_is_the_one_served(client: Any) -> None:
    # Compared with a fresh copy: schemathesis adds the links it infers to the one it holds.
    assert client.get(PREFIX + "openapi.json").json() == _document()


# What the fuzzing found, one test each.


def _post(client: Any, path: str, data: Any, **headers: str) -> Any:
    return client.post(PREFIX + path, json.dumps(data), content_type="application/json", headers=headers)


def test_a_retried_booking_of_a_held_time_replays_the_appointment_instead_of_refusing_the_spent_hold(
    client: Any, fuzz_world: World
) -> None:
    start = SLOT.isoformat()
    ids = {"practitioner_id": fuzz_world.chen.pk, "service_id": fuzz_world.service.pk, "start": start}
    hold = _post(client, "holds", ids).json()
    body = {**ids, **PATIENT, "hold_id": hold["id"], "hold_token": hold["token"]}
    first = _post(client, "appointments", body, **{"Idempotency-Key": "retry-1"})
    again = _post(client, "appointments", body, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == 201
    assert again.status_code == 200 and again.json() == first.json()
    assert Appointment.objects.count() == 1


def test_a_spent_hold_with_a_new_key_is_refused_as_lapsed_with_alternatives(client: Any, fuzz_world: World) -> None:
    ids = {"practitioner_id": fuzz_world.chen.pk, "service_id": fuzz_world.service.pk}
    hold = _post(client, "holds", {**ids, "start": SLOT.isoformat()}).json()
    body = {**ids, "start": SLOT.isoformat(), **PATIENT, "hold_id": hold["id"], "hold_token": hold["token"]}
    _post(client, "appointments", body, **{"Idempotency-Key": "one"})
    other = _post(client, "appointments", {**body, "note": "again"}, **{"Idempotency-Key": "two"})
    assert other.status_code == 409
    assert "alternatives" in other.json() and Appointment.objects.count() == 1


@pytest.mark.parametrize("reference", ["\u00b2", "99999999999999999999"])
def test_a_clinic_reference_that_only_looks_numeric_is_a_404(client: Any, fuzz_world: World, reference: str) -> None:
    assert client.get(f"{PREFIX}clinics/{reference}").status_code == 404
    assert client.get(f"{PREFIX}clinics/{reference}/availability").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "appointments/99999999999999999999"),
        ("post", "appointments/99999999999999999999/cancel"),
        ("delete", "holds/99999999999999999999"),
        ("get", "appointments/0"),
    ],
)
def test_an_id_past_what_the_database_holds_is_a_422_that_names_it(
    client: Any, fuzz_world: World, method: str, path: str
) -> None:
    response = getattr(client, method)(PREFIX + path)
    assert response.status_code == 422
    assert response.json()["detail"].split(":")[0].endswith("_id")


def test_an_appointments_answer_carries_the_manage_token_its_links_need(client: Any, fuzz_world: World) -> None:
    ids = {"practitioner_id": fuzz_world.chen.pk, "service_id": fuzz_world.service.pk}
    booked = _post(client, "appointments", {**ids, "start": SLOT.isoformat(), **PATIENT}, **{"Idempotency-Key": "k"})
    token = booked.json()["manage_token"]
    assert token == Appointment.objects.get().manage_token
    fetched = client.get(f"{PREFIX}appointments/{booked.json()['id']}", headers={"X-Manage-Token": token})
    assert fetched.status_code == 200


@pytest.mark.parametrize("query", ["clinics?within_days=", "clinics?city=%20", "cities?limit="])
def test_a_blank_parameter_sent_to_the_api_is_a_400_that_names_it(client: Any, fuzz_world: World, query: str) -> None:
    response = client.get(PREFIX + query)
    assert response.status_code == 400
    name = query.split("?")[1].split("=")[0]
    assert name in response.json()["detail"]


def test_a_nul_inside_a_json_body_is_refused_with_a_4xx_not_a_database_error(client: Any, fuzz_world: World) -> None:
    ids = {"practitioner_id": fuzz_world.chen.pk, "service_id": fuzz_world.service.pk}
    body = {**ids, "start": SLOT.isoformat(), **PATIENT, "note": "sore\u0000knee"}
    response = _post(client, "appointments", body, **{"Idempotency-Key": "nul"})
    # The NUL middleware answers 400 first; the body's declared pattern (a 422) is the second wall.
    assert response.status_code in (400, 422) and response.json()["detail"]
    assert not Appointment.objects.exists()


def test_opening_hours_in_a_clinics_record_match_the_time_format_the_document_declares(
    client: Any, fuzz_world: World
) -> None:
    import re

    declared = _document()["components"]["schemas"]["OpeningHoursOut"]["properties"]["opens"]
    hours = client.get(f"{PREFIX}clinics/{fuzz_world.clinic.pk}").json()["opening_hours"]
    assert hours and declared.get("format") != "time"  # RFC 3339 "time" needs an offset these values lack
    assert all(re.fullmatch(declared["pattern"], block["opens"]) for block in hours)
