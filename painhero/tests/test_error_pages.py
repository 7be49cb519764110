"""Error pages are the site's own: branded, translated, with a way back home."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import permission_denied

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A /fr/ request leaves French active in this thread; later tests expect the language they found."""
    previous = translation.get_language()
    yield
    translation.activate(previous)


def test_a_missing_page_answers_a_branded_404_with_a_way_back_home(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We can’t find that page" in page
    assert 'class="site-header"' in page
    assert '<a class="button button--primary" href="/">' in page


def test_the_404_page_speaks_french_under_fr(client: Client) -> None:
    response = client.get("/fr/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert '<a class="button button--primary" href="/fr/">' in page


def test_a_forbidden_page_answers_a_branded_403() -> None:
    request = RequestFactory().get("/portal/")
    with translation.override("en"):
        response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    page = response.content.decode()
    assert "You can’t open this page" in page
    assert 'href="/"' in page


def test_a_form_sent_without_its_csrf_token_answers_a_friendly_403_that_says_to_reload() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/portal/sign-in/", {"username": "someone@example.com", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page
    assert "Reload the page and try again" in page
    assert 'href="/portal/sign-in/"' in page
    assert "CSRF" not in page


def test_the_csrf_page_speaks_french_under_fr() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/fr/portal/sign-in/", {"username": "someone@example.com", "password": "x"})
    assert response.status_code == 403
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_on_a_dead_link_finds_their_way_back_to_the_search(page: Any, live_server: Any) -> None:
    response = page.goto(f"{live_server.url}/appointments/no-longer-valid/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We can’t find that page"
    page.get_by_role("link", name="Back to the home page").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("header.site-header").is_visible()
