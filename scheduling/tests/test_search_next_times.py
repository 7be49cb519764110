"""Each clinic's next times for search (``next_times_and_services``): the order, ties, who books each, what is read.

A fixed clock: Monday 7 December 2026, 6:00 in Toronto; with 2 hours' notice the first time is 9:00.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinics.models import ServiceKind
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from scheduling.cache import next_open_times_refresh
from scheduling.models import BookingRules, NextOpenTime
from scheduling.search import next_times_and_services
from scheduling.selectors import open_times_list
from scheduling.testing import local, make_hours, make_open_clinic, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 12, 7, 6, 0)  # a Monday


def hhmm(times, zone="America/Toronto"):
    return [f"{t.start.astimezone(ZoneInfo(zone)):%a %H:%M}" for t in times]


def shared_clinic(*, practitioners=3):
    """Practitioners who all offer a consultation and a treatment, at the same times (9:00, 9:15, ...)."""
    clinic, people, consultation = make_open_clinic(practitioners=practitioners)
    consultation.kind = ServiceKind.CONSULTATION
    consultation.save()
    treatment = make_service(clinic=clinic, practitioners=people, kind=ServiceKind.TREATMENT, name="Treatment")
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    return clinic, people, consultation, treatment


def test_the_next_distinct_starts_come_soonest_first_in_utc():
    clinic, _people, _consultation, _treatment = shared_clinic()
    times, _services = next_times_and_services(clinic_ids=[clinic.pk], now=NOW)
    assert hhmm(times[clinic.pk]) == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]
    assert all(t.start.tzinfo == UTC and t.end - t.start == timedelta(minutes=30) for t in times[clinic.pk])


def test_a_shared_start_is_booked_as_the_treatment_with_the_lowest_practitioner():
    clinic, people, consultation, treatment = shared_clinic()
    times, services = next_times_and_services(clinic_ids=[clinic.pk], now=NOW)
    lowest = min(p.pk for p in people)
    assert {(t.practitioner_id, t.service_id) for t in times[clinic.pk]} == {(lowest, treatment.pk)}
    # The services the times book, and only those, described enough for a button.
    assert set(services) == {treatment.pk}
    assert (services[treatment.pk].kind, services[treatment.pk].duration_minutes) == (ServiceKind.TREATMENT, 30)
    assert consultation.pk not in services


def test_it_reads_only_the_rows_at_the_starts_it_shows():
    clinic, _people, _consultation, _treatment = shared_clinic()
    assert NextOpenTime.objects.filter(clinic=clinic).count() == 3 * 2 * 5  # 3 people, 2 services, 5 kept each
    with CaptureQueriesContext(connection) as queries:
        next_times_and_services(clinic_ids=[clinic.pk], now=NOW, count=3)
    assert len(queries.captured_queries) == 1  # the rows up to each clinic's last shown start, joined to it
    with connection.cursor() as cursor:
        cursor.execute(queries.captured_queries[-1]["sql"])
        read = cursor.fetchall()
    assert len(read) == 3 * 2 * 3  # every pair at the three starts shown, nothing after


def test_time_passing_moves_the_times_on_without_a_refresh():
    # Rows of each pair that have started are a prefix of its list: the next three are read past them.
    clinic, _people, _consultation, _treatment = shared_clinic()
    BookingRules.objects.filter(clinic=clinic).delete()
    later = toronto(2026, 12, 7, 7, 31)  # 9:30 is inside the 2 h notice now: 9:45 is the first
    times, _services = next_times_and_services(clinic_ids=[clinic.pk], now=later)
    assert hhmm(times[clinic.pk]) == ["Mon 09:45", "Mon 10:00"]  # the two each pair still has cached
    live = open_times_list(clinic=clinic, start=later, end=later + timedelta(hours=4), now=later)
    assert [t.start for t in times[clinic.pk]] == sorted({t.start for t in live})[:2]


def test_a_clinic_with_nothing_open_is_absent_and_one_with_few_times_shows_them():
    open_one, _people, _c, _t = shared_clinic(practitioners=1)
    closed, _nobody, _service = make_open_clinic(days=())
    few, (_person,), _service = make_open_clinic(blocks=(("09:00", "09:45"),))  # 9:00 and 9:15 only, all week
    next_open_times_refresh(clinic_ids=[closed.pk, few.pk], now=NOW)
    times, _services = next_times_and_services(clinic_ids=[open_one.pk, closed.pk, few.pk], now=NOW, count=3)
    assert closed.pk not in times
    assert hhmm(times[few.pk]) == ["Mon 09:00", "Mon 09:15", "Tue 09:00"]
    assert hhmm(times[open_one.pk]) == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]
    assert next_times_and_services(clinic_ids=[], now=NOW) == ({}, {})


@pytest.mark.parametrize(
    ("zone", "province"), [("America/St_Johns", "NL"), ("America/Regina", "SK"), ("America/Halifax", "NS")]
)
def test_times_are_the_clinics_own_wall_clock_in_every_zone(zone, province):
    clinic, _people, _service = make_open_clinic(time_zone=zone, province=province)
    BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
    now = local(zone, 2026, 12, 7, 8, 0)
    next_open_times_refresh(clinic_ids=[clinic.pk], now=now)
    times, _services = next_times_and_services(clinic_ids=[clinic.pk], now=now)
    assert hhmm(times[clinic.pk], zone) == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]
    assert times[clinic.pk][0].start == local(zone, 2026, 12, 7, 9, 0)


def test_the_discipline_and_the_clinics_asked_narrow_the_times():
    city = make_city()
    clinic = make_clinic(city=city)
    physio = make_practitioner(clinic=clinic)
    chiro = make_practitioner(clinic=clinic, discipline="chiropractic")
    make_hours(physio, blocks=(("11:00", "12:00"),))
    make_hours(chiro, blocks=(("09:00", "10:00"),))
    make_service(clinic=clinic, practitioners=[physio])
    make_service(clinic=clinic, practitioners=[chiro], discipline="chiropractic", name="Adjustment")
    other, _people, _service = make_open_clinic()
    next_open_times_refresh(clinic_ids=[clinic.pk, other.pk], now=NOW)
    times, _services = next_times_and_services(clinic_ids=[clinic.pk], now=NOW, discipline="physiotherapy")
    assert set(times) == {clinic.pk}
    assert hhmm(times[clinic.pk]) == ["Mon 11:00", "Mon 11:15", "Mon 11:30"]
    assert {t.practitioner_id for t in times[clinic.pk]} == {physio.pk}
    mixed, _services = next_times_and_services(clinic_ids=[clinic.pk], now=NOW, count=5)
    assert hhmm(mixed[clinic.pk]) == ["Mon 09:00", "Mon 09:15", "Mon 09:30", "Mon 11:00", "Mon 11:15"]
