"""Background tasks (django-tasks): thin callers of scheduling.cache."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from scheduling.cache import next_open_times_prune, next_open_times_refresh, next_open_times_top_up


@task()
def next_open_times_refresh_task(*, clinic_ids: list[int]) -> int:
    return next_open_times_refresh(clinic_ids=clinic_ids, now=timezone.now())


@task()
def next_open_times_top_up_task() -> int:
    next_open_times_prune(now=timezone.now())
    return next_open_times_top_up(now=timezone.now())
