"""The patient pages: home, search, cities and clinic profiles, in English and French."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

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


@pytest.fixture
def toronto():
    return make_city(name="Toronto", name_fr="Toronto", slug="toronto", population=2_600_000)


@pytest.fixture
def montreal():
    return make_city(
        name="Montreal",
        name_fr="Montréal",
        slug="montreal",
        province="QC",
        latitude=45.50884,
        longitude=-73.58781,
        population=1_700_000,
        time_zone="America/Toronto",
    )


@pytest.fixture
def king_street(toronto):
    """An in-network Toronto clinic with a physiotherapist who does dry needling and speaks French."""
    clinic = make_clinic(
        city=toronto,
        name="King Street Physio",
        slug="king-street-physio",
        phone="+14165550123",
        wheelchair_accessible=True,
        inspection_score=92,
    )
    french = make_language("fr", "French", "Français")
    clinic.languages.add(make_language("en", "English", "Anglais"), french)
    clinic.insurers.add(make_insurer("manulife", "Manulife", "Manuvie"))
    physio = make_practitioner(
        clinic=clinic,
        first_name="Amélie",
        last_name="Tremblay",
        college="College of Physiotherapists of Ontario",
        registration_number="12345",
    )
    physio.techniques.add(make_technique())
    physio.languages.add(french)
    make_service(clinic=clinic, practitioners=[physio], price_cents=129500)
    OpeningHours.objects.create(clinic=clinic, weekday=0, opens=time(8), closes=time(18))
    return clinic


def test_the_home_page_offers_a_city_search_and_the_biggest_cities(client, king_street):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="combobox"' in html
    assert 'aria-controls="where-listbox"' in html
    assert reverse("directory:city", args=["toronto"]) in html
    assert "?discipline=massage_therapy" in html


def test_the_home_page_in_french_is_in_french(client, montreal):
    make_clinic(city=montreal)
    response = client.get("/fr/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Trouvez une clinique" in html
    assert "Montréal" in html
    # The switch back leads to the same page in English.
    assert 'name="next" value="/"' in html


def test_the_language_switch_points_at_the_same_page_in_the_other_language(client, king_street):
    response = client.get("/clinics/toronto/?sort=score")
    assert 'name="next" value="/fr/clinics/toronto/?sort=score"' in response.content.decode()


def test_search_by_city_lists_clinics_with_their_details(client, king_street):
    response = client.get("/search/", {"city": "toronto", "discipline": "physiotherapy"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "King Street Physio" in html
    assert reverse("directory:detail", args=["toronto", "king-street-physio"]) in html
    assert "1 clinic within 25 km of Toronto" in html
    assert "Dry needling" in html
    assert "Manulife" in html
    assert "(416) 555-0123" in html
    assert 'href="tel:+1-416-555-0123"' in html
    assert 'id="map-data"' in html
    assert 'hx-target="#results"' in html


def test_search_answers_htmx_with_the_results_fragment_only(client, king_street):
    response = client.get("/search/", {"city": "toronto", "accessible": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "King Street Physio" in html
    assert "<html" not in html
    assert 'id="filters"' not in html
    assert response["HX-Push-Url"] == "/search/?city=toronto&accessible=1"
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, king_street):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get("/search/", {"city": "toronto"}, headers=headers)
    assert "<html" in response.content.decode()


def test_search_with_no_match_says_why_and_offers_a_wider_radius(client, toronto):
    iqaluit = make_city(
        name="Iqaluit", name_fr="Iqaluit", slug="iqaluit", province="NU", latitude=63.75, longitude=-68.52
    )
    response = client.get("/search/", {"city": iqaluit.slug, "discipline": "physiotherapy", "radius_km": "5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No physiotherapy clinics within 5 km of Iqaluit." in html
    assert "/search/?city=iqaluit&amp;discipline=physiotherapy&amp;radius_km=10&amp;page=1" in html


def test_search_at_the_largest_radius_offers_no_wider_one(client, toronto):
    response = client.get("/search/", {"city": "toronto", "radius_km": "250"})
    assert "radius_km=500" not in response.content.decode()
    assert "Try removing a filter" in response.content.decode()


def test_a_typed_city_name_is_matched_without_javascript(client, montreal):
    response = client.get("/search/", {"where": "montréal", "city": "", "discipline": ""})
    assert response.status_code == 302
    assert response["Location"] == "/search/?city=montreal"


def test_an_unknown_typed_city_gets_a_friendly_400(client, toronto):
    response = client.get("/search/", {"where": "Atlantis"})
    assert response.status_code == 400
    assert "We could not find a Canadian city called “Atlantis”" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"city": "toronto", "radius_km": "lots"}, "radius_km must be a number"),
        ({"city": "toronto", "discipline": "surgery"}, "unknown discipline"),
        ({"city": "nowhere-city"}, "unknown city"),
        ({"city": "toronto", "page": "99"}, "past the last page"),
    ],
)
def test_bad_filters_get_a_friendly_400_page(client, toronto, query, message):
    response = client.get("/search/", query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not run this search" in html
    assert message in html
    assert 'id="filters"' in html  # the form stays, to fix the filter


def test_search_without_a_place_asks_where(client):
    response = client.get("/search/", {"discipline": "chiropractic"})
    assert response.status_code == 200
    assert "Where are you looking?" in response.content.decode()


def test_search_pages_through_results(client, toronto):
    for n in range(22):
        make_clinic(city=toronto, name=f"Clinic {n:02d}")
    first = client.get("/search/", {"city": "toronto", "sort": "score"}).content.decode()
    assert "Page 1 of 2" in first
    assert "/search/?city=toronto&amp;sort=score&amp;page=2" in first
    second = client.get("/search/", {"city": "toronto", "sort": "score", "page": "2"}).content.decode()
    assert second.count('class="result"') == 2


def test_search_costs_a_bounded_number_of_queries(client, toronto, django_assert_max_num_queries):
    for _n in range(5):
        clinic = make_clinic(city=toronto)
        make_practitioner(clinic=clinic).techniques.add(make_technique())
        clinic.languages.add(make_language())
        clinic.insurers.add(make_insurer())
    next_open_times_refresh(clinic_ids=list(Clinic.objects.values_list("pk", flat=True)), now=NOW)
    # the search (up to three circles for the recommended order, the last one costed too, then the count, freshness
    # and next times) and the page's labels
    with django_assert_max_num_queries(16):
        response = client.get("/search/", {"city": "toronto"})
    assert response.content.decode().count('class="result"') == 5


def test_the_cities_index_groups_cities_by_province_with_counts(client, toronto, montreal, king_street):
    make_clinic(city=montreal)
    make_clinic(city=montreal)
    make_clinic(city=montreal, network_status=NetworkStatus.APPLICANT)
    make_city(name="Empty", slug="empty")
    html = client.get("/clinics/").content.decode()
    assert html.index("Ontario") < html.index("Quebec")
    assert "2 clinics" in html
    assert "1 clinic<" in html
    assert "/clinics/empty/" not in html


def test_the_city_page_lists_its_clinics_with_discipline_links(client, king_street):
    response = client.get("/clinics/toronto/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Clinics in Toronto" in html
    assert "King Street Physio" in html
    assert 'href="/clinics/toronto/massage-therapy/"' in html


def test_the_city_discipline_page_filters_by_discipline(client, king_street):
    massage = make_clinic(city=king_street.city, name="Kneaded Relief")
    make_practitioner(clinic=massage, discipline=Discipline.MASSAGE_THERAPY)
    response = client.get("/clinics/toronto/massage-therapy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Massage therapy in Toronto" in html
    assert "Kneaded Relief" in html
    assert "King Street Physio" not in html


def test_the_city_page_answers_htmx_with_a_clean_pushed_url(client, king_street):
    response = client.get("/clinics/toronto/physiotherapy/", {"language": "fr"}, headers={"HX-Request": "true"})
    assert response["HX-Push-Url"] == "/clinics/toronto/physiotherapy/?language=fr"


def test_an_unknown_city_page_is_404(client):
    assert client.get("/clinics/atlantis/").status_code == 404


def test_the_clinic_profile_shows_everything_a_patient_needs(client, king_street):
    response = client.get("/clinics/toronto/king-street-physio/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "King Street Physio" in html
    assert "scored 92 out of 100" in html
    assert 'href="tel:+1-416-555-0123"' in html
    assert "(416) 555-0123" in html
    assert "Amélie Tremblay" in html
    assert "Physiotherapist" in html
    assert "College of Physiotherapists of Ontario" in html
    assert "Registration no. 12345" in html
    assert "Dry needling" in html
    assert "$1,295.00" in html
    assert "30 min" in html
    assert "Manulife" in html
    assert 'id="availability"' in html
    assert "google.com/maps/search/?api=1&amp;query=43.700110%2C-79.416300" in html


def test_the_clinic_profile_in_french_formats_prices_and_names_in_french(client, king_street):
    html = client.get("/fr/clinics/toronto/king-street-physio/").content.decode()
    assert '<html lang="fr">' in html
    assert "1\u202f295,00\u00a0$" in html
    assert "Puncture sèche" in html
    assert "Manuvie" in html
    assert "Physiothérapeute" in html
    assert "Suivi en physiothérapie" in html
    assert "Heures d\u2019ouverture" in html


def test_the_clinic_profile_costs_a_bounded_number_of_queries(client, king_street, django_assert_max_num_queries):
    for _n in range(4):
        extra = make_practitioner(clinic=king_street)
        extra.techniques.add(make_technique("graston", "Graston", "Graston"))
        make_service(clinic=king_street, practitioners=[extra])
    # The clinic and what it shows (9) and the search filters' labels (3); the week of open times: the service's
    # rules (2) and two availability reads of 4 (the week is empty here, so it also looks for the next open
    # time), the page cache's freshness stamp (1; this first visit fills the cache), the published guides for
    # "Learn about these treatments" (1) and the inspection breakdown (1, quality). None grows with the practitioners.
    with django_assert_max_num_queries(25):
        response = client.get("/clinics/toronto/king-street-physio/")
    assert response.content.decode().count('class="person"') == 5


@pytest.mark.parametrize(
    "path",
    [
        "/clinics/toronto/no-such-clinic/",
        "/clinics/montreal/king-street-physio/",  # the right clinic under another city
    ],
)
def test_unknown_or_misplaced_clinics_are_404(client, king_street, montreal, path):
    assert client.get(path).status_code == 404


def test_a_clinic_out_of_the_network_is_404(client, king_street):
    king_street.network_status = NetworkStatus.SUSPENDED
    king_street.save()
    assert client.get("/clinics/toronto/king-street-physio/").status_code == 404


def test_search_near_a_point_measures_from_the_visitor(client, king_street):
    response = client.get("/search/", {"lat": "43.70", "lng": "-79.42"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 clinic within 25 km of your location" in html
    assert "0.3 km away" in html
