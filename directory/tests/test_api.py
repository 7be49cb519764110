"""GET /api/v1/clinics and /api/v1/clinics/{id_or_slug}: shapes, errors and query counts."""

from __future__ import annotations

from datetime import time

import pytest

from clinics.models import Clinic, Discipline, NetworkStatus, OpeningHours
from clinics.testing import (
    make_city,
    make_clinic,
    make_insurer,
    make_language,
    make_practitioner,
    make_service,
    make_technique,
)
from scheduling.cache import next_open_times_refresh
from scheduling.testing import toronto as toronto_time

pytestmark = pytest.mark.django_db

NOW = toronto_time(2026, 3, 2, 8, 0)  # a Monday morning, before the clinics open


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """One clock for every test here: what is open today and this week, so the queries counted, never vary."""
    time_machine.move_to(NOW, tick=False)


TORONTO = (43.6532, -79.3832)
MISSISSAUGA = (43.5890, -79.6441)  # 22.18 km from TORONTO


@pytest.fixture
def toronto():
    return make_city(name="Toronto", name_fr="Toronto", slug="toronto", latitude=TORONTO[0], longitude=TORONTO[1])


@pytest.fixture
def clinic(toronto):
    clinic = make_clinic(
        city=toronto,
        name="Queen West Physio",
        slug="queen-west-physio",
        address="500 Queen Street West",
        postal_code="M5V 2B4",
        latitude=MISSISSAUGA[0],
        longitude=MISSISSAUGA[1],
        phone="+14165550123",
        email="hello@qwp.example",
        website="https://qwp.example",
        description="Sports injuries.",
        wheelchair_accessible=True,
        inspection_score=93,
    )
    clinic.languages.add(make_language("fr", "French", "Français"), make_language("en"))
    clinic.insurers.add(make_insurer())
    physio = make_practitioner(
        clinic=clinic,
        first_name="Maya",
        last_name="Singh",
        credentials="PT",
        college="College of Physiotherapists of Ontario",
        registration_number="12345",
    )
    physio.techniques.add(make_technique())
    physio.languages.add(make_language("pa", "Punjabi", "Pendjabi"))
    retired = make_practitioner(clinic=clinic, discipline=Discipline.CHIROPRACTIC, is_active=False)
    make_service(clinic=clinic, practitioners=[physio, retired])
    make_service(clinic=clinic, name="Old service", is_active=False)
    OpeningHours.objects.create(clinic=clinic, weekday=1, opens=time(13), closes=time(19))
    OpeningHours.objects.create(clinic=clinic, weekday=0, opens=time(9), closes=time(17))
    return clinic


def test_the_list_answers_a_page_of_clinics_with_their_summary(client, clinic):
    response = client.get("/api/v1/clinics", {"lat": TORONTO[0], "lng": TORONTO[1], "radius_km": 30})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)
    assert body["items"] == [
        {
            "id": clinic.id,
            "slug": "queen-west-physio",
            "name": "Queen West Physio",
            "address": "500 Queen Street West",
            "city": "Toronto",
            "city_slug": "toronto",
            "province": "ON",
            "postal_code": "M5V 2B4",
            "lat": MISSISSAUGA[0],
            "lng": MISSISSAUGA[1],
            "distance_km": 22.2,
            "disciplines": ["physiotherapy"],
            "techniques": ["dry-needling"],
            "languages": ["en", "fr"],
            "insurers": ["sun-life"],
            "wheelchair_accessible": True,
            "inspection_score": 93,
            "rating": None,  # no published review yet
            "phone": "+14165550123",
            "url": "/clinics/toronto/queen-west-physio/",
            "next_available": None,  # no working hours: see test_search_availability for times
            "next_times": [],
        }
    ]
    assert body["count_is_capped"] is False


def test_the_list_passes_every_filter_to_the_search(client, clinic, toronto):
    make_clinic(city=toronto, name="Elsewhere")
    query = {
        "city": "toronto",
        "discipline": "physiotherapy",
        "technique": "dry-needling",
        "language": "pa",  # the physiotherapist who needles speaks it (the clinic lists only en and fr)
        "insurer": "sun-life",
        "accessible": "true",
        "sort": "score",
    }
    assert [c["name"] for c in client.get("/api/v1/clinics", query).json()["items"]] == ["Queen West Physio"]
    query["discipline"] = "chiropractic"
    assert client.get("/api/v1/clinics", query).json() == {
        "count": 0,
        "count_is_capped": False,
        "page": 1,
        "pages": 1,
        "items": [],
    }


def test_without_a_point_distance_is_null(client, clinic):
    (item,) = client.get("/api/v1/clinics").json()["items"]
    assert item["distance_km"] is None


def test_the_list_pages(client, toronto):
    for n in range(5):
        make_clinic(city=toronto, name=f"Clinic {n}")
    body = client.get("/api/v1/clinics", {"page": 3, "page_size": 2}).json()
    assert (body["count"], body["page"], body["pages"]) == (5, 3, 3)
    assert [c["name"] for c in body["items"]] == ["Clinic 4"]


