"""What patients and other systems see: the inspection API, the "How we inspect" page, the clinic's breakdown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clinics.models import NetworkStatus
from painhero.testing import NOW, World
from quality.models import Inspection
from quality.rubric import POINTS, RUBRIC, RUBRIC_VERSION
from quality.services import inspection_finish, inspection_start

from .conftest import decide_all


@pytest.fixture
def inspected(world: World, inspector: Any) -> Inspection:
    inspection = inspection_start(clinic=world.clinic, inspector=inspector, now=NOW)
    decide_all(inspection, inspector, safety_records=False)
    return inspection_finish(inspection=inspection, by=inspector, now=NOW)


def test_the_api_answers_a_clinics_inspection_over_all_50_points(
    client: Client, world: World, inspected: Inspection
) -> None:
    response = client.get(f"/api/v1/clinics/{world.clinic.pk}/inspection")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"score", "status", "inspected_on", "rubric_version", "categories"}
    assert body["score"] == inspected.score and body["status"] == "in_network"
    assert body["inspected_on"] == "2026-12-07" and body["rubric_version"] == RUBRIC_VERSION
    assert [c["weight"] for c in body["categories"]] == [c.weight for c in RUBRIC]
    points = [p for c in body["categories"] for p in c["points"]]
    assert len(points) == 50 and {p["id"] for p in points} == set(POINTS)
    assert set(points[0]) == {"id", "label", "passed", "gate", "computed"}
    by_id = {p["id"]: p for p in points}
    assert by_id["safety-records"]["passed"] is False and by_id["safety-consent"]["passed"] is True
    assert by_id["credentials-register"]["gate"] and not by_id["credentials-register"]["computed"]
    assert by_id["reviews-count"] == by_id["reviews-count"] | {"passed": None, "computed": True}


def test_the_api_labels_follow_accept_language(client: Client, world: World, inspected: Inspection) -> None:
    from django.utils import translation

    body = client.get(f"/api/v1/clinics/{world.clinic.pk}/inspection", headers={"Accept-Language": "fr"}).json()
    # "Titres et confiance" once the lead merges /tmp/po/quality.po into the French catalogue.
    with translation.override("fr"):
        assert body["categories"][0]["name"] == str(RUBRIC[0].name)


def test_a_clinic_never_inspected_answers_every_point_as_not_assessed(client: Client, world: World) -> None:
    body = client.get(f"/api/v1/clinics/{world.clinic.pk}/inspection").json()
    assert body["score"] is None and body["inspected_on"] is None
    assert all(p["passed"] is None for c in body["categories"] for p in c["points"])


@pytest.mark.parametrize("status", [NetworkStatus.APPLICANT, NetworkStatus.SUSPENDED, NetworkStatus.REMOVED])
def test_the_api_answers_404_for_a_clinic_that_is_not_public(client: Client, world: World, status: str) -> None:
    world.clinic.network_status = status
    world.clinic.save(update_fields=["network_status"])
    response = client.get(f"/api/v1/clinics/{world.clinic.pk}/inspection")
    assert response.status_code == 404 and "No clinic in the network" in response.json()["detail"]


@pytest.mark.parametrize("key", ["999999", "0", "abc", "99999999999999999999999"])
def test_the_api_answers_4xx_for_an_unknown_or_bad_id(client: Client, world: World, key: str) -> None:
    assert client.get(f"/api/v1/clinics/{key}/inspection").status_code in (404, 422)


def test_how_we_inspect_lists_all_50_points_weights_and_the_formula_in_english_and_french(client: Client) -> None:
    html = client.get("/how-we-inspect/").content.decode()
    assert html.count('<li id="point-') == 50
    assert "Credentials and trust" in html and "15 %" in html and "score = 100 ×" in html
    assert "A clinic is admitted when every gate passes and its score is 70 or more." in html
    french = client.get("/fr/how-we-inspect/")
    assert french.status_code == 200 and french.content.decode().count('<li id="point-') == 50


def test_the_clinic_page_shows_the_breakdown_and_links_to_how_we_inspect(
    client: Client, world: World, inspected: Inspection
) -> None:
    html = client.get(f"/clinics/{world.clinic.city.slug}/{world.clinic.slug}/").content.decode()
    assert "Inspection by category" in html
    assert "Inspected on 7 December 2026 under rubric 2026.1." in html
    assert "4 of 5" in html  # safety: one point failed
    assert 'href="/how-we-inspect/"' in html


def test_the_clinic_page_shows_a_new_inspection_at_once_despite_its_cache(
    client: Client, world: World, inspector: Any
) -> None:
    url = f"/clinics/{world.clinic.city.slug}/{world.clinic.slug}/"
    assert "No finished inspection yet." in client.get(url).content.decode()
    inspection = inspection_start(clinic=world.clinic, inspector=inspector, now=NOW)
    decide_all(inspection, inspector)
    inspection_finish(inspection=inspection, by=inspector, now=NOW)
    assert "Inspected on 7 December 2026" in client.get(url).content.decode()


def test_the_report_of_a_clinic_is_one_query(
    world: World, inspected: Inspection, django_assert_num_queries: Any
) -> None:
    from quality.selectors import inspection_report

    with django_assert_num_queries(1):
        report = inspection_report(clinic=world.clinic)
    assert report.inspection == inspected and sum(len(c.points) for c in report.categories) == 50


def test_how_we_inspect_states_the_adjusted_rating_formula_with_m_and_c(client: Client) -> None:
    html = client.get("/how-we-inspect/").content.decode()
    assert "adjusted = v ÷ (v + m) × R + m ÷ (v + m) × C" in html and "m = 10 and C = 4.20" in html
