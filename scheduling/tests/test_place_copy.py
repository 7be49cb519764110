"""The next openings carry their clinic's place, and the soonest walk tests its box on that copy.

At night near Toronto the walk in start order passes the whole country's evening rows before Toronto's first
morning time (6,685 rows at 50,000 clinics). With the place in the walk's index, those rows are passed over there,
and only the clinics inside the box are looked up.
"""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from clinics.geo import bounding_box
from clinics.models import Clinic
from clinics.testing import make_city
from scheduling import cache, search
from scheduling.models import NextOpenTime
from scheduling.search import soonest_clinics
from scheduling.testing import make_open_clinic, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 3, 2, 8, 0)  # a Monday


def _places() -> set[tuple[int, float, float]]:
    return set(NextOpenTime.objects.values_list("clinic_id", "latitude", "longitude"))


def test_each_next_opening_carries_its_clinics_place():
    first, _people, _service = make_open_clinic(practitioners=2)
    second, _people, _service = make_open_clinic(time_zone="America/Vancouver", province="BC")
    Clinic.objects.filter(pk=second.pk).update(latitude=49.2827, longitude=-123.1207)

    cache.next_open_times_refresh(clinic_ids=[first.pk, second.pk], now=NOW)

    assert _places() == {(first.pk, first.latitude, first.longitude), (second.pk, 49.2827, -123.1207)}


def test_the_migration_gives_the_rows_already_stored_their_clinics_place():
    clinic, _people, _service = make_open_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    NextOpenTime.objects.update(latitude=0.0, longitude=0.0)

    migration = importlib.import_module("scheduling.migrations.0007_nextopening_place")
    with connection.cursor() as cursor:
        cursor.execute(migration.PLACE_FILL)

    assert _places() == {(clinic.pk, clinic.latitude, clinic.longitude)}


def test_the_walk_looks_only_at_rows_whose_copy_of_the_place_is_in_the_box(monkeypatch):
    monkeypatch.setattr(search, "SMALL_AREA", 0)  # the walk, not the small area's grouping
    city = make_city(latitude=43.6532, longitude=-79.3832)
    near, _people, _service = make_open_clinic()
    later, _people, _service = make_open_clinic(blocks=(("11:00", "17:00"),))
    Clinic.objects.filter(pk__in=[near.pk, later.pk]).update(city=city, latitude=43.6532, longitude=-79.3832)
    cache.next_open_times_refresh(clinic_ids=[near.pk, later.pk], now=NOW)
    box = bounding_box(43.6532, -79.3832, 25)
    area = Clinic.objects.filter(pk__in=[near.pk, later.pk])

    both = soonest_clinics(clinics=area, now=NOW, box=box)
    assert [pk for pk, _start in both] == [near.pk, later.pk]
    assert both == soonest_clinics(clinics=area, now=NOW)  # the box only passes over rows sooner

    # A copy outside the box (as a clinic moved since its rows were written would have): its rows are not walked.
    NextOpenTime.objects.filter(clinic=near).update(latitude=49.2827, longitude=-123.1207)
    assert [pk for pk, _start in soonest_clinics(clinics=area, now=NOW, box=box)] == [later.pk]
