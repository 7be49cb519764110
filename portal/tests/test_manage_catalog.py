"""Practitioners, services and the clinic profile: roles, writes, validation, audit, query counts."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from booking.models import AppointmentStatus
from clinics.models import Clinic, OpeningHours, Practitioner, Service
from clinics.testing import make_insurer, make_language, make_practitioner, make_service, make_technique
from painhero.testing import NOW, World, at, book
from portal.models import AuditEntry
from scheduling.cache import next_open_times_refresh
from scheduling.models import NextOpenTime

pytestmark = pytest.mark.django_db


def url(name: str, world: World, **kwargs: int) -> str:
    return reverse(f"portal:{name}", kwargs={"clinic_id": world.clinic.pk, **kwargs})


def as_user(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


# --- Who may see the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "practitioners", "services", "profile"),
    [
        ("owner", 200, 200, 200),
        ("colleague", 200, 200, 404),
        ("practitioner", 404, 404, 404),
        ("outsider", 404, 404, 404),
    ],
)
def test_each_page_answers_each_role(
    client: Any, world: World, who: str, practitioners: int, services: int, profile: int
) -> None:
    as_user(client, getattr(world, who))
    assert client.get(url("practitioners", world)).status_code == practitioners
    assert client.get(url("practitioner_edit", world, practitioner_id=world.chen.pk)).status_code == practitioners
    assert client.get(url("services", world)).status_code == services
    assert client.get(url("service_edit", world, service_id=world.service.pk)).status_code == services
    assert client.get(url("profile", world)).status_code == profile


def test_another_clinics_practitioner_or_service_is_404_through_my_clinic(client: Any, world: World) -> None:
    as_user(client, world.owner)
    assert client.get(url("practitioner_edit", world, practitioner_id=world.other_practitioner.pk)).status_code == 404
    assert client.get(url("service_edit", world, service_id=world.other_service.pk)).status_code == 404
    assert client.post(url("service_retire", world, service_id=world.other_service.pk)).status_code == 404
    world.other_service.refresh_from_db()
    assert world.other_service.is_active


@pytest.mark.parametrize("name", ["practitioners", "services"])
def test_list_pages_run_the_same_queries_for_two_or_ten_rows(
    client: Any, world: World, name: str, django_assert_max_num_queries: Any
) -> None:
    as_user(client, world.owner)
    technique, language = make_technique(), make_language()
    for _n in range(8):
        person = make_practitioner(clinic=world.clinic)
        person.techniques.add(technique)
        person.languages.add(language)
        make_service(clinic=world.clinic, practitioners=[person, world.chen])
    with django_assert_max_num_queries(12):
        response = client.get(url(name, world))
    assert response.status_code == 200


# --- Practitioners -----------------------------------------------------------------------------------


def practitioner_data(world: World, **fields: Any) -> dict[str, Any]:
    data = {"first_name": "Mira", "last_name": "Roy", "discipline": "physiotherapy", "credentials": "PT"}
    data.update(fields)
    return data


def test_adding_a_practitioner_with_services_records_it(client: Any, world: World) -> None:
    technique = make_technique()
    as_user(client, world.colleague)
    data = practitioner_data(world, services=[world.service.pk], techniques=[technique.pk])
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("practitioner_add", world), data)
    assert response.status_code == 302
    mira = Practitioner.objects.get(last_name="Roy")
    assert mira.clinic == world.clinic
    assert list(mira.services.all()) == [world.service]
    assert list(mira.techniques.all()) == [technique]
    entry = AuditEntry.objects.get(action="practitioner.create")
    assert (entry.object_id, entry.user_id) == (str(mira.pk), world.colleague.pk)


def test_a_service_of_another_clinic_is_refused_with_a_message(client: Any, world: World) -> None:
    as_user(client, world.owner)
    data = practitioner_data(world, services=[world.service.pk, world.other_service.pk])
    response = client.post(url("practitioner_add", world), data)
    assert response.status_code == 400
    assert f"{world.other_service.pk} is not one of this clinic" in response.content.decode()
    assert not Practitioner.objects.filter(last_name="Roy").exists()
    assert not AuditEntry.objects.exists()


def test_editing_a_practitioner_records_what_changed(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    language = make_language("fr", "French", "Français")
    as_user(client, world.owner)
    data = practitioner_data(
        world, first_name=world.chen.first_name, last_name="Chen-Wu", languages=[language.pk], services=[]
    )
    next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
    assert NextOpenTime.objects.filter(practitioner=world.chen).exists()
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("practitioner_edit", world, practitioner_id=world.chen.pk), data)
    assert response.status_code == 302
    world.chen.refresh_from_db()
    assert world.chen.last_name == "Chen-Wu"
    assert not world.chen.services.exists()
    changes = AuditEntry.objects.get(action="practitioner.update").changes
    assert changes["last_name"]["new"] == "Chen-Wu"
    assert changes["languages"] == {"old": [], "new": [language.pk]}
    assert changes["services"] == {"old": [world.service.pk], "new": []}
    # Chen offers nothing now: the precomputed times patients search are gone at once.
    assert not NextOpenTime.objects.filter(practitioner=world.chen).exists()


def test_retiring_a_practitioner_keeps_their_booked_visits_and_hides_their_times(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    visit = book(world, at(10, days=1))
    as_user(client, world.owner)
    next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
    assert NextOpenTime.objects.filter(practitioner=world.chen).exists()
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("practitioner_retire", world, practitioner_id=world.chen.pk))
    assert response.status_code == 302
    world.chen.refresh_from_db()
    visit.refresh_from_db()
    assert world.chen.is_active is False
    assert visit.status == AppointmentStatus.BOOKED
    assert not NextOpenTime.objects.filter(practitioner=world.chen).exists()
    assert NextOpenTime.objects.filter(practitioner=world.lee).exists()
    assert AuditEntry.objects.filter(action="practitioner.retire", object_id=str(world.chen.pk)).exists()


# --- Services -----------------------------------------------------------------------------------------


def service_data(**fields: Any) -> dict[str, Any]:
    data = {
        "name": "Initial assessment",
        "name_fr": "Évaluation initiale",
        "discipline": "physiotherapy",
        "kind": "initial",
        "delivery": "in_person",
        "duration_minutes": 45,
        "price": "120.00",
    }
    data.update(fields)
    return data


def test_adding_a_service_with_who_offers_it(client: Any, world: World) -> None:
    as_user(client, world.owner)
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("service_add", world), service_data(practitioners=[world.lee.pk]))
    assert response.status_code == 302
    service = Service.objects.get(name="Initial assessment")
    assert (service.clinic, service.price_cents, service.duration_minutes) == (world.clinic, 12000, 45)
    assert list(service.practitioners.all()) == [world.lee]
    assert AuditEntry.objects.get(action="service.create").changes == {"practitioners": [world.lee.pk]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"price": "-5"}, "The price must not be below 0."),
        ({"duration_minutes": 2}, "greater than or equal to 5"),
        ({"duration_minutes": 600}, "less than or equal to 480"),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_service_input_gets_a_message_and_nothing_is_saved(
    client: Any, world: World, fields: dict[str, Any], message: str
) -> None:
    as_user(client, world.owner)
    response = client.post(url("service_add", world), service_data(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Service.objects.filter(kind="initial").exists()


def test_a_practitioner_of_another_clinic_cannot_be_made_to_offer_a_service(client: Any, world: World) -> None:
    as_user(client, world.owner)
    data = service_data(practitioners=[world.other_practitioner.pk])
    response = client.post(url("service_edit", world, service_id=world.service.pk), data)
    assert response.status_code == 400
    assert "is not one of this clinic" in response.content.decode()
    world.service.refresh_from_db()
    assert world.service.price_cents == 9500
    assert set(world.service.practitioners.all()) == {world.chen, world.lee}


def test_editing_a_service_records_the_price_change(client: Any, world: World) -> None:
    as_user(client, world.colleague)
    data = service_data(name=world.service.name, price="99.50", practitioners=[world.chen.pk])
    with time_machine.travel(NOW, tick=False):
        response = client.post(url("service_edit", world, service_id=world.service.pk), data)
    assert response.status_code == 302
    changes = AuditEntry.objects.get(action="service.update").changes
    assert changes["price_cents"] == {"old": 9500, "new": 9950}
    assert changes["practitioners"]["new"] == [world.chen.pk]


def test_retiring_a_service_keeps_it_listed_and_its_visits_booked(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    visit = book(world, at(10, days=1))
    as_user(client, world.owner)
    next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
    assert NextOpenTime.objects.filter(practitioner=world.chen).exists()
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("service_retire", world, service_id=world.service.pk), follow=True)
    world.service.refresh_from_db()
    visit.refresh_from_db()
    assert world.service.is_active is False
    assert visit.status == AppointmentStatus.BOOKED
    assert "retired" in response.content.decode()
    assert not NextOpenTime.objects.filter(service=world.service).exists()


# --- Profile -------------------------------------------------------------------------------------------


def profile_data(clinic: Clinic, **fields: Any) -> dict[str, Any]:
    data = {
        "address": clinic.address,
        "postal_code": clinic.postal_code,
        "phone": "416 555 0199",
        "email": "hello@example.com",
        "website": "",
        "description": "Sports injuries.",
        "accessibility_notes": "",
        "hours_0": "08:00-12:00, 13:00-20:00",
        "hours_5": "09:00-13:00",
    }
    data.update(fields)
    return data


def test_the_owner_saves_the_profile_with_a_normalized_phone_and_hours(client: Any, world: World) -> None:
    language, insurer = make_language(), make_insurer()
    as_user(client, world.owner)
    data = profile_data(world.clinic, languages=[language.pk], insurers=[insurer.pk], wheelchair_accessible="on")
    response = client.post(url("profile", world), data)
    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert world.clinic.phone == "+14165550199"
    assert world.clinic.wheelchair_accessible is True
    assert list(world.clinic.languages.all()) == [language]
    hours = [
        (h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in OpeningHours.objects.filter(clinic=world.clinic)
    ]
    assert hours == [(0, "08:00", "12:00"), (0, "13:00", "20:00"), (5, "09:00", "13:00")]
    changes = AuditEntry.objects.get(action="clinic.profile_update").changes
    assert changes["phone"] == {"old": "+14165550100", "new": "+14165550199"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"phone": "12345"}, "This is not a valid phone number."),
        ({"phone": "call us"}, "Enter a phone number"),
        ({"hours_2": "10:00-09:00"}, "ends before it starts"),
        ({"hours_2": "09:00-12:00, 11:00-13:00"}, "Blocks overlap"),
    ],
)
def test_bad_profile_input_gets_a_message_and_nothing_is_saved(
    client: Any, world: World, fields: dict[str, Any], message: str
) -> None:
    as_user(client, world.owner)
    response = client.post(url("profile", world), profile_data(world.clinic, **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    world.clinic.refresh_from_db()
    assert world.clinic.phone == "+14165550100"
    assert not OpeningHours.objects.exists()
    assert not AuditEntry.objects.exists()
