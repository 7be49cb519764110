"""Demo schedules: plausible, consistent with the engine, reproducible."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from booking.models import Appointment
from clinics.testing import make_clinic, make_practitioner, make_service
from demo.schedules import schedules_generate
from scheduling.models import AvailabilityState, NextOpenTime, WorkingHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    clinics = []
    for _ in range(6):
        clinic = make_clinic()
        people = [make_practitioner(clinic=clinic) for _ in range(3)]
        make_service(clinic=clinic, practitioners=people, duration_minutes=30)
        make_service(clinic=clinic, practitioners=people[:1], name="Assessment", duration_minutes=60)
        clinics.append(clinic)
    return [c.pk for c in clinics]


def test_every_practitioner_gets_weekly_hours_and_every_clinic_next_openings(network):
    schedules_generate(clinic_ids=network, seed=7)
    assert WorkingHours.objects.values("practitioner").distinct().count() == 18
    days = WorkingHours.objects.order_by().values_list("practitioner", "weekday").distinct()
    per_person: dict[int, int] = {}
    for pid, _day in days:
        per_person[pid] = per_person.get(pid, 0) + 1
    assert all(3 <= n <= 6 for n in per_person.values())
    assert AvailabilityState.objects.filter(clinic_id__in=network).count() == len(network)
    assert NextOpenTime.objects.values("clinic").distinct().count() >= len(network) - 1


def test_booked_appointments_sit_inside_working_hours_and_never_overlap(network):
    schedules_generate(clinic_ids=network, seed=7)
    appointments = list(Appointment.objects.select_related("clinic").order_by("practitioner_id", "start"))
    assert appointments and {a.source for a in appointments} == {"import"}
    blocks: dict[tuple[int, int], list[tuple[time, time]]] = {}
    for block in WorkingHours.objects.all():
        blocks.setdefault((block.practitioner_id, block.weekday), []).append((block.start_time, block.end_time))
    for before, after in itertools.pairwise(appointments):
        if before.practitioner_id == after.practitioner_id:
            assert before.end <= after.start
    for appointment in appointments:
        zone = ZoneInfo(appointment.clinic.time_zone)
        start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
        inside = blocks[(appointment.practitioner_id, start.weekday())]
        assert any(a <= start.time() and end.time() <= b for a, b in inside)


def test_the_same_seed_gives_the_same_schedules(network):
    def snapshot():
        return sorted(WorkingHours.objects.values_list("practitioner_id", "weekday", "start_time", "end_time"))

    schedules_generate(clinic_ids=network, seed=3)
    first = snapshot()
    WorkingHours.objects.all().delete()
    Appointment.objects.all().delete()
    from scheduling.models import BookingRules, ClinicClosure, PostedOpening, TimeOff

    for model in (BookingRules, ClinicClosure, PostedOpening, TimeOff):
        model.objects.all().delete()
    schedules_generate(clinic_ids=network, seed=3)
    assert snapshot() == first


def test_next_openings_computed_in_memory_are_those_a_refresh_reads_back(network):
    import time_machine
    from django.utils import timezone

    from scheduling.cache import next_open_times_refresh

    def snapshot():
        return sorted(
            NextOpenTime.objects.values_list("clinic_id", "practitioner_id", "service_id", "start", "end", "rank")
        ), dict(AvailabilityState.objects.values_list("clinic_id", "fresh_until"))

    with time_machine.travel(datetime(2026, 12, 2, 14, 7, tzinfo=UTC), tick=False):
        schedules_generate(clinic_ids=network, seed=11)
        generated = snapshot()
        assert Appointment.objects.exists() and generated[0]
        next_open_times_refresh(clinic_ids=network, now=timezone.now())
    assert snapshot() == generated
