"""One builder for the patient's details: the web form and the API refuse the same inputs with the same words."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from booking.forms import PatientForm
from booking.models import Appointment
from booking.patients import NOTE_MAX_LENGTH, PatientDetails, patient_details_parse, phone_normalize
from painhero.testing import NOW, SLOT, World

GOOD = {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "(416) 555-0123"}

BAD = [
    pytest.param("name", "   ", "Enter your full name.", id="blank-name"),
    pytest.param("email", "not-an-email", "Enter a valid email address.", id="bad-email"),
    pytest.param("email", "jo@", "Enter a valid email address.", id="half-an-email"),
    pytest.param("phone", "call me", "Enter a phone number, e.g. 416 555 0123.", id="no-phone"),
    pytest.param(
        "phone",
        "416 555 01",
        "This is not a valid phone number. Check the area code and the number of digits.",
        id="missing-digits",
    ),
]


def test_it_trims_the_details_and_writes_the_phone_as_e164() -> None:
    details = patient_details_parse(
        name="  Jo Tremblay ", email=" jo@example.com ", phone="(416) 555-0123", first_visit=False, note=" Knee \n"
    )
    assert details == PatientDetails(
        name="Jo Tremblay", email="jo@example.com", phone="+14165550123", first_visit=False, note="Knee"
    )


def test_it_reports_every_bad_field_at_once_and_never_quotes_the_note() -> None:
    with pytest.raises(ValidationError) as caught:
        patient_details_parse(name="", email="nope", phone="1", note="sciatica " * NOTE_MAX_LENGTH)
    messages = caught.value.message_dict
    assert list(messages) == ["name", "email", "phone", "note"]
    assert messages["note"] == [f"Keep the note to {NOTE_MAX_LENGTH} characters."]
    assert "sciatica" not in str(messages)


def test_a_name_too_long_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        patient_details_parse(name="J" * 121, email="jo@example.com", phone="4165550123")
    assert caught.value.message_dict == {"name": ["Keep the name to 120 characters."]}


def _form_errors(field: str, value: str) -> list[str]:
    data = GOOD | {field: value, "first_visit": "1", "consent": "on", "form_token": "t"}
    form = PatientForm(data)
    assert not form.is_valid()
    return [str(error) for error in form.errors[field]]


def _api_detail(client: Client, world: World, field: str, value: str) -> str:
    body = {
        "practitioner_id": world.chen.pk,
        "service_id": world.service.pk,
        "start": SLOT.isoformat(),
        "patient": GOOD | {field: value},
    }
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/api/v1/appointments", json.dumps(body), content_type="application/json", headers={"Idempotency-Key": "k"}
        )
    assert response.status_code == 422, response.content
    detail: str = response.json()["detail"]
    return detail


@pytest.mark.parametrize(("field", "value", "message"), BAD)
def test_the_form_and_the_api_refuse_the_same_details_with_the_same_message(
    client: Client, world: World, field: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        data = GOOD | {field: value}
        patient_details_parse(name=data["name"], email=data["email"], phone=data["phone"])
    assert caught.value.message_dict == {field: [message]}
    assert _form_errors(field, value) == [message]
    assert _api_detail(client, world, field, value) == f"patient.{field}: {message}"
    assert not Appointment.objects.exists()


def test_the_form_gives_the_details_the_builder_made(db: Any) -> None:
    form = PatientForm(GOOD | {"name": " Jo ", "first_visit": "0", "consent": "on", "form_token": "t", "note": " x "})
    assert form.is_valid(), form.errors
    assert form.patient() == PatientDetails(
        name="Jo", email="jo@example.com", phone="+14165550123", first_visit=False, note="x"
    )
    assert form.cleaned_data["phone"] == "+14165550123"


def test_an_email_longer_than_the_column_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        patient_details_parse(name="Jo", email="j" * 250 + "@example.com", phone="4165550123")
    assert caught.value.message_dict == {"email": ["Enter a valid email address."]}


def test_the_phone_alone_normalizes_or_says_why_not() -> None:
    assert phone_normalize("416 555 0123") == "+14165550123"
    with pytest.raises(ValueError, match="Enter a phone number"):
        phone_normalize("call me")


def test_the_form_reports_the_builders_errors_beside_its_own(db: Any) -> None:
    form = PatientForm({"name": "Jo", "email": "", "phone": "12", "first_visit": "1", "form_token": "t"})
    assert not form.is_valid()
    assert set(form.errors) == {"email", "phone", "consent"}
    assert form.errors["email"] == ["This field is required."], "the field's own error first, not the builder's"
    assert form.errors["phone"] == ["This is not a valid phone number. Check the area code and the number of digits."]
