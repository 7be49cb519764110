"""Busy times come from the apps above scheduling through an explicit registry, never silently from nowhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from booking.busy import appointments_and_holds
from booking.models import Appointment
from scheduling import busy
from scheduling.loading import clinic_inputs_load
from scheduling.selectors import open_times_list
from scheduling.testing import make_open_clinic, toronto

NOW = toronto(2026, 12, 7, 6, 0)


def test_booking_registers_its_appointments_and_holds_when_the_app_is_ready() -> None:
    assert busy.busy_sources() == [appointments_and_holds]


@pytest.mark.django_db
def test_without_a_registered_source_loading_fails_loudly_instead_of_calling_everyone_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clinic, _people, _service = make_open_clinic()
    monkeypatch.setattr(busy, "_sources", {})  # restored after the test
    with pytest.raises(ImproperlyConfigured, match="No busy-time source"):
        clinic_inputs_load(clinics=[clinic], start=NOW, end=NOW + timedelta(days=1), now=NOW)
    with pytest.raises(ImproperlyConfigured):
        open_times_list(clinic=clinic, start=NOW, end=NOW + timedelta(days=1), now=NOW)


@pytest.mark.django_db
def test_a_sources_rows_join_the_one_interval_query(django_assert_num_queries: Any) -> None:
    clinic, (person,), service = make_open_clinic()
    Appointment.objects.create(
        clinic=clinic,
        practitioner=person,
        service=service,
        start=toronto(2026, 12, 7, 9),
        end=toronto(2026, 12, 7, 9, 30),
        source="web",
    )
    with django_assert_num_queries(4):  # services, hours, every interval (time off to holds), closures
        inputs = clinic_inputs_load(clinics=[clinic], start=NOW, end=NOW + timedelta(days=1), now=NOW)
    assert inputs[clinic.pk].busy[person.pk] == [
        (int(toronto(2026, 12, 7, 9).timestamp()), int(toronto(2026, 12, 7, 9, 30).timestamp()))
    ]
