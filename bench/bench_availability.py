"""Availability: one clinic's open times, refreshing next openings, and "soonest first" near Toronto."""

from __future__ import annotations

import math
import random
import time
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from clinics.models import Clinic, Discipline, Practitioner, Service
from scheduling.cache import next_open_times_refresh
from scheduling.search import next_open_times_for_clinics, soonest_clinics
from scheduling.selectors import open_times_list

TORONTO = (43.6532, -79.3832)
RADIUS_KM = 25
WARM_UP = 10
SAMPLES = 200


def _timed(call: Any, samples: int = SAMPLES, cpu: list[float] | None = None) -> list[float]:
    """Wall milliseconds per call; with ``cpu``, this thread's CPU milliseconds go there (the machine is shared)."""
    for _ in range(WARM_UP):
        call()
    times = []
    for _ in range(samples):
        started, started_cpu = time.perf_counter(), time.thread_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - started_cpu) * 1000)
    return times


def _box(lat: float, lng: float, km: float) -> dict[str, float]:
    dlat = km / 111.2
    dlng = km / (111.2 * math.cos(math.radians(lat)))
    return {"south": lat - dlat, "north": lat + dlat, "west": lng - dlng, "east": lng + dlng}


def run(*, clinics: int) -> list[dict[str, Any]]:
    now = timezone.now()
    figures: list[dict[str, Any]] = []

    # The busiest clinic the network has (ten practitioners where the demo makes them) and its most offered service.
    clinic = Clinic.objects.in_network().annotate(people=Count("practitioners")).order_by("-people", "pk").first()
    if clinic is None:
        return [{"label": "no clinic in the network", "value": "skipped"}]
    service = (
        Service.objects.filter(clinic=clinic, is_active=True)
        .annotate(people=Count("practitioners"))
        .order_by("-people", "pk")
        .first()
    )
    if service is None:
        return [{"label": "the busiest clinic offers no service", "value": "skipped"}]
    found = open_times_list(clinic=clinic, start=now, end=now + timedelta(days=14), now=now, service=service)
    cpu: list[float] = []
    figures.append(
        {
            "label": f"one clinic's 14-day open times for one service ({service.people} practitioners, "
            f"{len(found)} times)",
            "key": "one clinic's 14-day open times for one service",
            "samples_ms": _timed(
                lambda: open_times_list(
                    clinic=clinic, start=now, end=now + timedelta(days=14), now=now, service=service
                ),
                cpu=cpu,
            ),
        }
    )
    figures.append({"label": "... the same, CPU time of this process", "key": "open times CPU", "samples_ms": cpu})

    ids = list(Clinic.objects.in_network().order_by("pk").values_list("pk", flat=True)[:2000])
    rng = random.Random(1)
    figures.append(
        {
            "label": "next_open_times_refresh of one clinic after a change",
            "samples_ms": _timed(lambda: next_open_times_refresh(clinic_ids=[rng.choice(ids)], now=now), samples=100),
        }
    )
    people = list(
        Practitioner.objects.filter(clinic_id__in=ids, is_active=True).order_by("pk").values_list("pk", "clinic_id")
    )
    figures.append(
        {
            "label": "next_open_times_refresh of one practitioner (what a booking does)",
            "samples_ms": _timed(
                lambda: next_open_times_refresh(
                    clinic_ids=[(pick := rng.choice(people))[1]], practitioner_ids=[pick[0]], now=now
                ),
                samples=100,
            ),
        }
    )

    near = Clinic.objects.in_network().within_box(**_box(*TORONTO, RADIUS_KM))

    def search() -> tuple[list, dict]:
        page = soonest_clinics(clinics=near, now=now, discipline=Discipline.PHYSIOTHERAPY, limit=20)
        times = next_open_times_for_clinics(
            clinic_ids=[pk for pk, _start in page], now=now, discipline=Discipline.PHYSIOTHERAPY, count=3
        )
        return page, times

    page, times = search()
    figures.append(
        {
            "label": f"soonest 20 physiotherapy clinics within {RADIUS_KM} km of Toronto, next 3 times each "
            f"({near.count():,} in the box, {len(page)} shown, {sum(len(t) for t in times.values())} times)",
            "key": "soonest 20 physiotherapy clinics near Toronto (selectors)",
            "samples_ms": _timed(search),
        }
    )
    return figures
