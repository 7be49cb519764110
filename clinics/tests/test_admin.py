"""The Django admin of places, clinics and booking: every page opens, lists do not query per row."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model
from django.urls import reverse

from booking.models import Appointment, AppointmentSource, ClinicBookingPolicy, Hold
from clinics.models import OpeningHours
from clinics.testing import (
    make_city,
    make_clinic,
    make_insurer,
    make_language,
    make_practitioner,
    make_service,
    make_technique,
)
from places.models import City

pytestmark = pytest.mark.django_db

APPS = {"places", "clinics", "booking"}
READ_ONLY = {Appointment, Hold}  # changed only through the booking services
_cities = itertools.count()
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root", "root@painhero.test", "not-a-real-password"))
    return client


def make_network(n: int) -> None:
    technique, language, insurer = make_technique(), make_language(), make_insurer()
    for i in range(n):
        clinic = make_clinic(city=make_city(slug=f"admin-city-{next(_cities)}"))
        clinic.languages.add(language)
        clinic.insurers.add(insurer)
        OpeningHours.objects.create(clinic=clinic, weekday=i % 7, opens=time(8), closes=time(17))
        practitioner = make_practitioner(clinic=clinic)
        practitioner.techniques.add(technique)
        practitioner.languages.add(language)
        service = make_service(clinic=clinic, practitioners=[practitioner])
        Appointment.objects.create(
            clinic=clinic,
            practitioner=practitioner,
            service=service,
            start=START,
            end=START + timedelta(minutes=30),
            source=AppointmentSource.WEB,
            patient_name="Pat Doe",
            patient_email=f"pat{i}@painhero.test",
            note="Lower back pain since a fall",
        )
        Hold.objects.create(
            practitioner=practitioner,
            service=service,
            start=START + timedelta(hours=1),
            end=START + timedelta(hours=1, minutes=30),
            expires_at=START + timedelta(minutes=10),
        )
        ClinicBookingPolicy.objects.create(clinic=clinic)


def registered() -> list[type[Model]]:
    return [model for model in admin.site._registry if model._meta.app_label in APPS]


def url(model: type[Model], page: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def test_every_model_of_places_clinics_and_booking_is_registered():
    names = {f"{m._meta.app_label}.{m.__name__}" for m in registered()}
    assert {
        "places.City",
        "clinics.Clinic",
        "clinics.Practitioner",
        "clinics.Service",
        "clinics.OpeningHours",
        "clinics.Technique",
        "clinics.Language",
        "clinics.Insurer",
        "booking.Appointment",
        "booking.Hold",
    } <= names


def test_every_changelist_change_and_add_page_opens_for_a_superuser(superuser_client):
    make_network(3)
    for model in registered():
        assert superuser_client.get(url(model, "changelist")).status_code == 200, model
        obj = model._default_manager.first()
        assert obj is not None, model
        assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200, model
        expected_add = 403 if model in READ_ONLY else 200
        assert superuser_client.get(url(model, "add")).status_code == expected_add, model


def test_changelist_search_and_filters_answer(superuser_client):
    make_network(2)
    pages = [
        url(City, "changelist") + "?q=toronto&province__exact=ON",
        reverse("admin:clinics_clinic_changelist")
        + "?q=clinic&province__exact=ON&network_status__exact=in_network"
        + "&practitioners__discipline__exact=physiotherapy&wheelchair_accessible__exact=0",
        reverse("admin:clinics_practitioner_changelist") + "?q=chen&discipline__exact=physiotherapy",
        reverse("admin:booking_appointment_changelist") + "?status__exact=booked&q=pat0",
    ]
    for page in pages:
        response = superuser_client.get(page)
        assert response.status_code == 200, page
        assert response.context["cl"].result_count >= 1, page


@pytest.mark.parametrize("model_name", ["clinic", "practitioner", "service", "openinghours"])
def test_a_changelist_does_not_query_once_per_row(superuser_client, django_assert_max_num_queries, model_name):
    make_network(2)
    page = reverse(f"admin:clinics_{model_name}_changelist")
    superuser_client.get(page)
    with django_assert_max_num_queries(12) as few:
        superuser_client.get(page)
    make_network(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert superuser_client.get(page).status_code == 200


def test_the_appointment_pages_never_show_what_hurts(superuser_client):
    make_network(1)
    appointment = Appointment.objects.get()
    for page in (url(Appointment, "changelist"), url(Appointment, "change", appointment.pk)):
        response = superuser_client.get(page)
        assert response.status_code == 200
        assert b"Lower back pain" not in response.content


def test_renaming_a_city_keeps_it_findable_by_old_and_new_names(superuser_client):
    city = make_city(name="Kitchener", name_fr="Kitchener", slug="kitchener", search_names="berlin|kitchener")
    data = {
        "name": "Kitchener-Waterloo",
        "name_fr": "Kitchener-Waterloo",
        "slug": "kitchener",
        "province": "ON",
        "latitude": "43.45",
        "longitude": "-80.49",
        "population": "256885",
        "time_zone": "America/Toronto",
    }
    response = superuser_client.post(url(City, "change", city.pk), data)
    assert response.status_code == 302, response.content
    assert list(City.objects.matching("kitchener-w")) == [city]
    assert list(City.objects.matching("berlin")) == [city]
