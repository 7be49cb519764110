"""The "what hurts?" search, sitemap.xml and robots.txt."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from clinics.models import NetworkStatus
from clinics.testing import make_city, make_clinic
from content.models import Guide
from content.services import guides_publish
from content.tests.conftest import ART

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


@pytest.mark.parametrize(
    "path",
    [
        "/guides/search/?q=hamstring",
        "/guides/search/?q=HAMSTRING+flexibility",
        "/fr/guides/search/?q=relâchement",
        "/fr/guides/search/?q=relachement",  # accents ignored
        "/fr/guides/search/?q=ISCHIO-JAMBIERS",
    ],
)
def test_the_search_finds_a_guide_in_the_visitors_language(
    client: Client, shipped_guides: list[str], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    prefix = "/fr" if path.startswith("/fr/") else ""
    assert f'href="{prefix}/guides/{ART}/"' in response.content.decode()


def test_the_search_looks_in_the_active_language_only(client: Client, shipped_guides: list[str]) -> None:
    # "ischio-jambiers" is the French for hamstrings: not a word of the English guide.
    assert f"/guides/{ART}/" not in client.get("/guides/search/?q=ischio-jambiers").content.decode()


def test_no_match_says_so_and_offers_the_index(client: Client, shipped_guides: list[str]) -> None:
    html = client.get("/guides/search/?q=zebra+stripes").content.decode()
    assert "No guide matches “zebra stripes”." in html
    assert 'href="/guides/"' in html


def test_an_empty_query_asks_what_hurts(client: Client, shipped_guides: list[str]) -> None:
    response = client.get("/guides/search/")
    assert response.status_code == 200
    assert "Describe where it hurts" in response.content.decode()


@pytest.mark.parametrize(("q", "message"), [("x", "Type at least 2 letters"), ("back " * 30, "too long to search")])
def test_a_query_too_short_or_too_long_is_a_400_that_says_what_to_do(
    client: Client, shipped_guides: list[str], q: str, message: str
) -> None:
    response = client.get("/guides/search/", {"q": q})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unpublished_guide_is_not_found_by_the_search(client: Client, shipped_guides: list[str]) -> None:
    guides_publish(guides=Guide.objects.filter(slug=ART), published=False, by=None, now=timezone.now())
    assert f"/guides/{ART}/" not in client.get("/guides/search/?q=hamstring").content.decode()


def _locations(client: Client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own sitemap, not untrusted input)
    return [loc.text or "" for loc in root.iterfind(".//sm:loc", NS)]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_the_sitemap_lists_every_published_guide_in_both_languages_and_each_answers_200(
    client: Client, shipped_guides: list[str]
) -> None:
    toronto = make_city(slug="toronto")
    make_clinic(city=toronto, slug="king-street-physio")
    make_clinic(city=toronto, slug="gone", network_status=NetworkStatus.SUSPENDED)

    sections = [_path(url) for url in _locations(client, "/sitemap.xml")]
    urls = [url for section in sections for url in _locations(client, section)]

    paths = {_path(url) for url in urls}
    for slug in shipped_guides:
        assert f"/guides/{slug}/" in paths and f"/fr/guides/{slug}/" in paths
    assert {"/", "/fr/", "/guides/", "/fr/guides/", "/clinics/toronto/", "/fr/clinics/toronto/"} <= paths
    assert {"/clinics/toronto/massage-therapy/", "/fr/clinics/toronto/physiotherapy/"} <= paths
    assert "/clinics/toronto/king-street-physio/" in paths
    assert "/clinics/toronto/gone/" not in paths
    assert all(url.startswith("http://127.0.0.1:8000/") for url in urls)  # SITE_URL, not the request's host
    for path in sorted(paths):
        assert client.get(path).status_code == 200, path


def test_the_guides_sitemap_names_each_pages_other_language(client: Client, shipped_guides: list[str]) -> None:
    root = ElementTree.fromstring(client.get("/sitemap-guides.xml").content)  # noqa: S314 (our own sitemap)
    french = f"/fr/guides/{ART}/"
    entry = next(u for u in root.iterfind("sm:url", NS) if (u.findtext("sm:loc", namespaces=NS) or "").endswith(french))
    alternates = {link.get("hreflang"): link.get("href") for link in entry.iterfind("xhtml:link", NS)}
    assert alternates == {
        "en": f"http://127.0.0.1:8000/guides/{ART}/",
        "fr": f"http://127.0.0.1:8000/fr/guides/{ART}/",
        "x-default": f"http://127.0.0.1:8000/guides/{ART}/",
    }


def test_an_unpublished_guide_leaves_the_sitemap(client: Client, shipped_guides: list[str]) -> None:
    guides_publish(guides=Guide.objects.filter(slug=ART), published=False, by=None, now=timezone.now())
    assert not any(ART in url for url in _locations(client, "/sitemap-guides.xml"))


def test_clinic_profiles_are_paged_in_the_sitemap(client: Client, db: object) -> None:
    assert client.get("/sitemap-clinics.xml?p=99").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_keeps_booking_manage_links_portal_and_api_out(client: Client) -> None:
    response = client.get("/robots.txt")
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/plain")
    kept_out = ("/book/", "/fr/book/", "/appointments/", "/fr/appointments/", "/portal/", "/fr/portal/", "/api/")
    for prefix in (*kept_out, "/admin/"):
        assert f"Disallow: {prefix}" in lines
    assert "Disallow: /guides/" not in lines and "Disallow: /" not in lines
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in lines
