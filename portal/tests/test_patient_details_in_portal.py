"""The desk's form for booking on a caller's behalf judges the patient's details with the one builder
(``booking.patients.patient_details_parse``): what the public form refuses, it refuses with the same words."""

from __future__ import annotations

from html import escape
from typing import Any

import pytest
from django.test import Client

from booking.forms import PatientForm
from booking.models import Appointment
from portal.forms.today import AppointmentCreateForm
from portal.models import Membership

from .conftest import World

GOOD = {"name": "Jo Tremblay", "email": "jo@example.com", "phone": "416 555 0123"}
BAD = [
    pytest.param({"name": "   "}, "name", id="a blank name"),
    pytest.param({"name": "x" * 121}, "name", id="a name too long"),
    pytest.param({"email": "jo@"}, "email", id="an email that is no address"),
    pytest.param({"email": " "}, "email", id="a blank email"),
    pytest.param({"phone": "123"}, "phone", id="a phone too short"),
    pytest.param({"phone": "416 555 01234567"}, "phone", id="a phone too long"),
]


def _public_errors(details: dict[str, str]) -> dict[str, list[str]]:
    form = PatientForm(GOOD | details | {"first_visit": "1", "consent": "on", "form_token": "t" * 20})
    assert not form.is_valid()
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def _portal_form(world: World, details: dict[str, str]) -> AppointmentCreateForm:
    membership = Membership.objects.get(user=world.colleague)
    data = GOOD | details | {"service": world.service.pk, "slot": "", "token": "t" * 16}
    return AppointmentCreateForm(data, membership=membership)


@pytest.mark.parametrize(("details", "field"), BAD)
def test_the_portal_refuses_what_the_public_form_refuses_with_the_same_message(
    world: World, details: dict[str, str], field: str
) -> None:
    public = _public_errors(details)
    portal = _portal_form(world, details)
    assert not portal.is_valid()
    assert public[field], "the public form refuses it"
    assert portal.errors[field] == public[field]


def test_good_details_come_out_as_the_builder_makes_them(world: World) -> None:
    form = _portal_form(world, {"name": "  Jo Tremblay ", "email": " jo@example.com "})
    form.is_valid()
    assert "name" not in form.errors and "email" not in form.errors and "phone" not in form.errors
    patient = form.patient()
    assert (patient.name, patient.email, patient.phone) == ("Jo Tremblay", "jo@example.com", "+14165550123")
    assert form.cleaned_data["phone"] == "+14165550123"


def test_the_desk_sees_the_message_beside_the_field_and_nothing_is_booked(
    world: World, colleague_client: Client
) -> None:
    expected = _public_errors({"phone": "123"})["phone"][0]
    before = Appointment.objects.count()
    url = f"/portal/{world.clinic.pk}/appointments/new/"
    response: Any = colleague_client.post(
        url, GOOD | {"phone": "123", "service": world.service.pk, "slot": "", "token": "x" * 16}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="pfield__error" role="alert">{escape(expected)}</p>' in html
    assert Appointment.objects.count() == before
