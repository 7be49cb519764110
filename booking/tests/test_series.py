"""A series of visits booked in one step (issue 13, DESIGN.md invariant 10): all or none, every visit checked."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.series import (
    MAX_VISITS,
    SeriesInvalid,
    SeriesTaken,
    SeriesVisit,
    series_book,
    series_cancel_rest,
)
from booking.services import appointment_book
from notifications.services import outbox_sweep
from painhero.testing import NOW, SLOT, World, patient
from scheduling.testing import toronto

TORONTO = ZoneInfo("America/Toronto")


def weekly(world: World, count: int, *, first: datetime = SLOT) -> list[SeriesVisit]:
    """``count`` visits a week apart at the same wall-clock time in Toronto."""
    local = first.astimezone(TORONTO)
    return [
        SeriesVisit(
            practitioner=world.chen,
            service=world.service,
            start=datetime.combine(local.date() + timedelta(weeks=i), local.time(), tzinfo=TORONTO),
        )
        for i in range(count)
    ]


def test_a_series_books_every_visit_as_an_ordinary_appointment(world: World) -> None:
    booked = series_book(visits=weekly(world, 4), patient=patient(1), now=NOW)
    assert [a.start for a in booked.appointments] == [v.start for v in weekly(world, 4)]
    assert {a.series_id for a in booked.appointments} == {booked.series.pk}
    assert len({a.manage_token for a in booked.appointments}) == 4, "each visit has its own manage link"
    assert AppointmentEvent.objects.filter(appointment__series=booked.series).count() == 4


def test_one_visit_taken_means_nothing_is_booked_and_the_conflict_is_named_with_nearby_times(world: World) -> None:
    visits = weekly(world, 4)
    appointment_book(practitioner=world.chen, service=world.service, start=visits[2].start, patient=patient(2), now=NOW)
    with pytest.raises(SeriesTaken) as refused:
        series_book(visits=visits, patient=patient(1), now=NOW)
    assert [c.start for c in refused.value.conflicts] == [visits[2].start]
    assert refused.value.conflicts[0].alternatives, "the patient is offered other times for that visit"
    assert visits[2].start not in refused.value.conflicts[0].alternatives
    assert Appointment.objects.filter(patient_email="patient1@example.com").count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("too_many", "at most 36 visits"),
        ("duplicate", "is given twice"),
        ("overlap", "begins before the visit"),
        ("past", "is in the past"),
        ("naive", "time zone offset"),
        ("empty", "at least one time"),
    ],
)
def test_a_series_that_cannot_be_booked_as_asked_is_refused_naming_the_problem(
    world: World, change: str, message: str
) -> None:
    visits = weekly(world, 3)
    if change == "too_many":
        visits = [
            SeriesVisit(world.chen, world.service, SLOT + timedelta(days=i // 4, hours=i % 4))
            for i in range(MAX_VISITS + 1)
        ]
    elif change == "duplicate":
        visits.append(visits[0])
    elif change == "overlap":
        visits.append(SeriesVisit(world.lee, world.service, visits[0].start + timedelta(minutes=15)))
    elif change == "past":
        visits.append(SeriesVisit(world.chen, world.service, NOW - timedelta(hours=1)))
    elif change == "naive":
        visits.append(SeriesVisit(world.chen, world.service, datetime(2026, 12, 9, 10)))
    else:
        visits = []
    with pytest.raises(SeriesInvalid) as refused:
        series_book(visits=visits, patient=patient(1), now=NOW)
    assert message in refused.value.message
    assert not Appointment.objects.exists()


def test_the_same_key_and_body_again_return_the_same_series(world: World) -> None:
    first = series_book(visits=weekly(world, 3), patient=patient(1), now=NOW, idempotency_key="k", body_hash="h")
    again = series_book(visits=weekly(world, 3), patient=patient(1), now=NOW, idempotency_key="k", body_hash="h")
    assert again.replayed and again.series.pk == first.series.pk
    assert [a.pk for a in again.appointments] == [a.pk for a in first.appointments]
    assert Appointment.objects.count() == 3


def test_a_series_across_the_end_of_daylight_time_keeps_the_wall_clock(world: World) -> None:
    """DST ends in Toronto on Sunday 1 November 2026: 10:00 stays 10:00 (UTC-4, then UTC-5)."""
    now = toronto(2026, 10, 26, 8, 0)
    visits = weekly(world, 3, first=toronto(2026, 10, 27, 10, 0))
    booked = series_book(visits=visits, patient=patient(1), now=now)
    local = [a.start.astimezone(TORONTO) for a in booked.appointments]
    assert [(t.hour, t.minute) for t in local] == [(10, 0)] * 3
    assert [t.utcoffset() for t in local] == [timedelta(hours=-4), timedelta(hours=-5), timedelta(hours=-5)]


def test_one_email_lists_every_visit_with_one_calendar_file_holding_them_all(world: World) -> None:
    booked = series_book(visits=weekly(world, 3), patient=patient(1), now=NOW)
    mail.outbox.clear()
    outbox_sweep()
    [email] = [m for m in mail.outbox if m.to == ["patient1@example.com"]]
    body = str(email.body)
    for appointment in booked.appointments:
        assert f"/appointments/{appointment.manage_token}/" in body
    assert "10:00" in body
    [(name, ics, kind)] = email.attachments
    assert (name, kind) == ("appointments.ics", "text/calendar")
    text = ics.decode() if isinstance(ics, bytes) else ics
    assert text.count("BEGIN:VEVENT") == 3 and "TZID=America/Toronto" in text and "BEGIN:VTIMEZONE" in text


def test_cancel_the_rest_cancels_every_future_visit_and_each_stays_cancellable_alone(world: World) -> None:
    booked = series_book(visits=weekly(world, 4), patient=patient(1), now=NOW)
    first = booked.appointments[0]
    result = series_cancel_rest(series=booked.series, now=first.start + timedelta(hours=2))
    assert [a.pk for a in result.cancelled] == [a.pk for a in booked.appointments[1:]]
    assert result.kept == []
    statuses = dict(Appointment.objects.values_list("pk", "status"))
    assert statuses[first.pk] == AppointmentStatus.BOOKED
    assert all(statuses[a.pk] == AppointmentStatus.CANCELLED for a in booked.appointments[1:])


def test_cancel_the_rest_cancels_the_others_when_one_visit_is_already_inside_the_cancellation_window(
    world: World,
) -> None:
    """The clinic's window is 24 hours: 12 hours before the next visit, that one stays (call the clinic), the
    later ones are cancelled, in one step."""
    booked = series_book(visits=weekly(world, 3), patient=patient(1), now=NOW)
    first, *later = booked.appointments
    result = series_cancel_rest(series=booked.series, now=first.start - timedelta(hours=12))
    assert [a.pk for a in result.cancelled] == [a.pk for a in later]
    [kept] = result.kept
    assert kept.appointment.pk == first.pk
    assert "too late to change this appointment online" in kept.reason and "call the clinic" in kept.reason
    statuses = dict(Appointment.objects.values_list("pk", "status"))
    assert statuses[first.pk] == AppointmentStatus.BOOKED
    assert all(statuses[a.pk] == AppointmentStatus.CANCELLED for a in later)
    events = AppointmentEvent.objects.filter(appointment__series=booked.series, kind="cancelled")
    assert sorted(events.values_list("appointment_id", flat=True)) == sorted(a.pk for a in later)