@pytest.mark.parametrize(
    ("query", "field", "detail"),
    [
        ({"lat": "91", "lng": "0"}, "lat", "lat must be between -90 and 90"),
        ({"lat": "abc", "lng": "0"}, "lat", "lat must be a number, not 'abc'"),
        ({"lat": "45"}, "lng", "lat was given without lng: send both, or a city instead."),
        ({"radius_km": "500"}, "radius_km", "radius_km must be between 1 and 250"),
        (
            {"discipline": "foo"},
            "discipline",
            "unknown discipline 'foo': use physiotherapy, chiropractic or massage_therapy",
        ),
        ({"city": "atlantis"}, "city", "unknown city 'atlantis': use a city slug such as 'toronto'"),
        ({"sort": "cheapest"}, "sort", "unknown sort 'cheapest': use recommended, distance, soonest or score"),
        ({"page_size": "1000"}, "page_size", "page_size must be between 1 and 100"),
        ({"page": "x"}, "page", "page must be a whole number, not 'x'"),
        ({"accessible": "2"}, "accessible", "accessible must be true or false, not '2'"),
        ({"page": "9", "page_size": "2"}, "page", "page 9 is past the last page (1)"),
    ],
)
def test_bad_parameters_answer_400_with_what_to_fix(client, clinic, query, field, detail):
    response = client.get("/api/v1/clinics", query)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "field": field}


@pytest.mark.parametrize("name", ["technique", "language", "insurer"])
def test_unknown_slugs_answer_400(client, clinic, name):
    response = client.get("/api/v1/clinics", {name: "nope"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"unknown {name} 'nope': use one of ")


def test_a_nul_byte_in_a_parameter_is_a_400_not_a_crash(client, clinic):
    response = client.get("/api/v1/clinics?technique=dry%00needling")
    assert response.status_code == 400


@pytest.mark.parametrize("page_size", [3, 15])
def test_the_list_makes_a_bounded_number_of_queries(client, toronto, page_size, django_assert_max_num_queries):
    needling, french = make_technique(), make_language("fr", "French", "Français")
    for _ in range(page_size):
        clinic = make_clinic(city=toronto)
        clinic.languages.add(french)
        practitioner = make_practitioner(clinic=clinic)
        practitioner.techniques.add(needling)
        practitioner.languages.add(french)
    # Fresh next openings (as the worker keeps them): the search then only reads them.
    next_open_times_refresh(clinic_ids=list(Clinic.objects.values_list("pk", flat=True)), now=NOW)
    # technique and language checks, city, then the search's: up to three circles (the last one costed too),
    # the count, freshness, service kinds, next openings, rows, and the cards' practitioners, languages and insurers
    # (one query)
    with django_assert_max_num_queries(13):
        response = client.get(
            "/api/v1/clinics", {"city": "toronto", "technique": "dry-needling", "language": "fr", "page_size": 50}
        )
    assert len(response.json()["items"]) == page_size


def test_a_clinic_by_id_or_slug_answers_its_full_record(client, clinic, django_assert_max_num_queries):
    # the clinic and what it shows (7), its service kinds and next openings (2)
    with django_assert_max_num_queries(11):
        by_id = client.get(f"/api/v1/clinics/{clinic.id}")
    assert by_id.status_code == 200
    body = by_id.json()
    assert body == client.get("/api/v1/clinics/queen-west-physio").json()
    assert body["name"] == "Queen West Physio"
    assert body["distance_km"] is None
    assert body["url"] == "/clinics/toronto/queen-west-physio/"
    assert (body["description"], body["email"], body["website"]) == (
        "Sports injuries.",
        "hello@qwp.example",
        "https://qwp.example",
    )
    assert body["time_zone"] == "America/Toronto"
    assert body["opening_hours"] == [
        {"weekday": 0, "opens": "09:00:00", "closes": "17:00:00"},
        {"weekday": 1, "opens": "13:00:00", "closes": "19:00:00"},
    ]
    (physio,) = body["practitioners"]
    assert physio == {
        "id": physio["id"],
        "name": "Maya Singh",
        "discipline": "physiotherapy",
        "credentials": "PT",
        "college": "College of Physiotherapists of Ontario",
        "registration_number": "12345",
        "techniques": ["dry-needling"],
        "languages": ["pa"],
    }
    (service,) = body["services"]
    assert service == {
        "id": service["id"],
        "name": "Physiotherapy follow-up",
        "name_fr": "Suivi en physiothérapie",
        "discipline": "physiotherapy",
        "kind": "treatment",
        "delivery": "in_person",
        "duration_minutes": 30,
        "price_cents": 9500,
        "practitioner_ids": [physio["id"]],  # not the retired chiropractor
    }


@pytest.mark.parametrize("key", ["no-such-clinic", "999999", "99999999999999999999999", "bad%20slug!", "-1"])
def test_an_unknown_clinic_is_a_404_with_a_message(client, clinic, key):
    response = client.get(f"/api/v1/clinics/{key}")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("No clinic with id or slug '")


def test_the_404_names_the_key(client, clinic):
    assert client.get("/api/v1/clinics/nope").json() == {"detail": "No clinic with id or slug 'nope'."}


@pytest.mark.parametrize("status", [NetworkStatus.APPLICANT, NetworkStatus.SUSPENDED, NetworkStatus.REMOVED])
def test_a_clinic_outside_the_network_is_a_404(client, clinic, status):
    clinic.network_status = status
    clinic.save()
    assert client.get(f"/api/v1/clinics/{clinic.id}").status_code == 404
    assert client.get(f"/api/v1/clinics/{clinic.slug}").status_code == 404
    assert client.get("/api/v1/clinics").json()["count"] == 0


def test_the_openapi_document_names_the_endpoints_and_parameters(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/clinics", "/api/v1/clinics/{id_or_slug}", "/api/v1/cities"} <= set(schema["paths"])
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/clinics"]["get"]["parameters"]}
    assert set(parameters) == {
        "lat",
        "lng",
        "radius_km",
        "city",
        "discipline",
        "technique",
        "language",
        "insurer",
        "accessible",
        "available",
        "within_days",
        "sort",
        "page",
        "page_size",
    }
    assert "number" in str(parameters["lat"]["schema"])


def test_the_docs_page_loads_swagger_from_our_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"' in html
    assert "cdn" not in html.lower()
