"""Background tasks (django-tasks): thin callers of scheduling.services."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from scheduling.services import next_openings_refresh, next_openings_top_up


@task()
def next_openings_refresh_task(*, clinic_ids: list[int]) -> int:
    return next_openings_refresh(clinic_ids=clinic_ids, now=timezone.now())


@task()
def next_openings_top_up_task() -> int:
    return next_openings_top_up(now=timezone.now())
