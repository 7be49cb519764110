"""The week of open times on a clinic's profile: the page, its htmx fragment, and bad input."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest
import time_machine

from booking.patients import PatientDetails
from booking.services import appointment_book
from clinics.models import ServiceKind
from clinics.testing import make_clinic, make_practitioner, make_service
from scheduling.testing import local, make_hours, make_open_clinic

pytestmark = pytest.mark.django_db

# Monday Dec 7 2026, early morning in both Toronto and St. John's: the week of Dec 7 is "this week".
NOW = local("America/Toronto", 2026, 12, 7, 6, 0)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def page_url(clinic) -> str:
    return f"/clinics/{clinic.city.slug}/{clinic.slug}/"


def fragment_url(clinic) -> str:
    return f"/clinics/{clinic.city.slug}/{clinic.slug}/open-times/"


def htmx(client, url: str, **params):
    return client.get(url, params, headers={"HX-Request": "true"})


def booking_start(practitioner, service, start) -> str:
    return (
        f"/book/?practitioner={practitioner.pk}&amp;service={service.pk}&amp;start={quote(start.isoformat(), safe='')}"
    )


def test_st_johns_times_are_shown_on_the_clinics_wall_clock(client):
    clinic, (alex,), service = make_open_clinic(time_zone="America/St_Johns", province="NL")
    html = client.get(page_url(clinic), {"week": "2026-12-07"}).content.decode()
    assert "Times are in Newfoundland time (UTC\u22123:30)." in html
    tuesday_nine = local("America/St_Johns", 2026, 12, 8, 9, 0)
    assert booking_start(alex, service, tuesday_nine) in html
    assert "2026-12-08T09%3A00%3A00-03%3A30" in html
    assert f'aria-label="Book Tuesday, December 8 at 9:00 AM with {alex.full_name}"' in html


def test_toronto_times_are_shown_in_eastern_time(client):
    clinic, (alex,), service = make_open_clinic(time_zone="America/Toronto")
    response = client.get(page_url(clinic))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Times are in Eastern time (UTC\u22125)." in html
    assert booking_start(alex, service, local("America/Toronto", 2026, 12, 8, 9, 0)) in html
    # Monday: 8:00 is before work, and 6:00 + 2 h notice leaves 9:00 as the first time.
    assert booking_start(alex, service, local("America/Toronto", 2026, 12, 7, 9, 0)) in html
    # 12:00-13:00 is a break, 17:00 is closing.
    assert "2026-12-08T12%3A00" not in html and "2026-12-08T16%3A45" not in html
    assert "2026-12-08T16%3A30" in html


def test_a_week_with_a_clock_change_says_so(client):
    clinic, _people, _service = make_open_clinic(time_zone="America/St_Johns", province="NL")
    html = client.get(page_url(clinic), {"week": "2027-03-08"}).content.decode()
    assert "UTC\u22123:30, then UTC\u22122:30 after the clock change" in html


@pytest.mark.parametrize(
    ("zone", "province", "label"),
    [
        ("America/St_Johns", "NL", "Newfoundland time (UTC\u22122:30)"),
        ("America/Regina", "SK", "Saskatchewan time (UTC\u22126)"),
        ("America/Vancouver", "BC", "Pacific time (UTC\u22127)"),
    ],
)
def test_a_summer_week_carries_the_summer_offset_and_regina_keeps_its_own(client, zone, province, label):
    clinic, _people, _service = make_open_clinic(time_zone=zone, province=province)
    html = client.get(page_url(clinic), {"week": "2027-07-05"}).content.decode()
    assert f"Times are in {label}." in html


def test_the_fragment_answers_htmx_and_pushes_the_weeks_url(client):
    clinic, _people, service = make_open_clinic()
    response = htmx(client, fragment_url(clinic), week="2026-12-16", service=service.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="week"' in html
    assert "Week of Monday, December 14" in html
    assert response["HX-Push-Url"] == f"{page_url(clinic)}?week=2026-12-14&service={service.pk}"
    assert "HX-Request" in response["Vary"]


def test_the_page_shows_the_same_week_whole_and_the_fragment_url_alone_redirects_to_it(client):
    clinic, _people, _service = make_open_clinic()
    page = client.get(page_url(clinic), {"week": "2026-12-14"})
    assert page.status_code == 200
    assert "<html" in page.content.decode() and "Week of Monday, December 14" in page.content.decode()
    plain = client.get(fragment_url(clinic), {"week": "2026-12-14"})
    assert plain.status_code == 302
    assert plain["Location"] == f"{page_url(clinic)}?week=2026-12-14#availability"


def test_week_links_keep_the_service_and_practitioner(client):
    clinic, (alex, sam), service = make_open_clinic(practitioners=2)
    html = htmx(client, fragment_url(clinic), service=service.pk, practitioner=sam.pk).content.decode()
    state = f"service={service.pk}&amp;practitioner={sam.pk}"
    assert f"{fragment_url(clinic)}?week=2026-12-14&amp;{state}" in html
    assert 'id="week-prev"' not in html, "no going back before this week"
    assert f"with {sam.full_name}" in html and f"with {alex.full_name}" not in html


def test_any_practitioner_shows_one_button_per_time_naming_the_first_free(client):
    clinic, (alex, sam), service = make_open_clinic(practitioners=2)
    html = htmx(client, fragment_url(clinic), service=service.pk).content.decode()
    nine = quote(local("America/Toronto", 2026, 12, 8, 9, 0).isoformat(), safe="")
    assert html.count(f"start={nine}") == 1
    assert f'aria-label="Book Tuesday, December 8 at 9:00 AM with {alex.full_name}"' in html
    # Alex is booked at 9:00 Tuesday: the 9:00 button now books Sam.
    _book(alex, service, local("America/Toronto", 2026, 12, 8, 9, 0))
    html = htmx(client, fragment_url(clinic), service=service.pk).content.decode()
    assert html.count(f"start={nine}") == 1
    assert f'aria-label="Book Tuesday, December 8 at 9:00 AM with {sam.full_name}"' in html


def _book(practitioner, service, start):
    return appointment_book(
        practitioner=practitioner,
        service=service,
        start=start,
        patient=PatientDetails(name="Jo Tremblay", email="jo@example.com", phone="+14165550123"),
        now=NOW,
    )


def test_a_booked_time_leaves_the_week(client):
    clinic, (alex,), service = make_open_clinic()
    ten = local("America/Toronto", 2026, 12, 9, 10, 0)
    assert booking_start(alex, service, ten) in client.get(page_url(clinic)).content.decode()
    _book(alex, service, ten)
    html = client.get(page_url(clinic)).content.decode()
    assert booking_start(alex, service, ten) not in html
    assert booking_start(alex, service, local("America/Toronto", 2026, 12, 9, 10, 30)) in html


def test_an_empty_week_says_when_the_next_open_time_is(client):
    clinic, _people, service = make_open_clinic(valid_from=date(2026, 12, 15))
    html = client.get(page_url(clinic)).content.decode()
    assert "Nothing open this week." in html
    assert "Next open time: Tue Dec 15, 9:00 AM" in html
    assert f"{page_url(clinic)}?week=2026-12-14&amp;service={service.pk}#availability" in html
    assert "/book/?" not in html


def test_an_empty_booking_window_says_to_call(client):
    clinic, _people, _service = make_open_clinic(valid_from=date(2028, 1, 1))
    html = client.get(page_url(clinic)).content.decode()
    assert "nor later within the booking window" in html


def test_past_weeks_and_weeks_past_the_horizon_are_limited(client):
    clinic, _people, _service = make_open_clinic()
    past = client.get(page_url(clinic), {"week": "2026-11-30"}).content.decode()
    assert "This week is over." in past and "/book/?" not in past
    # 60 days ahead of Dec 7 is Feb 5 2027: the week of Feb 1 is the last one.
    last = client.get(page_url(clinic), {"week": "2027-02-01"}).content.decode()
    assert 'id="week-next"' not in last and "/book/?" in last
    beyond = client.get(page_url(clinic), {"week": "2027-02-08"}).content.decode()
    assert "Online booking opens 60 days ahead; this week is not open yet." in beyond
    assert "/book/?" not in beyond


def test_the_default_service_is_the_most_common_follow_up(client):
    clinic, (alex, sam), follow_up = make_open_clinic(practitioners=2)
    initial = make_service(
        clinic=clinic, practitioners=[alex, sam], name="Initial assessment", kind=ServiceKind.INITIAL
    )
    make_service(clinic=clinic, practitioners=[alex], name="Short treatment", duration_minutes=15)
    html = client.get(page_url(clinic)).content.decode()
    selected = re.search(r'<option value="(\d+)" selected>', html)
    assert selected is not None
    assert int(selected.group(1)) == follow_up.pk != initial.pk


def test_a_practitioner_who_does_not_offer_the_service_is_dropped_with_a_notice(client):
    clinic, (alex,), service = make_open_clinic()
    other = make_practitioner(clinic=clinic, first_name="Robin", last_name="Gagnon")
    html = htmx(client, fragment_url(clinic), service=service.pk, practitioner=other.pk).content.decode()
    assert "Robin Gagnon does not offer Physiotherapy follow-up" in html
    assert f"with {alex.full_name}" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"week": "2026-13-01"}, "is not a date"),
        ({"week": "next"}, "is not a date"),
        ({"week": "9999-12-31"}, "too far from today"),
        ({"service": "abc"}, "must be chosen from the list"),
        ({"service": "999999"}, "no such service"),
        ({"practitioner": "999999"}, "no such practitioner"),
    ],
)
def test_bad_input_gets_a_400_that_says_what_to_fix(client, params, message):
    clinic, _people, _service = make_open_clinic()
    fragment = htmx(client, fragment_url(clinic), **params)
    assert fragment.status_code == 400
    assert message in fragment.content.decode()
    assert "HX-Push-Url" not in fragment
    page = client.get(page_url(clinic), params)
    assert page.status_code == 400
    assert message in page.content.decode() and "<html" in page.content.decode()


def test_another_clinics_service_or_practitioner_is_unknown_here(client):
    clinic, _people, service = make_open_clinic()
    elsewhere = make_clinic(city=clinic.city)
    stranger = make_practitioner(clinic=elsewhere, first_name="Secret", last_name="Person")
    hidden = make_service(clinic=elsewhere, practitioners=[stranger], name="Secret massage")
    make_hours(stranger)
    by_service = htmx(client, fragment_url(clinic), service=hidden.pk)
    unknown = htmx(client, fragment_url(clinic), service=999_999)
    assert by_service.status_code == 400
    assert by_service.content == unknown.content, "the same answer as an id that does not exist"
    by_practitioner = htmx(client, fragment_url(clinic), service=service.pk, practitioner=stranger.pk)
    assert by_practitioner.status_code == 400
    assert "Secret" not in by_practitioner.content.decode()


def test_a_clinic_with_nothing_to_book_online_says_to_call(client):
    clinic = make_clinic()
    make_service(clinic=clinic)  # nobody offers it
    response = client.get(page_url(clinic))
    assert response.status_code == 200
    assert "no services open for online booking yet" in response.content.decode()


def test_an_unknown_clinic_fragment_is_404(client):
    clinic, _people, _service = make_open_clinic()
    assert htmx(client, f"/clinics/{clinic.city.slug}/nowhere/open-times/").status_code == 404


def test_the_week_is_said_in_french(client):
    clinic, _people, _service = make_open_clinic(time_zone="America/St_Johns", province="NL")
    html = client.get(f"/fr{page_url(clinic)}").content.decode()
    assert "Les heures sont à l’heure de Terre-Neuve (UTC\u22123:30)." in html
    assert "Semaine du lundi 7 décembre" in html
    assert 'aria-label="Réserver le mardi 8 décembre à 9 h 00 avec ' in html
    assert ">9 h 00</a>" in html


def test_the_fragment_costs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    clinic, people, service = make_open_clinic(practitioners=6)
    for _ in range(3):
        make_service(clinic=clinic, practitioners=people, duration_minutes=60, name="Long")
    # The clinic with its services and practitioners (3), the service's rules (2), open_times_list (<= 10).
    with django_assert_max_num_queries(15):
        response = htmx(client, fragment_url(clinic), service=service.pk)
    assert response.status_code == 200


def test_an_empty_week_costs_one_more_open_times_lookup(client, django_assert_max_num_queries):
    clinic, _people, _service = make_open_clinic(practitioners=3, valid_from=date(2026, 12, 21))
    with django_assert_max_num_queries(25):
        html = htmx(client, fragment_url(clinic)).content.decode()
    assert "Next open time: Mon Dec 21, 9:00 AM" in html
