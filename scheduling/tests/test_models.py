"""What the models refuse: the database for single rows, clean() for overlapping blocks."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scheduling.models import ClinicClosure, WorkingHours
from scheduling.testing import make_open_clinic

pytestmark = pytest.mark.django_db


def block(practitioner, weekday=0, start="09:00", end="12:00", **fields):
    return WorkingHours(
        practitioner=practitioner,
        weekday=weekday,
        start_time=time.fromisoformat(start),
        end_time=time.fromisoformat(end),
        valid_from=fields.pop("valid_from", date(2026, 1, 1)),
        **fields,
    )


def test_the_database_refuses_a_block_that_ends_before_it_starts():
    _clinic, (person,), _service = make_open_clinic(days=())
    with pytest.raises(IntegrityError), transaction.atomic():
        block(person, start="12:00", end="09:00").save()


def test_the_database_refuses_validity_that_ends_before_it_starts():
    _clinic, (person,), _service = make_open_clinic(days=())
    with pytest.raises(IntegrityError), transaction.atomic():
        block(person, valid_from=date(2026, 5, 1), valid_until=date(2026, 4, 1)).save()


def test_the_database_refuses_a_closure_that_ends_before_it_starts():
    clinic, _people, _service = make_open_clinic(days=())
    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicClosure.objects.create(clinic=clinic, start_date=date(2026, 5, 2), end_date=date(2026, 5, 1))


def test_clean_rejects_a_block_overlapping_another_on_the_same_day_with_a_clear_message():
    _clinic, (person,), _service = make_open_clinic(days=(0,), blocks=(("09:00", "12:00"),))
    with pytest.raises(ValidationError, match="overlap another block"):
        block(person, start="11:00", end="13:00").full_clean()


def test_clean_accepts_a_second_block_after_a_break_another_day_or_another_validity():
    _clinic, (person,), _service = make_open_clinic(
        days=(0,), blocks=(("09:00", "12:00"),), valid_until=date(2026, 6, 30)
    )
    accepted = [
        block(person, start="13:00", end="17:00"),  # after the break
        block(person, weekday=1),  # another day
        block(person, valid_from=date(2026, 7, 1)),  # once the first block's validity has ended
    ]
    for candidate in accepted:
        candidate.full_clean()  # raises ValidationError if refused
        candidate.save()
    assert WorkingHours.objects.filter(practitioner=person).count() == 4
    # The check is live against what was saved: a block across the break now overlaps the afternoon one.
    with pytest.raises(ValidationError, match="overlap another block"):
        block(person, start="11:30", end="13:30", valid_from=date(2026, 7, 1)).full_clean()
