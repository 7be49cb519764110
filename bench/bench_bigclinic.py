"""One very large clinic (1,000 practitioners unless ``BENCH_PRACTITIONERS`` says otherwise).

``run(clinics=...)`` makes the clinic on the configured database (two services offered by everyone,
08:00-12:00 and 13:00-18:00 every day), fills the next-open-times cache for it, and measures:

- the availability API's default request (``GET /api/v1/clinics/{id}/availability``, one page), target p95 < 30 ms;
- a refused booking: ``appointment_book`` for a time already taken, which answers 409 with alternatives,
  target p95 <= 25 ms;
- 20 simultaneous requests for one time (one wins, the others are refused): how long until all have
  their answer, target < 1 s;
- bookings' p95 quiet, then while another thread changes schedules of the same clinic (``time_off_add``,
  ``working_hours_set``), in the same run, with the ratio (target <= 2x).

Everything it makes is deleted at the end. The size of the network does not matter here.
"""

from __future__ import annotations

import os
import random
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

# Everything this benchmark calls in the project, in one place (other branches move code around).
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from bench.__main__ import summarize
from booking.errors import BookingError, SlotTaken
from booking.models import Appointment
from booking.patients import PatientDetails
from booking.services import appointment_book
from clinics.models import Practitioner, Service
from clinics.testing import make_city, make_clinic, make_service
from notifications.models import OutboxMessage
from scheduling.cache import next_open_times_refresh
from scheduling.models import NextOpenTime, TimeOff, WorkingHours
from scheduling.services import time_off_add, working_hours_set

PRACTITIONERS = int(os.environ.get("BENCH_PRACTITIONERS", "1000"))
PARTS = ("availability", "refusal", "settle", "schedule")
# Pause between two schedule changes in the "while its schedules change" run (20 changes a second).
CHANGE_PAUSE_S = 0.05
# Bookings in each of the quiet and busy runs: enough for the busy one to last through dozens of changes.
SCHEDULE_BOOKINGS = 400
# The runner's --parts: some of PARTS, comma-separated (all by default).
CHOSEN = [part for part in os.environ.get("BENCH_PARTS", "").split(",") if part.strip()] or list(PARTS)
AVAILABILITY_SAMPLES = 100
REFUSALS = 60
SIMULTANEOUS = 20
SETTLE_ROUNDS = 3
BOOKINGS = 60
WARM_UP = 5
BLOCKS = ((clock(8), clock(12)), (clock(13), clock(18)))


def _setup() -> tuple[Any, list[Any], list[Any]]:
    tag = time.time_ns()
    city = make_city(slug=f"bench-big-{tag}")
    clinic = make_clinic(city=city, slug=f"bench-big-{tag}", name="Bench big clinic")
    people = Practitioner.objects.bulk_create(
        Practitioner(clinic=clinic, first_name="Bench", last_name=f"Practitioner {n}", discipline="physiotherapy")
        for n in range(PRACTITIONERS)
    )
    services = [
        make_service(clinic=clinic, practitioners=people, name="Follow-up", duration_minutes=30),
        make_service(clinic=clinic, practitioners=people, name="Assessment", duration_minutes=60),
    ]
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=p, weekday=d, start_time=a, end_time=b, valid_from=date(2020, 1, 1))
        for p in people
        for d in range(7)
        for a, b in BLOCKS
    )
    next_open_times_refresh(clinic_ids=[clinic.pk], now=timezone.now())
    return clinic, people, services


