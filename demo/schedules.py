"""Demo schedules: working hours, time off, closures, posted openings, rules and booked appointments.

``manage.py demo`` calls ``schedules_generate`` after making clinics, practitioners and services.
Everything is bulk-created and deterministic for a seed; times are relative to ``timezone.now()``.
"""

from __future__ import annotations

import base64
import os
import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from booking.models import Appointment, AppointmentSource, AppointmentStatus
from clinics.models import Clinic, OpeningHours, Practitioner, Service
from scheduling import engine
from scheduling.bulk import rows_insert
from scheduling.cache import NEXT_OPEN_TIME_COLUMNS, OPEN_DAY_COLUMNS, next_open_times_compute, open_days_compute
from scheduling.engine import WeeklyBlock
from scheduling.loading import ClinicInputs
from scheduling.models import (
    DEFAULT_HORIZON_DAYS,
    AvailabilityState,
    BookingRules,
    ClinicClosure,
    NextOpenTime,
    OpenDay,
    PostedOpening,
    TimeOff,
    TimeOffKind,
    WorkingHours,
)

CHUNK = 1000  # clinics per batch: bounded memory, a few big INSERTs each
TOKEN_BYTES = 32  # an appointment's manage token, as ``booking.models`` makes them

# (weight, blocks) of a practitioner's working day: most take a lunch break, some work a long
# day or only mornings, a few work evenings.
DAY_SHAPES: list[tuple[int, tuple[tuple[time, time], ...]]] = [
    (40, ((time(9), time(12)), (time(13), time(17)))),
    (15, ((time(8), time(12)), (time(12, 30), time(16)))),
    (12, ((time(10), time(13)), (time(14), time(19)))),
    (10, ((time(8, 30), time(16, 30)),)),
    (8, ((time(9), time(13)),)),
    (8, ((time(12), time(20)),)),
    (7, ((time(7), time(11)), (time(15), time(20)))),
]
SATURDAY = ((time(9), time(13)),)


def schedules_generate(*, clinic_ids: list[int], seed: int, progress: bool = False) -> None:
    """Give the practitioners of ``clinic_ids`` schedules and some bookings, then fill next openings.

    Next openings are computed from the generated data while it is still in memory (the same engine and the
    same code as ``next_open_times_refresh``), not read back from the database.
    """
    now = timezone.now()
    rng = random.Random(seed)  # noqa: S311 (demo data, reproducible by design)
    chunks = range(0, len(clinic_ids), CHUNK)
    if progress:
        from tqdm import tqdm

        chunks = tqdm(chunks, desc="schedules", unit_scale=CHUNK, unit="clinic")
    for start in chunks:
        with transaction.atomic():
            _chunk_generate(ids=clinic_ids[start : start + CHUNK], rng=rng, now=now)


