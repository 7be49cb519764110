"""Background tasks (django-tasks): thin callers of scheduling.cache."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from scheduling.cache import next_open_times_refresh, next_open_times_round


@task()
def next_open_times_refresh_task(*, clinic_ids: list[int]) -> int:
    return next_open_times_refresh(clinic_ids=clinic_ids, now=timezone.now())


@task()
def next_open_times_top_up_task() -> int:
    """The worker's round as a task: prunes rows past their notice, then tops up; the clinics topped up."""
    _pruned, topped_up = next_open_times_round(now=timezone.now())
    return topped_up
