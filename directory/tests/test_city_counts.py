"""One definition of "the clinics in Toronto": the home page's chip, the city index and the city page agree."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clinics.models import NetworkStatus
from clinics.testing import make_city, make_clinic
from directory.search import SearchError, SearchParams
from directory.selectors import clinic_params_parse, clinic_search
from scheduling.testing import toronto as toronto_time

pytestmark = pytest.mark.django_db

NOW = toronto_time(2026, 3, 2, 8, 0)


@pytest.fixture
def cities():
    """Toronto with two in-network clinics (one 18 km out, inside the city) and one applicant; Mississauga,
    next door, with one clinic 15 km from Toronto's centre."""
    toronto = make_city(name="Toronto", slug="toronto", latitude=43.70011, longitude=-79.4163)
    mississauga = make_city(
        name="Mississauga", slug="mississauga", latitude=43.5789, longitude=-79.6583, population=717_961
    )
    make_clinic(city=toronto, name="Yonge", latitude=43.7001, longitude=-79.4163)
    make_clinic(city=toronto, name="Scarborough edge", latitude=43.80, longitude=-79.22)  # ~19 km away
    make_clinic(city=toronto, name="Applicant", network_status=NetworkStatus.APPLICANT)
    make_clinic(city=mississauga, name="Cooksville", latitude=43.589, longitude=-79.60)  # ~15 km from Toronto
    return {"toronto": toronto, "mississauga": mississauga}


def heading(html: str) -> str:
    found = re.search(r'<h2 class="results__title" id="results-title">\s*(.*?)\s*</h2>', html, re.S)
    assert found, "no results heading"
    return " ".join(found.group(1).split())


def test_the_city_page_counts_the_clinics_the_home_page_and_the_index_count(client, cities):
    home = client.get("/").content.decode()
    index = client.get(reverse("directory:city_index")).content.decode()
    page = client.get(reverse("directory:city", args=["toronto"]))
    assert re.search(r"Toronto <span class=\"chip__count\">2 clinics</span>", home)
    assert re.search(r"<span>Toronto</span> <span class=\"muted\">2 clinics</span>", index)
    assert heading(page.content.decode()) == "2 clinics in Toronto"
    assert [hit.clinic.name for hit in page.context["results"].items] == ["Yonge", "Scarborough edge"]


def test_a_radius_on_the_city_page_searches_around_it_instead(client, cities):
    page = client.get(reverse("directory:city", args=["toronto"]), {"radius_km": "25"})
    assert heading(page.content.decode()) == "3 clinics within 25 km of Toronto"
    assert '<option value="">In Toronto</option>' in page.content.decode()


def test_the_in_city_search_keeps_a_clinic_far_out_in_the_city_and_drops_a_near_one_next_door(cities):
    names = [
        hit.clinic.name
        for hit in clinic_search(params=SearchParams(city="toronto", in_city=True, radius_km=5), now=NOW).items
    ]
    assert names == ["Yonge", "Scarborough edge"]


def test_in_city_without_a_city_says_what_to_send():
    with pytest.raises(SearchError) as error:
        clinic_params_parse({"in_city": "1", "lat": "43.7", "lng": "-79.4"})
    assert error.value.field == "in_city"


def test_a_clinic_on_probation_is_listed_and_counted_everywhere(client, cities):
    make_clinic(city=cities["toronto"], name="On probation", network_status=NetworkStatus.PROBATION)
    make_clinic(city=cities["toronto"], name="Suspended", network_status=NetworkStatus.SUSPENDED)
    home = client.get("/").content.decode()
    index = client.get(reverse("directory:city_index")).content.decode()
    page = client.get(reverse("directory:city", args=["toronto"])).content.decode()
    assert re.search(r"Toronto <span class=\"chip__count\">3 clinics</span>", home)
    assert re.search(r"<span>Toronto</span> <span class=\"muted\">3 clinics</span>", index)
    assert heading(page) == "3 clinics in Toronto"