def _chunk_generate(*, ids: list[int], rng: random.Random, now: datetime) -> None:
    clinics = list(
        Clinic.objects.filter(pk__in=ids).order_by("pk").only("pk", "time_zone", "province", "latitude", "longitude")
    )
    # Practitioners work within the clinic's posted hours (the engine would cut anything outside them).
    posted: dict[int, list[engine.PostedHours]] = defaultdict(list)
    for clinic_id, weekday, opens, closes in OpeningHours.objects.filter(clinic_id__in=ids).values_list(
        "clinic_id", "weekday", "opens", "closes"
    ):
        posted[clinic_id].append((weekday, opens, closes))
    people: dict[int, list[int]] = defaultdict(list)
    discipline_of: dict[int, str] = {}
    clinic_of: dict[int, int] = {}
    for pid, clinic_id, discipline in (
        Practitioner.objects.filter(clinic_id__in=ids, is_active=True)
        .order_by("pk")
        .values_list("pk", "clinic_id", "discipline")
    ):
        people[clinic_id].append(pid)
        discipline_of[pid] = discipline
        clinic_of[pid] = clinic_id
    offers: dict[int, list[tuple[int, int]]] = defaultdict(list)  # practitioner -> (service id, minutes)
    services_of: dict[int, dict[int, Service]] = defaultdict(dict)  # clinic -> active services by id
    offered_by: dict[int, list[int]] = defaultdict(list)
    for service_id, pid, minutes, clinic_id, discipline in (
        Service.practitioners.through.objects.filter(service__clinic_id__in=ids, service__is_active=True)
        .order_by("pk")
        .values_list(
            "service_id", "practitioner_id", "service__duration_minutes", "service__clinic_id", "service__discipline"
        )
    ):
        if service_id not in services_of[clinic_id]:
            service = Service(pk=service_id, clinic_id=clinic_id, discipline=discipline, duration_minutes=minutes)
            service._own_rules = None  # type: ignore[attr-defined]  # the demo sets no per-service rules
            services_of[clinic_id][service_id] = service
        if pid in discipline_of:
            offers[pid].append((service_id, minutes))
            offered_by[service_id].append(pid)
    for pids in offered_by.values():
        pids.sort()

    hours: list[tuple] = []
    absences: list[TimeOff] = []
    closures: list[ClinicClosure] = []
    openings: list[PostedOpening] = []
    rules: list[BookingRules] = []
    appointments: list[tuple] = []
    inputs: dict[int, ClinicInputs] = {}
    valid_from = now.date() - timedelta(days=120)
    for clinic in clinics:
        zone = ZoneInfo(clinic.time_zone)
        today = now.astimezone(zone).date()
        item = inputs[clinic.pk] = ClinicInputs(
            clinic=clinic,
            zone=zone,
            rules=None,
            services=[services_of[clinic.pk][sid] for sid in sorted(services_of.get(clinic.pk, {}))],
            offered_by=offered_by,
            discipline_of=discipline_of,
            posted_hours=posted.get(clinic.pk, []),
        )
        # How full the clinic is: most have room in a day or two, some are booked up for a week or more.
        booked_days = rng.choices([0, 1, 2, 3, 5, 8, 12], weights=[40, 30, 12, 8, 5, 3, 2])[0]
        closed: set[date] = set(
            engine.statutory_holidays(province=clinic.province, first=today, last=today + timedelta(days=20))
        )
        clinic_closed: set[date] = set()
        roll = rng.random()
        if roll < 0.03:
            first = today + timedelta(days=rng.randint(0, 1))
            last = first + timedelta(days=rng.randint(3, 8))
            closures.append(ClinicClosure(clinic_id=clinic.pk, start_date=first, end_date=last, reason="Renovations"))
            clinic_closed.update(first + timedelta(days=i) for i in range((last - first).days + 1))
        elif roll < 0.08:
            day = today + timedelta(days=rng.randint(3, 25))
            closures.append(ClinicClosure(clinic_id=clinic.pk, start_date=day, end_date=day, reason="Staff training"))
            clinic_closed.add(day)
        closed |= clinic_closed
        if rng.random() < 0.3:
            item.rules = BookingRules(
                clinic_id=clinic.pk,
                min_notice_minutes=rng.choice([60, 120, 240, 1440]),
                step_minutes=rng.choice([15, 15, 30]),
                buffer_minutes=rng.choice([0, 5, 10, 15]),
                same_day_allowed=rng.random() > 0.3,
                open_on_holidays=rng.random() < 0.2,
            )
            rules.append(item.rules)
        item.closed_days = sorted(clinic_closed)
        if item.rules is None or not item.rules.open_on_holidays:
            horizon = item.rules.horizon_days if item.rules is not None else DEFAULT_HORIZON_DAYS
            item.closed_days += engine.statutory_holidays(
                province=clinic.province, first=today - timedelta(days=1), last=today + timedelta(days=horizon + 1)
            )
        for pid in people.get(clinic.pk, ()):
            week = _within(_week_generate(rng), item.posted_hours)
            for weekday, blocks in week.items():
                hours.extend((pid, weekday, a, b, valid_from, None) for a, b in blocks)
                item.weekly[pid].extend(WeeklyBlock(weekday, a, b, valid_from, None) for a, b in blocks)
            away: set[date] = set()
            if rng.random() < 0.08:
                first = today + timedelta(days=rng.randint(-3, 30))
                length = rng.randint(2, 12)
                absences.append(
                    TimeOff(
                        practitioner_id=pid,
                        start=_at(first, time.min, zone),
                        end=_at(first + timedelta(days=length), time.min, zone),
                        reason=rng.choice(["Vacation", "Conference", "Parental leave", "Sick leave"]),
                    )
                )
                away.update(first + timedelta(days=i) for i in range(length))
            if rng.random() < 0.05:
                day = today + timedelta(days=rng.randint(0, 10))
                absences.append(
                    TimeOff(
                        practitioner_id=pid,
                        kind=TimeOffKind.BLOCKED,
                        start=_at(day, time(12), zone),
                        end=_at(day, time(14), zone),
                        reason="Team meeting",
                    )
                )
            services = offers.get(pid)
            if not services:
                continue
            if rng.random() < 0.04:
                slot = now.astimezone(zone).replace(minute=0, second=0, microsecond=0) + timedelta(
                    hours=rng.randint(3, 6)
                )
                inside = not engine.outside_posted_hours(
                    [(slot.weekday(), slot.time(), (slot + timedelta(minutes=60)).time())], item.posted_hours
                )
                if slot.date() == today and slot.hour < 23 and inside:
                    openings.append(PostedOpening(practitioner_id=pid, start=slot, end=slot + timedelta(minutes=60)))
            # Not everyone at a clinic is as busy: some have half its full days.
            own_days = booked_days if rng.random() < 0.6 else booked_days // 2
            made = _bookings_generate(
                rng,
                pid=pid,
                clinic_id=clinic.pk,
                week=week,
                services=services,
                days=[today + timedelta(days=i) for i in range(own_days + 1)],
                full_days=own_days,
                skip=closed | away,
                zone=zone,
                now=now,
            )
            appointments.extend(made)
            item.busy[pid].extend((engine.ts(row[3]), engine.ts(row[4])) for row in made)
    for absence in absences:
        pid = absence.practitioner_id
        inputs[clinic_of[pid]].unavailable[pid].append((engine.ts(absence.start), engine.ts(absence.end)))
    for opening in openings:
        pid = opening.practitioner_id
        inputs[clinic_of[pid]].openings[pid].append((engine.ts(opening.start), engine.ts(opening.end)))
    rows_insert(
        WorkingHours, ("practitioner_id", "weekday", "start_time", "end_time", "valid_from", "valid_until"), hours
    )
    TimeOff.objects.bulk_create(absences, batch_size=5000)
    ClinicClosure.objects.bulk_create(closures, batch_size=5000)
    PostedOpening.objects.bulk_create(openings, batch_size=5000)
    BookingRules.objects.bulk_create(rules, batch_size=5000)
    # Manage tokens in one draw from the OS (a default per row would call ``secrets`` for each).
    noise = os.urandom(TOKEN_BYTES * len(appointments))
    rows_insert(
        Appointment,
        ("clinic_id", "practitioner_id", "service_id", "start", "end", "status", "source", "manage_token"),
        (
            (*row, base64.urlsafe_b64encode(noise[i * TOKEN_BYTES : (i + 1) * TOKEN_BYTES]).rstrip(b"=").decode())
            for i, row in enumerate(appointments)
        ),
    )
    next_rows, states = next_open_times_compute(inputs=inputs, now=now)
    NextOpenTime.objects.filter(clinic_id__in=ids).delete()  # none, unless these clinics had schedules already
    OpenDay.objects.filter(clinic_id__in=ids).delete()
    rows_insert(NextOpenTime, NEXT_OPEN_TIME_COLUMNS, next_rows)
    rows_insert(OpenDay, OPEN_DAY_COLUMNS, open_days_compute(rows=next_rows, clinics=clinics))
    AvailabilityState.objects.bulk_create(
        states,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["clinic"],
        update_fields=["computed_at", "fresh_until"],
    )


