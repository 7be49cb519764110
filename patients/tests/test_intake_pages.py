"""The "Tell us what hurts" pages: the steps, the draft in the session, the answer page and its privacy."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from patients.models import Intake, IntakeAccess
from patients.rules import red_flags_for

URL = "/what-hurts/"


def step(client: Client, number: int, **data: Any) -> Any:
    return client.post(URL, {"step": str(number), "action": "next", **data})


def answer_all(
    client: Client, *, regions: tuple[str, ...] = ("lower_back",), yes: tuple[str, ...] = (), **about: Any
) -> Any:
    """Every step, answered; returns the last response (the redirect to the answer page)."""
    assert step(client, 1, region=list(regions)).status_code == 302
    assert step(client, 2, duration="1_6_weeks", onset="gradual").status_code == 302
    assert step(client, 3, pain_now="6").status_code == 302
    assert step(client, 4, activity_1="Tying my shoes", score_1="3").status_code == 302
    assert step(client, 5, age=str(about.get("age", 40)), goals=about.get("goals", "")).status_code == 302
    signs = {q.id: ("yes" if q.id in yes else "no") for q in red_flags_for(list(regions))}
    assert step(client, 6, **signs).status_code == 302
    return step(client, 7, consent="on")


def test_the_first_step_shows_the_body_map_and_the_plain_list(client: Client, now: datetime) -> None:
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Step 1 of 7" in html
    assert '<progress max="7" value="1"' in html
    assert html.count('name="toggle"') == 16  # the body map's buttons, front and back
    assert html.count('name="region"') == 11  # the same regions as a list
    assert 'aria-pressed="false"' in html


def test_a_body_map_button_turns_its_region_on_and_off_without_javascript(client: Client, now: datetime) -> None:
    response = client.post(URL, {"step": "1", "toggle": "lower_back"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'value="lower_back"[^>]*aria-pressed="true"', page)
    assert re.search(r'name="region" value="lower_back"[^>]*checked', page)
    client.post(URL, {"step": "1", "toggle": "lower_back", "region": ["lower_back"]})
    assert 'aria-pressed="true"' not in client.get(URL).content.decode()


def test_a_reload_keeps_the_answers_and_back_goes_back(client: Client, now: datetime) -> None:
    step(client, 1, region=["lower_back", "knee"])
    step(client, 2, duration="6_12_weeks", onset="injury")
    page = client.get(URL).content.decode()  # a reload lands on the step to answer next
    assert "Step 3 of 7" in page
    back = client.post(URL, {"step": "3", "action": "back"})
    assert back["Location"].endswith("?step=2")
    page = client.get(back["Location"]).content.decode()
    assert re.search(r'value="6_12_weeks"[^>]*checked', page)
    assert re.search(r'value="injury"[^>]*checked', page)


def test_a_get_changes_nothing_in_the_draft(client: Client, now: datetime) -> None:
    step(client, 1, region=["knee"])
    before = dict(client.session)
    client.get(URL + "?step=1")
    client.get(URL + "?step=7")
    assert dict(client.session) == before


def test_a_step_cannot_be_skipped_by_its_url(client: Client, now: datetime) -> None:
    step(client, 1, region=["knee"])
    assert "Step 2 of 7" in client.get(URL + "?step=6").content.decode()
    assert "Step 2 of 7" in client.get(URL + "?step=x").content.decode()


def test_an_unanswered_step_says_what_to_fix(client: Client, now: datetime) -> None:
    response = step(client, 1)
    assert response.status_code == 400
    assert "Choose at least one place that hurts." in response.content.decode()


def test_every_warning_sign_that_applies_must_be_answered(client: Client, now: datetime) -> None:
    step(client, 1, region=["lower_back"])
    step(client, 2, duration="1_6_weeks", onset="gradual")
    step(client, 3, pain_now="6")
    step(client, 4)
    step(client, 5, age="40")
    page = client.get(URL).content.decode()
    assert "Step 6 of 7" in page
    assert 'name="cauda_equina"' in page
    assert 'name="myelopathy"' not in page  # a neck question
    signs = {q.id: "no" for q in red_flags_for(["lower_back"])}
    del signs["cauda_equina"]
    response = step(client, 6, **signs)
    assert response.status_code == 400
    assert "cannot be skipped" in response.content.decode()


def test_routine_answers_show_the_care_that_fits_and_the_links(client: Client, now: datetime) -> None:
    response = answer_all(client)
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert response["Location"] == f"/what-hurts/answer/{intake.public_id}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert "Good news: no warning signs" in html
    assert "<strong>physiotherapy</strong>" in html
    assert "/search/?discipline=physiotherapy" in html
    assert "Book a free consultation" in html
    assert client.session.get("intake_draft") is None  # sent: the draft is gone


def test_an_emergency_answer_offers_no_booking_at_all(client: Client, now: datetime) -> None:
    response = answer_all(client, yes=("cauda_equina",))
    html = client.get(response["Location"]).content.decode()
    assert "Call 911 or go to the nearest emergency department now" in html
    assert "bladder" in html  # the reason, in plain words
    links = re.findall(r'href="([^"]+)"', html)
    assert not [link for link in links if re.search(r"search|clinics|book|/what-hurts", link)], links
    assert '<meta name="robots" content="noindex, nofollow">' in html, "a private page is kept out of indexes"
    assert "free consultation" not in html.lower()


def test_an_urgent_answer_offers_booking_only_after_the_clearance(client: Client, now: datetime) -> None:
    response = answer_all(client, yes=("night_pain",))
    answer_url = response["Location"]
    html = client.get(answer_url).content.decode()
    assert "See a doctor first" in html
    assert "/search/" not in html
    assert "A doctor has seen me" in html
    html = client.get(answer_url + "?province=QC").content.decode()
    assert "Info-Santé 811" in html
    intake = Intake.objects.get()
    clearance = client.post(f"{answer_url}clearance/")
    assert clearance.status_code == 302
    intake.refresh_from_db()
    assert intake.medical_clearance_at == now
    html = client.get(answer_url).content.decode()
    assert "/search/?discipline=" in html


def test_the_clearance_is_a_post(client: Client, now: datetime) -> None:
    response = answer_all(client, yes=("night_pain",))
    assert client.get(response["Location"] + "clearance/").status_code == 405
    assert Intake.objects.get().medical_clearance_at is None


def test_a_routine_intake_takes_no_clearance(client: Client, now: datetime) -> None:
    response = answer_all(client)
    assert client.post(response["Location"] + "clearance/").status_code == 404


def test_the_answer_page_needs_the_session_that_sent_it(client: Client, now: datetime) -> None:
    response = answer_all(client)
    assert Client().get(response["Location"]).status_code == 404
    assert IntakeAccess.objects.count() == 0


def test_each_read_of_the_answer_page_is_recorded(client: Client, now: datetime) -> None:
    response = answer_all(client)
    client.get(response["Location"])
    client.get(response["Location"])
    accesses = list(IntakeAccess.objects.values_list("reader", "where", "at"))
    assert accesses == [("patient", "patients:answer", now)] * 2


def test_no_answer_appears_in_a_url_or_the_logs(
    client: Client, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "Dance at my daughter's wedding"
    urls = []
    client.post(URL, {"step": "1", "action": "next"})  # a 400, which Django logs
    steps: list[dict[str, Any]] = [
        {"region": ["lower_back"]},
        {"duration": "1_6_weeks", "onset": "gradual"},
        {"pain_now": "6"},
        {"activity_1": "Tying my shoes", "score_1": "3"},
        {"age": "40", "goals": secret},
        {q.id: "no" for q in red_flags_for(["lower_back"])},
        {"consent": "on"},
    ]
    for number, data in enumerate(steps, start=1):
        response = step(client, number, **data)
        urls.append(response["Location"])
        urls.extend(re.findall(r'(?:href|action)="([^"]+)"', client.get(response["Location"]).content.decode()))
    for url in urls:
        for value in ("lower_back", "gradual", "Tying", "wedding", "1_6_weeks", "cauda"):
            assert value not in url, url
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records
    assert "wedding" not in logged
    assert "lower_back" not in logged


def test_the_pages_are_in_french_under_fr(client: Client, now: datetime, french: None) -> None:
    page = client.get("/fr/what-hurts/").content.decode()
    assert "Où avez-vous mal?" in page
    assert "Étape 1 sur 7" in page
    response = client.post("/fr/what-hurts/", {"step": "1", "action": "next"})
    assert "Choisissez au moins un endroit" in response.content.decode()


def test_the_suggested_techniques_link_to_their_guides(client: Client, now: datetime) -> None:
    from content.guide_files import guide_files_read
    from content.services import guides_load

    guides, errors = guide_files_read()
    assert not errors
    guides_load(guides=guides, now=now)
    response = answer_all(client)
    intake = Intake.objects.get()
    assert "active-release-technique" in intake.suggested_techniques
    html = client.get(response["Location"]).content.decode()
    assert 'href="/guides/active-release-technique/"' in html
