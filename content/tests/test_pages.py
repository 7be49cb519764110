"""The guide pages in both languages: content, calls to action, links, 404s and their schema.org JSON-LD."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clinics.models import OpeningHours
from clinics.testing import make_city, make_clinic, make_practitioner, make_service, make_technique
from content.models import Guide, RevisionSource
from content.services import guide_save, guides_publish
from content.tests.conftest import ART

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def json_ld(html: str) -> list[dict[str, Any]]:
    """Every node of the page's JSON-LD graphs."""
    nodes: list[dict[str, Any]] = []
    for block in JSON_LD.findall(html):
        data = json.loads(block)
        nodes.extend(data.get("@graph", [data]))
    return nodes


def of_type(nodes: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (node,) = [n for n in nodes if n["@type"] == kind]
    return node


def condition(**fields: Any) -> Guide:
    """A condition guide that names ART as related (so ART links back to it); a slug of its own, so the shipped
    lower-back-pain guide (once written) is not in the way."""
    art = Guide.objects.get(slug=ART)
    guide = Guide(
        kind="condition",
        slug="test-lower-back-pain",
        title_en="Lower back pain",
        title_fr="Douleur au bas du dos",
        summary_en="What helps lower back pain.",
        summary_fr="Ce qui aide la douleur au bas du dos.",
        body_markdown_en="Intro. See [ART](/guides/active-release-technique/).",
        body_markdown_fr="Intro. Voyez [l'ART](/fr/guides/active-release-technique/).",
        related=[ART],
        reviewed=art.reviewed,
        reviewer_en="Panel",
        reviewer_fr="Comité",
        reviewer_credentials_en="PT",
        reviewer_credentials_fr="Pht",
        **fields,
    )
    guide_save(guide=guide, by=None, source=RevisionSource.LOAD, now=timezone.now())
    return guide


def test_the_index_groups_the_guides_by_kind_in_both_languages(client: Client, shipped_guides: list[str]) -> None:
    english = client.get("/guides/").content.decode()
    french = client.get("/fr/guides/").content.decode()

    assert '<h2 id="kind-treatment">Treatments</h2>' in english
    assert f'href="/guides/{ART}/"' in english and "Active Release Technique (ART)" in english
    assert f'href="/fr/guides/{ART}/"' in french and "La technique de relâchement actif" in french


@pytest.mark.parametrize(
    ("prefix", "reviewed", "faq"),
    [("", "Nov. 23, 2026", "Does ART hurt?"), ("/fr", "23 novembre 2026", "Est-ce que l'ART fait mal?")],
)
def test_a_guide_shows_its_review_body_faq_sources_disclaimer_and_calls_to_action(
    client: Client, shipped_guides: list[str], prefix: str, reviewed: str, faq: str
) -> None:
    response = client.get(f"{prefix}/guides/{ART}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert reviewed in html and 'datetime="2026-11-23"' in html
    assert "ART-certified" in html or "certifiés ART" in html
    assert faq.replace("'", "&#x27;") in html
    assert "Journal of Manipulative and Physiological Therapeutics, 2006" in html
    assert (
        'class="guide__disclaimer"' in html and "not medical advice" in client.get(f"/guides/{ART}/").content.decode()
    )
    # "Find clinics offering this": the search form and city links filtered by the guide's technique.
    assert f'action="{prefix}/search/"' in html
    assert '<input type="hidden" name="technique" value="active-release-technique">' in html
    # "Tell us what hurts" (the patients app's include) and "book a free consultation".
    assert html.count('class="guide__what-hurts"') == 1
    assert 'id="cta-consult-title"' in html


def test_french_links_in_the_body_stay_french(client: Client, shipped_guides: list[str]) -> None:
    html = client.get(f"/fr/guides/{ART}/").content.decode()
    body = html.split('class="guide__body"')[1].split("</div>")[0]
    assert 'href="/fr/guides/' in body and 'href="/guides/' not in body


def test_unknown_and_unpublished_guides_are_404(client: Client, shipped_guides: list[str]) -> None:
    assert client.get("/guides/no-such-guide/").status_code == 404
    guides_publish(guides=Guide.objects.filter(slug=ART), published=False, by=None, now=timezone.now())
    assert client.get(f"/guides/{ART}/").status_code == 404
    assert client.get(f"/fr/guides/{ART}/").status_code == 404
    assert f"/guides/{ART}/" not in client.get("/guides/").content.decode()


def test_the_guide_json_ld_is_a_reviewed_medical_web_page_with_faq_and_breadcrumbs(
    client: Client, shipped_guides: list[str]
) -> None:
    nodes = json_ld(client.get(f"/fr/guides/{ART}/").content.decode())

    page = of_type(nodes, "MedicalWebPage")
    assert page["lastReviewed"] == "2026-11-23"
    assert page["inLanguage"] == "fr-CA"
    assert page["url"].endswith(f"/fr/guides/{ART}/")
    faq = of_type(nodes, "FAQPage")
    assert faq["mainEntity"][0]["name"] == "Est-ce que l'ART fait mal?"
    crumbs = of_type(nodes, "BreadcrumbList")["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3] and crumbs[2]["item"] == page["url"]


def test_json_ld_cannot_close_its_script_element(client: Client, shipped_guides: list[str]) -> None:
    guide = Guide.objects.get(slug=ART)
    sneaky = "Yes </script><script>alert(1)</script> & more"
    guide.faq_en = [{"question": "Sneaky?", "answer": sneaky}]
    guide_save(guide=guide, by=None, source=RevisionSource.ADMIN, now=timezone.now())

    html = client.get(f"/guides/{ART}/").content.decode()

    assert "<script>alert(1)" not in html
    assert of_type(json_ld(html), "FAQPage")["mainEntity"][0]["acceptedAnswer"]["text"] == sneaky


def test_a_treatment_links_to_the_conditions_that_name_it_and_back(client: Client, shipped_guides: list[str]) -> None:
    condition()

    art = client.get(f"/guides/{ART}/").content.decode()
    back = client.get("/guides/test-lower-back-pain/").content.decode()

    related = art.split('id="related-title"')[1]
    assert 'href="/guides/test-lower-back-pain/"' in related
    assert f'href="/guides/{ART}/"' in back.split('id="related-title"')[1]
    # A related guide that is not loaded (art-vs-massage, in this branch's files or not) is never a broken link.
    for slug in re.findall(r'href="/guides/([a-z0-9-]+)/"', related):
        assert Guide.objects.published().filter(slug=slug).exists()


def test_the_condition_template_puts_what_hurts_first(client: Client, shipped_guides: list[str]) -> None:
    condition()
    html = client.get("/guides/test-lower-back-pain/").content.decode()
    assert html.index('class="guide__what-hurts"') < html.index('class="guide__body"')


def test_every_public_page_names_its_canonical_address_and_both_languages(
    client: Client, shipped_guides: list[str]
) -> None:
    html = client.get("/fr/guides/?utm=x").content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/fr/guides/">' in html
    assert '<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/guides/">' in html
    assert '<link rel="alternate" hreflang="fr" href="http://127.0.0.1:8000/fr/guides/">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://127.0.0.1:8000/guides/">' in html
    home = client.get("/").content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in home
    assert '<meta property="og:locale" content="en_CA">' in home
    guide = client.get(f"/guides/{ART}/").content.decode()
    assert '<meta property="og:type" content="article">' in guide
    assert '<meta property="og:title" content="Active Release Technique (ART): what it is and who' in guide


def test_a_clinic_profile_links_to_the_guides_of_its_techniques_and_describes_itself(
    client: Client, shipped_guides: list[str]
) -> None:
    toronto = make_city(slug="toronto")
    clinic = make_clinic(
        city=toronto, name="King Street Physio", slug="king-street-physio", website="https://ks.example"
    )
    chen = make_practitioner(clinic=clinic)
    chen.techniques.add(make_technique(ART, "Active Release Technique (ART)", "Technique de relâchement actif (ART)"))
    make_service(clinic=clinic, practitioners=[chen])
    OpeningHours.objects.create(clinic=clinic, weekday=0, opens="09:00", closes="17:00")

    html = client.get("/fr/clinics/toronto/king-street-physio/").content.decode()

    learn = html.split('id="learn-title"')[1]
    assert f'href="/fr/guides/{ART}/"' in learn
    place = of_type(json_ld(html), "MedicalClinic")
    assert place["address"]["addressLocality"] == "Toronto" and place["address"]["addressCountry"] == "CA"
    assert place["geo"]["latitude"] == pytest.approx(clinic.latitude)
    assert place["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Monday",
            "opens": "09:00",
            "closes": "17:00",
        }
    ]
    assert of_type(json_ld(html), "BreadcrumbList")["itemListElement"][-1]["name"] == "King Street Physio"


def test_a_city_page_is_a_landing_page(client: Client, shipped_guides: list[str]) -> None:
    toronto = make_city(slug="toronto")
    for name in ("One", "Two"):
        clinic = make_clinic(city=toronto, name=name)
        chen = make_practitioner(clinic=clinic)
        chen.techniques.add(make_technique(ART, "ART", "ART") if name == "One" else make_technique())
        make_service(clinic=clinic, practitioners=[chen])

    html = client.get("/clinics/toronto/").content.decode()

    facts = html.split('class="city-facts"')[1].split("</dl>")[0]
    assert "<dd>2</dd>" in facts
    assert "Physiotherapy" in facts
    assert "Soonest opening today" in facts
    featured = html.split('id="city-guides-title"')[1]
    assert f'href="/guides/{ART}/"' in featured
