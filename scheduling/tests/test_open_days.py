"""The practitioners' open days (``OpenDay``): written with the next openings, read by "available today".

Fixed clocks. In St. John's (UTC-3:30) an evening block runs past midnight UTC, so a day taken on the UTC calendar
instead of the clinic's would be seen.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from clinics.models import Clinic
from directory.search import SearchParams
from directory.selectors import clinic_search
from scheduling import cache
from scheduling.models import BookingRules, NextOpenTime, OpenDay, WorkingHours
from scheduling.testing import local, make_open_clinic

pytestmark = pytest.mark.django_db

ZONE = "America/St_Johns"
# Monday 7 December 2026, 20:00 in St. John's (23:30 UTC): from 20:30 on, tonight's times are Tuesday in UTC.
NOW = local(ZONE, 2026, 12, 7, 20, 0)
EVENING = (("18:00", "23:30"),)


def _evening_clinic(practitioners: int = 1):
    clinic, people, service = make_open_clinic(
        time_zone=ZONE, province="NL", practitioners=practitioners, blocks=EVENING
    )
    BookingRules.objects.create(clinic=clinic, min_notice_minutes=0)
    return clinic, people, service


def _open_days(**filters) -> set[tuple]:
    rows = OpenDay.objects.filter(**filters).values_list(
        "practitioner_id", "clinic_id", "discipline", "day_end", "last_until", "latitude", "longitude"
    )
    return set(rows)


def _from_next_openings(clinic: Clinic) -> set[tuple]:
    """What the open days must say, worked out from the next openings stored, on the clinic's own calendar."""
    zone = ZoneInfo(clinic.time_zone)
    latest: dict[tuple, datetime] = defaultdict(lambda: datetime.min.replace(tzinfo=zone))
    for row in NextOpenTime.objects.filter(clinic=clinic):
        day = row.start.astimezone(zone).date()
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        key = (row.practitioner_id, clinic.pk, row.discipline, end)
        latest[key] = max(latest[key], row.bookable_until)
    return {(*key, until, clinic.latitude, clinic.longitude) for key, until in latest.items()}


def _today_near(clinic: Clinic, now: datetime, **params) -> tuple[list[int], int]:
    """The page's clinics and the count: the count is what the open days answer (the page's times come from the
    next openings)."""
    page = clinic_search(
        params=SearchParams(
            lat=clinic.latitude, lng=clinic.longitude, radius_km=25, available="today", sort="soonest", **params
        ),
        now=now,
    )
    return [hit.clinic.pk for hit in page.items], page.count


def test_each_practitioners_day_ends_at_midnight_on_the_clinics_clock_and_holds_its_last_bookable_time():
    clinic, _people, _service = _evening_clinic(practitioners=2)

    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)

    written = _open_days(clinic=clinic)
    assert written == _from_next_openings(clinic)
    ends = {day_end for _p, _c, _d, day_end, *_rest in written}
    # Tonight's times (after midnight UTC) belong to Monday, which ends at 00:00 Tuesday in St. John's.
    assert local(ZONE, 2026, 12, 8) in ends
    assert all(end.astimezone(ZoneInfo(ZONE)).time() == time.min for end in ends)


def test_a_practitioners_refresh_rewrites_their_open_days_and_leaves_the_others_alone():
    clinic, (kept, changed), _service = _evening_clinic(practitioners=2)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    others = set(OpenDay.objects.filter(practitioner=kept).values_list("pk", flat=True))
    assert others
    assert OpenDay.objects.filter(practitioner=changed).exists()

    WorkingHours.objects.filter(practitioner=changed).delete()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW, practitioner_ids=[changed.pk])

    assert not OpenDay.objects.filter(practitioner=changed).exists()
    assert set(OpenDay.objects.filter(practitioner=kept).values_list("pk", flat=True)) == others
    assert _open_days(clinic=clinic) == _from_next_openings(clinic)


def test_a_clinic_whose_only_practitioner_stops_working_today_is_no_longer_available_today():
    clinic, (person,), _service = _evening_clinic()
    other, _people, _service = _evening_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk, other.pk], now=NOW)
    ids, count = _today_near(clinic, NOW)
    assert (set(ids), count) == ({clinic.pk, other.pk}, 2)

    WorkingHours.objects.filter(practitioner=person).delete()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW, practitioner_ids=[person.pk])

    assert _today_near(clinic, NOW) == ([other.pk], 1)


def test_past_the_days_last_bookable_time_a_clinic_is_not_available_today():
    clinic, _people, _service = _evening_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=local(ZONE, 2026, 12, 7, 22, 30))

    assert _today_near(clinic, local(ZONE, 2026, 12, 7, 22, 45)) == ([clinic.pk], 1)  # 23:00 is still to come
    assert _today_near(clinic, local(ZONE, 2026, 12, 7, 23, 1)) == ([], 0)  # tomorrow's times are not today's


def test_a_clinic_moved_since_its_last_refresh_is_not_found_at_its_old_place():
    clinic, _people, _service = _evening_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    old = Clinic.objects.get(pk=clinic.pk)
    Clinic.objects.filter(pk=clinic.pk).update(latitude=old.latitude + 1.0)  # 111 km north; no refresh yet

    assert _today_near(old, NOW) == ([], 0)


def test_the_migration_fills_the_open_days_from_the_next_openings_already_stored():
    first, _people, _service = _evening_clinic(practitioners=2)
    second, _people, _service = make_open_clinic(time_zone="America/Regina", province="SK")
    cache.next_open_times_refresh(clinic_ids=[first.pk, second.pk], now=NOW)
    written = _open_days()
    assert {row[1] for row in written} == {first.pk, second.pk}
    OpenDay.objects.all().delete()

    importlib.import_module("scheduling.migrations.0006_openday").open_days_fill(apps, None)

    assert _open_days() == written
