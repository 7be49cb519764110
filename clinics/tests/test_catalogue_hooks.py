"""clinics tells the apps above it about catalogue changes through clinics.hooks, never by importing them."""

from __future__ import annotations

import pytest
import time_machine

from clinics import hooks, services
from clinics.testing import make_practitioner
from scheduling.cache import next_open_times_refresh, next_open_times_refresh_after_commit
from scheduling.models import NextOpenTime
from scheduling.testing import make_hours, make_open_clinic, toronto

NOW = toronto(2026, 12, 7, 7)  # a Monday morning, before anyone starts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _offered_by(clinic):
    rows = NextOpenTime.objects.filter(clinic=clinic)
    return set(rows.values_list("practitioner_id", flat=True))


def test_scheduling_registers_its_next_open_times_refresh_once():
    assert hooks.catalogue_change_listeners().count(next_open_times_refresh_after_commit) == 1


def test_retiring_a_practitioner_takes_their_times_out_of_the_next_open_times_once_it_commits(
    django_capture_on_commit_callbacks,
):
    clinic, (chen, lee), _service = make_open_clinic(practitioners=2)
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert _offered_by(clinic) == {chen.pk, lee.pk}

    with django_capture_on_commit_callbacks(execute=True):
        services.practitioner_retire(practitioner=chen, now=NOW)
        assert _offered_by(clinic) == {chen.pk, lee.pk}  # not inside the write's transaction

    assert _offered_by(clinic) == {lee.pk}


def test_a_new_practitioner_offering_a_service_shows_in_the_next_open_times_once_it_commits(
    django_capture_on_commit_callbacks,
):
    clinic, (chen,), service = make_open_clinic()
    next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    newcomer = make_practitioner(clinic=clinic)
    make_hours(newcomer)
    assert _offered_by(clinic) == {chen.pk}

    with django_capture_on_commit_callbacks(execute=True):
        services.service_update(service=service, practitioners=[chen, newcomer], now=NOW)

    assert _offered_by(clinic) == {chen.pk, newcomer.pk}


def test_a_listener_that_fails_rolls_the_catalogue_change_back(monkeypatch):
    _clinic, (chen,), _service = make_open_clinic()

    def broken(*, clinic_ids, now):
        raise RuntimeError("listener failed")

    monkeypatch.setattr(hooks, "_listeners", [broken])
    with pytest.raises(RuntimeError):
        services.practitioner_retire(practitioner=chen, now=NOW)
    chen.refresh_from_db()
    assert chen.is_active
