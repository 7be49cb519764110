"""The worker deletes next openings past their notice: reads never change, and the write never waits on a refresh."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from clinics.models import Clinic
from scheduling import cache
from scheduling.models import NextOpenTime
from scheduling.search import next_open_times_for_clinics, soonest_clinics
from scheduling.testing import make_open_clinic, toronto

NOW = toronto(2026, 12, 7, 6, 0)  # Monday, 6 a.m.; 2 h notice: the first time is 09:00, bookable until 07:00
LATER = toronto(2026, 12, 7, 7, 20)  # 09:00 and 09:15 are past their notice now, 09:30 is not


def _dead(now):
    return NextOpenTime.objects.filter(bookable_until__lt=now).count()


@pytest.mark.django_db
def test_the_prune_deletes_only_times_past_their_notice_and_what_search_reads_stays_the_same():
    clinic, _people, _service = make_open_clinic(practitioners=2)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    dead = _dead(LATER)
    kept = NextOpenTime.objects.count() - dead
    assert dead > 0
    assert kept > 0
    before = next_open_times_for_clinics(clinic_ids=[clinic.pk], now=LATER)
    soonest = soonest_clinics(clinics=Clinic.objects.all(), now=LATER)

    assert cache.next_open_times_prune(now=LATER) == dead

    assert _dead(LATER) == 0
    assert NextOpenTime.objects.count() == kept
    assert next_open_times_for_clinics(clinic_ids=[clinic.pk], now=LATER) == before
    assert soonest_clinics(clinics=Clinic.objects.all(), now=LATER) == soonest
    assert cache.next_open_times_prune(now=LATER) == 0  # nothing left to do


@pytest.mark.django_db
def test_the_prune_deletes_in_short_transactions_until_none_is_left():
    clinic, _people, _service = make_open_clinic(practitioners=2)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    past = toronto(2026, 12, 7, 8, 1)  # every cached time (09:00 to 10:00) is past its notice
    dead = _dead(past)
    assert dead == NextOpenTime.objects.count() > 6

    assert cache.next_open_times_prune(now=past, batch=3) == dead
    assert not NextOpenTime.objects.exists()


@pytest.mark.django_db
def test_the_refresh_availability_command_deletes_times_past_their_notice(time_machine):
    clinic, _people, _service = make_open_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert _dead(LATER) > 0
    time_machine.move_to(LATER, tick=False)

    call_command("refresh_availability", verbosity=0)

    assert _dead(LATER) == 0
    assert NextOpenTime.objects.filter(clinic=clinic).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_prune_skips_rows_a_refresh_holds_instead_of_waiting(postgres_only):
    clinic, _people, _service = make_open_clinic(practitioners=2)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    held = NextOpenTime.objects.filter(bookable_until__lt=LATER).order_by("pk").first()
    assert held is not None
    dead = _dead(LATER)
    locked, release = threading.Event(), threading.Event()

    def writer() -> None:
        # What a refresh does to the rows it rewrites: locks them until its commit.
        try:
            with transaction.atomic():
                list(NextOpenTime.objects.select_for_update().filter(pk=held.pk))
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:
            # Waiting for the lock would fail the test here instead of hanging it.
            cursor.execute("SET lock_timeout = '2s'")
        deleted = cache.next_open_times_prune(now=LATER)
    finally:
        release.set()
        thread.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert deleted == dead - 1
    assert list(NextOpenTime.objects.filter(bookable_until__lt=LATER).values_list("pk", flat=True)) == [held.pk]
    assert cache.next_open_times_prune(now=LATER) == 1  # the next round takes it


@pytest.mark.django_db
def test_the_top_up_task_deletes_times_past_their_notice_too(time_machine):
    from scheduling.tasks import next_open_times_top_up_task

    clinic, _people, _service = make_open_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert _dead(LATER) > 0
    time_machine.move_to(LATER, tick=False)

    next_open_times_top_up_task.call()

    assert _dead(LATER) == 0


@pytest.mark.django_db
def test_the_command_goes_again_at_once_while_a_full_batch_of_clinics_was_due(monkeypatch):
    from notifications import rounds

    for _ in range(2):
        make_open_clinic()  # never computed: both due
    naps: list[float] = []

    class Stop(Exception):
        pass

    def nap(seconds: float) -> None:
        naps.append(seconds)
        raise Stop

    monkeypatch.setattr(rounds.time, "sleep", nap)
    with pytest.raises(Stop):
        call_command("refresh_availability", "--every", "60", "--batch", "1", verbosity=0)
    assert naps == [60]  # two full rounds of one clinic without a pause, then an empty one and the sleep
    assert NextOpenTime.objects.values("clinic").distinct().count() == 2
