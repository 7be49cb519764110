"""Series under real races (threads with their own connections, both databases): all or none, no overlap."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

import pytest

from booking.models import Appointment, AppointmentStatus
from booking.series import SeriesTaken, SeriesVisit, series_book
from booking.services import appointment_book
from booking.tests.test_concurrency import race
from painhero.testing import NOW, SLOT, make_world, patient

pytestmark = pytest.mark.django_db(transaction=True)


def _overlaps() -> int:
    """Pairs of booked appointments of one practitioner that overlap in time, counted in the database."""
    booked = list(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED).values_list("practitioner_id", "start", "end")
    )
    return sum(1 for i, (p, s, e) in enumerate(booked) for (q, t, f) in booked[i + 1 :] if p == q and s < f and t < e)


def test_two_series_racing_for_overlapping_times_one_wins_whole_and_the_other_books_nothing() -> None:
    world = make_world()
    days = [SLOT + timedelta(days=7 * i) for i in range(4)]
    mine = [SeriesVisit(world.chen, world.service, start) for start in days]
    # The other shares only the last visit's time: all or nothing means it gets none of its own three either.
    theirs = [SeriesVisit(world.chen, world.service, start + timedelta(days=1)) for start in days[:3]]
    theirs.append(mine[-1])
    jobs: list[Any] = [
        functools.partial(series_book, visits=visits, patient=patient(n), now=NOW)
        for n, visits in ((1, mine), (2, theirs))
    ]
    results = race(jobs)
    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, SeriesTaken)]
    assert len(won) == 1 and len(lost) == 1, results
    assert [c.start for c in lost[0].conflicts] == [mine[-1].start]
    counts = {
        email: Appointment.objects.filter(patient_email=email).count()
        for email in ("patient1@example.com", "patient2@example.com")
    }
    assert sorted(counts.values()) == [0, 4], counts
    assert _overlaps() == 0


def test_a_series_racing_single_bookings_leaves_no_overlap() -> None:
    world = make_world()
    starts = [SLOT + timedelta(days=7 * i) for i in range(6)]
    series = functools.partial(
        series_book, visits=[SeriesVisit(world.chen, world.service, s) for s in starts], patient=patient(1), now=NOW
    )
    singles: list[Any] = [
        functools.partial(
            appointment_book,
            practitioner=world.chen,
            service=world.service,
            start=start,
            patient=patient(10 + i),
            now=NOW,
        )
        for i, start in enumerate(starts * 3)
    ]
    results = race([series, *singles])
    assert _overlaps() == 0
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED)
    assert booked.count() == len(starts), "each time went to exactly one of the racers"
    series_result = results[0]
    if isinstance(series_result, SeriesTaken):
        assert not booked.filter(patient_email="patient1@example.com").exists()
    else:
        assert booked.filter(patient_email="patient1@example.com").count() == len(starts)
