"""Search results say what each time books, and their times are those of the practitioner the filters found.

A fixed clock: Monday 2 March 2026, 8:00 in Toronto; next openings computed by the availability engine.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinics.models import Discipline, ServiceKind
from clinics.testing import make_city, make_clinic, make_language, make_practitioner, make_service, make_technique
from directory.search import SearchParams
from directory.selectors import clinic_search
from scheduling.cache import next_open_times_refresh
from scheduling.models import BookingRules
from scheduling.testing import make_hours, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 3, 2, 8, 0)  # a Monday
CENTRE = (43.6532, -79.3832)


@pytest.fixture
def art_in_french():
    """One clinic: Mira does Active Release in French and works Wednesdays; Ben does Active Release in English
    and works every weekday; Chloé speaks French, does no Active Release and works every weekday."""
    french, english = make_language("fr", "French", "Français"), make_language("en")
    art = make_technique("art", "Active Release", "Active Release")
    clinic = make_clinic(city=make_city(slug="toronto"), name="Queen West", latitude=CENTRE[0], longitude=CENTRE[1])
    BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
    mira = make_practitioner(clinic=clinic, first_name="Mira", last_name="Roy")
    mira.techniques.add(art)
    mira.languages.add(french)
    make_hours(mira, days=(2,))
    ben = make_practitioner(clinic=clinic, first_name="Ben", last_name="Ng")
    ben.techniques.add(art)
    ben.languages.add(english)
    make_hours(ben)
    chloe = make_practitioner(clinic=clinic, first_name="Chloé", last_name="Côté")
    chloe.languages.add(french)
    make_hours(chloe)
    treatment = make_service(
        clinic=clinic, practitioners=[mira, ben, chloe], name="Physiotherapy treatment", kind=ServiceKind.TREATMENT
    )
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    return {"clinic": clinic, "mira": mira, "ben": ben, "chloe": chloe, "treatment": treatment}


def test_the_times_shown_are_those_of_the_practitioner_who_matches_every_filter(art_in_french):
    (hit,) = clinic_search(
        params=SearchParams(lat=CENTRE[0], lng=CENTRE[1], technique="art", language="fr"), now=NOW
    ).items
    # Ben (Active Release, English) and Chloé (French, no Active Release) are free on Monday; only Mira fits.
    assert {slot.practitioner_id for slot in hit.next_times} == {art_in_french["mira"].pk}
    assert hit.next_available == toronto(2026, 3, 4, 9, 0)


def test_a_language_alone_shows_the_times_of_those_who_speak_it(art_in_french):
    (hit,) = clinic_search(params=SearchParams(lat=CENTRE[0], lng=CENTRE[1], language="fr"), now=NOW).items
    assert {slot.practitioner_id for slot in hit.next_times} == {art_in_french["chloe"].pk}
    assert hit.next_available == toronto(2026, 3, 2, 9, 0)


def test_each_time_button_names_the_service_its_length_and_the_practitioner(client, art_in_french, time_machine):
    time_machine.move_to(NOW, tick=False)
    make_service(
        clinic=art_in_french["clinic"],
        practitioners=[art_in_french["mira"]],
        name="Quick check",
        duration_minutes=20,
        kind=ServiceKind.CONSULTATION,
    )
    next_open_times_refresh(clinic_ids=[art_in_french["clinic"].pk], now=NOW)
    response = client.get(reverse("directory:search"), {"city": "toronto", "technique": "art", "language": "fr"})
    (group,) = response.context["booking_links"][art_in_french["clinic"].pk]
    # The treatment is preferred over the 20-minute consultation at the same times, and the card says so.
    assert (group["service"], group["minutes"], group["practitioner"]) == ("Physiotherapy treatment", 30, "Mira Roy")
    html = response.content.decode()
    assert "Physiotherapy treatment, 30 min" in html and "with Mira Roy" in html
    assert "book Physiotherapy treatment (30 min) with Mira Roy" in html
    assert f"service={art_in_french['treatment'].pk}" in group["times"][0]["url"]


def test_times_booking_different_services_are_grouped_under_each_service(client, time_machine):
    time_machine.move_to(NOW, tick=False)
    clinic = make_clinic(city=make_city(slug="toronto"), latitude=CENTRE[0], longitude=CENTRE[1])
    BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
    chiro = make_practitioner(clinic=clinic, discipline=Discipline.CHIROPRACTIC, first_name="Sam", last_name="Lee")
    make_hours(chiro, days=(0,), blocks=(("09:00", "09:20"),))
    physio = make_practitioner(clinic=clinic, first_name="Ana", last_name="Diaz")
    make_hours(physio, days=(0,), blocks=(("10:00", "11:00"),))
    make_service(
        clinic=clinic,
        practitioners=[chiro],
        name="Chiropractic adjustment",
        discipline="chiropractic",
        duration_minutes=20,
    )
    make_service(clinic=clinic, practitioners=[physio], name="Physiotherapy follow-up", duration_minutes=30)
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    response = client.get(reverse("directory:search"), {"city": "toronto"})
    groups = response.context["booking_links"][clinic.pk]
    assert [(g["service"], g["minutes"], g["practitioner"], len(g["times"])) for g in groups] == [
        ("Chiropractic adjustment", 20, "Sam Lee", 1),
        ("Physiotherapy follow-up", 30, "Ana Diaz", 2),
    ]
    html = response.content.decode()
    assert "Chiropractic adjustment, 20 min" in html and "Physiotherapy follow-up, 30 min" in html