def _week_generate(rng: random.Random) -> dict[int, tuple[tuple[time, time], ...]]:
    """Four or five weekdays (sometimes three), some with a Saturday morning."""
    count = rng.choices([3, 4, 5], weights=[15, 40, 45])[0]
    days = sorted(rng.sample(range(5), count))
    shapes = [shape for _w, shape in DAY_SHAPES]
    weights = [w for w, _shape in DAY_SHAPES]
    usual = rng.choices(shapes, weights=weights)[0]
    week = {day: (usual if rng.random() < 0.8 else rng.choices(shapes, weights=weights)[0]) for day in days}
    if rng.random() < 0.25:
        week[5] = SATURDAY
    return week


SHORTEST_BLOCK = timedelta(minutes=30)


def _within(
    week: dict[int, tuple[tuple[time, time], ...]], hours: list[engine.PostedHours]
) -> dict[int, tuple[tuple[time, time], ...]]:
    """The week cut to the clinic's posted hours with the engine's own rule, dropping slivers under 30 minutes."""
    weekly = [WeeklyBlock(day, a, b) for day, blocks in week.items() for a, b in blocks]
    kept: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for block in engine.within_posted_hours(weekly, hours):
        length = datetime.combine(date.min, block.end) - datetime.combine(date.min, block.start)
        if length >= SHORTEST_BLOCK:
            kept[block.weekday].append((block.start, block.end))
    return {day: tuple(sorted(blocks)) for day, blocks in sorted(kept.items())}


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _bookings_generate(
    rng: random.Random,
    *,
    pid: int,
    clinic_id: int,
    week: dict[int, tuple[tuple[time, time], ...]],
    services: list[tuple[int, int]],
    days: list[date],
    full_days: int,
    skip: set[date],
    zone: ZoneInfo,
    now: datetime,
) -> list[tuple]:
    """Booked appointments inside the working blocks: nearly full for ``full_days`` days, then a third full.

    Walks each block in epoch seconds (a block never spans a clock change: they happen at night).
    """
    made: list[tuple] = []
    now_ts = engine.ts(now)
    count = len(services)
    booked, source = AppointmentStatus.BOOKED, AppointmentSource.IMPORT
    for index, day in enumerate(days):
        if day in skip or day.weekday() not in week:
            continue
        load = 0.92 if index < full_days else 0.3
        for block_start, block_end in week[day.weekday()]:
            cursor = engine.ts(_at(day, block_start, zone))
            end = engine.ts(_at(day, block_end, zone))
            while True:
                service_id, minutes = services[int(rng.random() * count)]
                finish = cursor + 60 * minutes
                if finish > end:
                    break
                if rng.random() < load and cursor > now_ts:
                    made.append((clinic_id, pid, service_id, _utc(cursor), _utc(finish), booked, source))
                    cursor = finish
                else:
                    cursor += 900 if rng.random() < 0.5 else 1800
    return made


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
