"""The clinic page's cache (clinics/page_cache.py): read from the cache the second time, and every edit a
clinic's staff or an admin makes shows on the next visit. The open times are never cached."""

from __future__ import annotations

import re
from datetime import time

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from clinics.models import Clinic, OpeningHours
from clinics.services import (
    clinic_profile_update,
    practitioner_retire,
    practitioner_update,
    service_retire,
    service_update,
)
from clinics.testing import make_city, make_clinic, make_language, make_practitioner, make_service, make_technique
from directory import page_cache
from scheduling.cache import next_open_times_refresh
from scheduling.testing import make_hours, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 3, 2, 8, 0)  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic():
    city = make_city(name="Toronto", slug="toronto")
    clinic = make_clinic(city=city, name="Queen West Physio", slug="queen-west", description="Sports injuries.")
    person = make_practitioner(clinic=clinic, first_name="Maya", last_name="Singh")
    person.techniques.add(make_technique())
    make_hours(person)
    make_service(clinic=clinic, practitioners=[person], name="Assessment", price_cents=9500)
    OpeningHours.objects.create(clinic=clinic, weekday=0, opens=time(9), closes=time(17))
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    return clinic


def page(client, clinic: Clinic) -> str:
    url = reverse("directory:detail", kwargs={"city_slug": clinic.city.slug, "clinic_slug": clinic.slug})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def without_csrf_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html)


def practitioner(clinic: Clinic):
    return clinic.practitioners.get()


def test_the_second_visit_reads_the_clinic_from_the_cache(client, clinic, django_assert_max_num_queries):
    first = page(client, clinic)
    # The stamp, the open times and their rules: not the seven reads of the clinic's record.
    with django_assert_max_num_queries(7):
        again = page(client, clinic)
    assert without_csrf_token(again) == without_csrf_token(first)  # the cached parts are what was rendered


def test_a_profile_edit_shows_on_the_next_visit(client, clinic):
    assert "Sports injuries." in page(client, clinic)
    clinic_profile_update(clinic=clinic, now=NOW, description="Concussion care.")
    assert "Concussion care." in page(client, clinic)


def test_new_opening_hours_show_on_the_next_visit(client, clinic):
    assert "9 a.m. – 5 p.m." in page(client, clinic)
    clinic_profile_update(clinic=clinic, now=NOW, opening_hours=[(0, time(9), time(18, 30))])
    assert "9 a.m. – 6:30 p.m." in page(client, clinic)


def test_the_clinics_languages_show_on_the_next_visit(client, clinic):
    assert "Punjabi" not in page(client, clinic)
    clinic_profile_update(clinic=clinic, now=NOW, languages=[make_language("pa", "Punjabi", "Pendjabi")])
    assert "Punjabi" in page(client, clinic)


def test_a_practitioner_edit_shows_on_the_next_visit(client, clinic):
    assert "Maya Singh" in page(client, clinic)
    practitioner_update(practitioner=practitioner(clinic), now=NOW, last_name="Patel")
    assert "Maya Patel" in page(client, clinic) and "Maya Singh" not in page(client, clinic)


def test_a_practitioners_new_technique_shows_on_the_next_visit(client, clinic):
    assert "Graston" not in page(client, clinic)
    practitioner_update(
        practitioner=practitioner(clinic), now=NOW, techniques=[make_technique(slug="graston", name="Graston")]
    )
    assert "Graston" in page(client, clinic)


def test_a_retired_practitioner_leaves_the_page_at_once(client, clinic):
    make_practitioner(clinic=clinic, first_name="Sam", last_name="Wong")
    assert "Sam Wong" in page(client, clinic)
    practitioner_retire(practitioner=clinic.practitioners.get(first_name="Sam"), now=NOW)  # an UPDATE: no signal
    assert "Sam Wong" not in page(client, clinic)


def test_a_price_change_shows_on_the_next_visit(client, clinic):
    assert "$95" in page(client, clinic)
    service_update(service=clinic.services.get(), now=NOW, price_cents=11000)
    assert "$110" in page(client, clinic)


def test_a_retired_service_leaves_the_page_at_once(client, clinic):
    make_service(clinic=clinic, practitioners=[practitioner(clinic)], name="Laser therapy")
    assert "Laser therapy" in page(client, clinic)
    service_retire(service=clinic.services.get(name="Laser therapy"), now=NOW)  # an UPDATE: no signal
    assert "Laser therapy" not in page(client, clinic)


def test_a_renamed_technique_shows_on_every_page(client, clinic):
    technique = practitioner(clinic).techniques.get()
    assert technique.name in page(client, clinic)
    technique.name = "Intramuscular stimulation"  # as the admin saves it
    technique.save()
    assert "Intramuscular stimulation" in page(client, clinic)


def test_an_admin_edit_of_the_clinic_shows_on_the_next_visit(admin_client, client, clinic):
    assert "Registered Physiotherapist" not in page(client, clinic)
    person = practitioner(clinic)
    person.credentials = "Registered Physiotherapist"
    person.save()  # what the admin's change form does
    assert "Registered Physiotherapist" in page(client, clinic)


def test_a_clinic_leaving_the_network_is_gone_at_once(client, clinic):
    page(client, clinic)
    Clinic.objects.filter(pk=clinic.pk).update(network_status="suspended")  # no signal: the stamp sees it
    url = reverse("directory:detail", kwargs={"city_slug": clinic.city.slug, "clinic_slug": clinic.slug})
    assert client.get(url).status_code == 404


def test_a_read_between_the_edit_and_its_commit_does_not_stay_cached(
    client, clinic, django_capture_on_commit_callbacks
):
    page(client, clinic)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        clinic_profile_update(clinic=clinic, now=NOW, description="Concussion care.")
        # Another process reads the old rows (not yet committed) and caches them under the new token.
        stale = Clinic.objects.get(pk=clinic.pk)
        stale.description = "Sports injuries."
        found = page_cache.clinic_page_get(city_slug="toronto", clinic_slug="queen-west")
        assert found is not None
        hit, version = found
        hit.clinic = stale
        cache.set(f"clinic-record:{version}", hit)
    assert "Concussion care." in page(client, clinic)


def test_the_open_times_are_live_on_a_cached_page(client, clinic):
    assert "9:00" in page(client, clinic) or "10:00" in page(client, clinic)
    before = page(client, clinic)
    with time_machine.travel(toronto(2026, 3, 2, 16, 0), tick=False):
        later = page(client, clinic)
    assert later != before  # the morning's times are gone from the week; the profile came from the cache


def test_a_link_added_on_its_own_shows_on_the_next_visit(client, clinic):
    punjabi = make_language("pa", "Punjabi", "Pendjabi")
    assert "Punjabi" not in page(client, clinic)
    practitioner(clinic).languages.add(punjabi)  # no save: only m2m_changed
    assert "Punjabi" in page(client, clinic)
