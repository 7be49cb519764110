"""Input no page can use gets a clear 4xx at the door: NUL characters, ids past 64 bits, dates at the
edges of the calendar in the JSON API. Each of these was a 500 (NUL on PostgreSQL, big ids on SQLite,
edge dates on both)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from booking.models import Appointment, Hold
from painhero.converters import ID_MAX, IdConverter, id_parse
from scheduling.testing import make_open_clinic

NOW = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
NUL = "The request contains a NUL character"


@pytest.fixture
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clinic(db: Any, frozen: None) -> Any:
    clinic, (practitioner,), service = make_open_clinic(days=(0, 1, 2, 3, 4, 5, 6))
    clinic.practitioner, clinic.service = practitioner, service  # type: ignore[attr-defined]  # the fixture hands all three on
    return clinic


# --- NUL characters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/search/?city=a%00b",
        "/search/?where=Mont%00real",
        "/search/?a%00=1",
        "/appointments/abc%00def/",
        "/portal/sign-in/?next=/portal/%00",
    ],
)
def test_a_nul_in_the_path_or_query_string_is_a_400_that_says_to_remove_it(db: Any, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert NUL in response.content.decode()


def test_a_nul_on_a_french_page_is_refused_in_french(db: Any) -> None:
    response = Client().get("/fr/appointments/abc%00def/")
    assert response.status_code == 400
    assert "retirez-le" in response.content.decode()


def test_a_nul_in_the_path_of_the_api_is_a_400_in_json(db: Any) -> None:
    response = Client().get("/api/v1/clinics/abc%00")
    assert response.status_code == 400
    assert NUL in response.json()["detail"]


def test_a_nul_in_a_form_field_is_refused_before_any_view_reads_it(db: Any) -> None:
    response = Client().post("/portal/sign-in/", {"username": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400
    assert NUL in response.content.decode()


def test_a_nul_written_as_an_escape_in_a_json_body_is_a_400_in_json(db: Any) -> None:
    body = json.dumps({"practitioner_id": 1, "service_id": 1, "start": "2026-12-03T10:00:00\u0000"})
    response = Client().post("/api/v1/holds", body, content_type="application/json")
    assert response.status_code == 400
    assert NUL in response.json()["detail"]
    assert not Hold.objects.exists()


def test_an_escaped_backslash_before_u0000_in_json_is_text_not_a_nul(db: Any) -> None:
    body = json.dumps({"practitioner_id": 1, "service_id": 1, "start": "\\u0000"})
    response = Client().post("/api/v1/holds", body, content_type="application/json")
    assert response.status_code != 400 or NUL not in response.content.decode()


def test_an_uploaded_file_may_hold_nul_bytes(db: Any) -> None:
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\x00\x00\x00binary", content_type="image/png")
    response = Client().post("/portal/sign-in/", {"username": "someone@example.com", "photo": upload})
    assert NUL not in response.content.decode()


# --- Ids past 64 bits -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "42", str(ID_MAX)])
def test_an_id_is_ascii_digits_from_1_to_2_to_the_63_minus_1(raw: str) -> None:
    assert id_parse(raw) == int(raw)
    assert IdConverter().to_python(raw) == int(raw)


@pytest.mark.parametrize("raw", ["0", str(ID_MAX + 1), "99999999999999999999", "²", "٣", "1e3", "-1", " 1", ""])
def test_anything_else_is_no_id(raw: str) -> None:
    assert id_parse(raw) is None
    with pytest.raises(ValueError):
        IdConverter().to_python(raw)


def test_a_big_number_still_reverses_so_a_redirect_to_it_is_a_404_not_a_500() -> None:
    assert IdConverter().to_url(99999999999999999999) == "99999999999999999999"


# --- Dates at the edges in the JSON API -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "9999-12-31"}, "start"),
        ({"start": "0001-01-01"}, "start"),
        ({"start": "9999-12-31T23:00"}, "start"),
        ({"start": "0001-01-01T00:00+05:00"}, "start"),
        ({"start": "2026-12-03", "end": "9999-12-31"}, "end"),
        ({"start": "2026-12-03", "end": "0001-01-01"}, "end"),
    ],
)
def test_availability_with_a_date_at_the_edge_answers_400_naming_the_field_and_the_window(
    clinic: Any, params: dict[str, str], field: str
) -> None:
    response = Client().get(f"/api/v1/clinics/{clinic.pk}/availability", params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(f"{field}: Choose a date between 2016-")


def test_availability_inside_the_window_still_lists_open_times(clinic: Any) -> None:
    response = Client().get(f"/api/v1/clinics/{clinic.pk}/availability", {"start": "2026-12-03", "end": "2026-12-04"})
    assert response.status_code == 200
    assert response.json()["items"]


EDGE_STARTS = ["9999-12-31T23:00:00-08:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59"]


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_a_hold_at_the_edge_of_the_calendar_is_a_422_naming_start(clinic: Any, start: str) -> None:
    body = {"practitioner_id": clinic.practitioner.pk, "service_id": clinic.service.pk, "start": start}
    response = Client().post("/api/v1/holds", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("start: Choose a date between")
    assert not Hold.objects.exists()


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_an_appointment_at_the_edge_of_the_calendar_is_a_422_naming_start(clinic: Any, start: str) -> None:
    body = {
        "practitioner_id": clinic.practitioner.pk,
        "service_id": clinic.service.pk,
        "start": start,
        "patient": {"name": "Ada", "email": "ada@example.com", "phone": "+14165550123"},
    }
    response = Client().post(
        "/api/v1/appointments", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="edge-key"
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("start: Choose a date between")
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_moving_an_appointment_to_the_edge_of_the_calendar_is_a_422_naming_start(clinic: Any, start: str) -> None:
    begins = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    appointment = Appointment.objects.create(
        clinic=clinic,
        practitioner=clinic.practitioner,
        service=clinic.service,
        start=begins,
        end=begins.replace(minute=30),
        source="api",
    )
    response = Client().post(
        f"/api/v1/appointments/{appointment.pk}/reschedule",
        {"start": start},
        content_type="application/json",
        HTTP_X_MANAGE_TOKEN=appointment.manage_token,
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("start: Choose a date between")
    appointment.refresh_from_db()
    assert appointment.start == begins


@pytest.mark.parametrize("key", ["service", "practitioner"])
@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_a_clinic_page_asked_for_a_service_that_is_no_id_says_to_choose_from_the_list(
    clinic: Any, key: str, value: str
) -> None:
    response = Client().get(f"/clinics/{clinic.city.slug}/{clinic.slug}/", {key: value})
    assert response.status_code == 400
    assert "must be chosen from the list" in response.content.decode()


def test_the_cities_api_with_a_superscript_limit_says_what_a_limit_is(db: Any) -> None:
    response = Client().get("/api/v1/cities", {"limit": "²"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("limit must be a whole number")


@pytest.mark.parametrize("practitioner", ["²", "99999999999999999999"])
def test_the_patients_reschedule_form_with_a_practitioner_that_is_no_id_never_fails(
    clinic: Any, practitioner: str
) -> None:
    begins = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    appointment = Appointment.objects.create(
        clinic=clinic,
        practitioner=clinic.practitioner,
        service=clinic.service,
        start=begins,
        end=begins.replace(minute=30),
        source="web",
    )
    response = Client().post(
        f"/appointments/{appointment.manage_token}/reschedule/", {"start": f"2026-12-11T10:00:00-05:00|{practitioner}"}
    )
    assert response.status_code < 500
    appointment.refresh_from_db()
    assert appointment.practitioner == clinic.practitioner