def _teardown(clinic: Any) -> None:
    ids = list(Appointment.objects.filter(clinic=clinic).values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        OutboxMessage.objects.filter(payload__appointment_id__in=ids[start : start + 500]).delete()
    Appointment.objects.filter(clinic=clinic).delete()
    NextOpenTime.objects.filter(clinic_id=clinic.pk).delete()
    TimeOff.objects.filter(practitioner__clinic=clinic).delete()
    WorkingHours.objects.filter(practitioner__clinic=clinic).delete()
    Service.objects.filter(clinic=clinic).delete()
    Practitioner.objects.filter(clinic=clinic).delete()
    city = clinic.city
    clinic.delete()
    city.delete()


def _starts(clinic: Any, *, day: int) -> list[datetime]:
    """Every half hour of the working blocks, clinic time, ``day`` days from today."""
    zone = ZoneInfo(clinic.time_zone)
    on = datetime.now(zone).date() + timedelta(days=day)
    return [
        datetime.combine(on, a, tzinfo=zone) + timedelta(minutes=30 * k)
        for a, b in BLOCKS
        for k in range((b.hour - a.hour) * 2)
    ]


def _book(practitioner: Any, service: Any, start: datetime, n: int) -> str:
    """'booked', 'taken' (409 with alternatives) or the name of the refusal."""
    patient = PatientDetails(name=f"Bench {n}", email=f"bench{n}@example.com", phone="+14165550123")
    try:
        appointment_book(practitioner=practitioner, service=service, start=start, patient=patient, now=timezone.now())
    except SlotTaken:
        return "taken"
    except BookingError as exc:
        return type(exc).__name__
    return "booked"


def _availability(clinic: Any) -> list[dict[str, Any]]:
    client = Client()
    path = f"/api/v1/clinics/{clinic.pk}/availability"
    first = client.get(path)
    if first.status_code != 200:
        raise RuntimeError(f"{path} answered {first.status_code}: {first.content[:300]!r}")
    for _ in range(WARM_UP):
        client.get(path)
    samples, cpu = [], []
    for _ in range(AVAILABILITY_SAMPLES):
        began, began_cpu = time.perf_counter(), time.thread_time()
        client.get(path)
        samples.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
    body = first.json()
    return [
        {
            "label": f"availability API, default request ({len(body['items'])} times, {len(first.content):,} bytes, "
            f"next link {'yes' if body['next'] else 'no'}; target p95 < 30 ms)",
            "key": "availability-default",
            "samples_ms": samples,
        },
        {"label": "... the same, CPU time of this process (the machine is shared)", "samples_ms": cpu},
    ]


def _refusals(clinic: Any, people: list[Any], service: Any) -> list[dict[str, Any]]:
    """The same taken time asked again and again: each answer is a 409 that computes alternatives."""
    start = _starts(clinic, day=2)[4]
    taken_by = people[0]
    if _book(taken_by, service, start, 0) != "booked":
        raise RuntimeError("the refusal benchmark could not book its first appointment")
    outcomes = set()
    for n in range(WARM_UP):
        outcomes.add(_book(taken_by, service, start, n))
    samples, cpu = [], []
    for n in range(REFUSALS):
        began, began_cpu = time.perf_counter(), time.thread_time()
        outcomes.add(_book(taken_by, service, start, n))
        samples.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
    if outcomes != {"taken"}:
        raise RuntimeError(f"a refused booking answered {outcomes}, not only 409 taken")
    return [
        {
            "label": "refused booking (409 with alternatives; target p95 <= 25 ms)",
            "key": "refusal",
            "samples_ms": samples,
        },
        {"label": "... the same, CPU time of this process", "samples_ms": cpu},
    ]


def _race(practitioner: Any, service: Any, start: datetime, seed: int) -> tuple[float, list[str]]:
    """SIMULTANEOUS threads ask for one time at once: milliseconds until the last has its answer, and the answers."""
    barrier = threading.Barrier(SIMULTANEOUS + 1)
    answers: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        try:
            barrier.wait()
            answer = _book(practitioner, service, start, seed + n)
            with lock:
                answers.append(answer)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return (time.perf_counter() - began) * 1000, answers


def _simultaneous(clinic: Any, people: list[Any], service: Any) -> dict[str, Any]:
    settles: list[float] = []
    outcomes: dict[str, int] = {}
    for round_ in range(SETTLE_ROUNDS):
        settle, answers = _race(people[1 + round_], service, _starts(clinic, day=3)[2 * round_], 1000 * round_)
        settles.append(settle)
        for answer in answers:
            outcomes[answer] = outcomes.get(answer, 0) + 1
    if outcomes.get("booked") != SETTLE_ROUNDS:
        raise RuntimeError(f"{SIMULTANEOUS} requests for one time gave {outcomes}: exactly one each must win")
    told = ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items()))
    return {
        "label": f"{SIMULTANEOUS} simultaneous requests for one time, until all answered "
        f"({SETTLE_ROUNDS} rounds: {told}; target < 1 s)",
        "key": "settle",
        "samples_ms": settles,
    }


