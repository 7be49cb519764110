"""'Tell us what hurts' is reachable from the header, the home page and every clinic profile."""

from __future__ import annotations

from django.test import Client

from painhero.testing import World


def test_the_header_links_to_the_intake_on_every_page(client: Client, world: World) -> None:
    html = client.get("/clinics/").content.decode()
    assert '<a href="/what-hurts/">Tell us what hurts</a>' in html


def test_the_home_page_calls_to_action(client: Client, world: World) -> None:
    html = client.get("/").content.decode()
    assert 'class="what-hurts-cta"' in html
    assert 'class="button button--primary what-hurts-cta__button" href="/what-hurts/"' in html


def test_a_clinic_profile_calls_to_action_even_from_the_cache(client: Client, world: World) -> None:
    url = f"/clinics/{world.clinic.city.slug}/{world.clinic.slug}/"
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()  # the static parts now come from the cache
    for html in (first, second):
        assert html.count('class="what-hurts-cta"') == 1


def test_the_french_pages_link_to_the_french_intake(client: Client, world: World) -> None:
    html = client.get("/fr/").content.decode()
    assert 'href="/fr/what-hurts/"' in html