def _bookings(clinic: Any, people: list[Any], service: Any, *, day: int, count: int = 0) -> list[float]:
    """``count`` (BOOKINGS) free times of ``day``, each (practitioner, start) once: milliseconds per booking."""
    starts = _starts(clinic, day=day)
    samples = []
    for n in range(count or BOOKINGS):
        practitioner, start = people[n % len(people)], starts[(n // len(people)) % len(starts)]
        began = time.perf_counter()
        answer = _book(practitioner, service, start, 100 * day + n)
        samples.append((time.perf_counter() - began) * 1000)
        if answer != "booked":
            raise RuntimeError(f"a booking of a free time answered {answer}")
    return samples


def _with_schedule_changes(clinic: Any, people: list[Any], service: Any) -> list[dict[str, Any]]:
    """Bookings quiet, then while another thread changes schedules of the same clinic (20 changes a second): p95 of
    both and the ratio."""
    # Bookings go to the first half of the practitioners, schedule changes to the second: no booking is refused
    # because a change removed its time, so both runs do the same work.
    half = len(people) // 2
    bookers, changed = people[: max(half, 1)], people[half:] or people
    _bookings(clinic, bookers, service, day=5)  # warm-up
    quiet = _bookings(clinic, bookers, service, day=6, count=SCHEDULE_BOOKINGS)
    stop = threading.Event()
    changes = [0]
    rng = random.Random(1)
    zone = ZoneInfo(clinic.time_zone)

    def changer() -> None:
        try:
            while not stop.is_set():
                person = rng.choice(changed)
                now = timezone.now()
                if changes[0] % 2:
                    day = now.astimezone(zone).date() + timedelta(days=rng.randint(1, 20))
                    begins = datetime.combine(day, clock(rng.randint(8, 16)), tzinfo=zone)
                    time_off_add(practitioner=person, start=begins, end=begins + timedelta(hours=1), now=now)
                else:
                    blocks = [(d, a, b) for d in range(7) for a, b in BLOCKS]
                    working_hours_set(practitioner=person, blocks=blocks, valid_from=now.date(), now=now)
                changes[0] += 1
                # A busy clinic's staff, not a loop at full speed: on two cores a changer that never pauses measures
                # the CPU (and this process's GIL) it takes from the bookings, not the locks it holds.
                stop.wait(CHANGE_PAUSE_S)
        finally:
            connections.close_all()

    thread = threading.Thread(target=changer)
    began = time.perf_counter()
    thread.start()
    try:
        busy = _bookings(clinic, bookers, service, day=7, count=SCHEDULE_BOOKINGS)
    finally:
        stop.set()
        thread.join()
    seconds = time.perf_counter() - began
    ratio = summarize(busy)[2] / summarize(quiet)[2]
    return [
        {"label": "booking at this clinic, quiet", "key": "booking-quiet", "samples_ms": quiet},
        {
            "label": f"booking at this clinic while its schedules change ({changes[0]} changes in {seconds:.1f} s)",
            "key": "booking-busy",
            "samples_ms": busy,
        },
        {
            "label": "booking p95 while schedules change / quiet (target <= 2x)",
            "key": "booking-ratio",
            "value": f"{ratio:.2f}x",
        },
    ]


def run(*, clinics: int) -> list[dict[str, Any]]:
    began = time.perf_counter()
    clinic, people, services = _setup()
    built = time.perf_counter() - began
    follow_up = services[0]
    figures: list[dict[str, Any]] = [
        {
            "label": f"a clinic of {len(people):,} practitioners ({connection.vendor})",
            "value": f"built in {built:.1f} s",
        }
    ]
    try:
        if "availability" in CHOSEN:
            figures.extend(_availability(clinic))
        if "refusal" in CHOSEN:
            figures.extend(_refusals(clinic, people, follow_up))
        if "settle" in CHOSEN:
            figures.append(_simultaneous(clinic, people, follow_up))
        if "schedule" in CHOSEN:
            figures.extend(_with_schedule_changes(clinic, people, follow_up))
    finally:
        _teardown(clinic)
    return figures
