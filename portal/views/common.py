"""Small helpers the management views share: the clock, JSON-safe audit diffs, htmx-aware rendering."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.models import Membership


def clock() -> datetime:
    # The one place the management views read the time; services get it as an argument.
    return timezone.now()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def changes_json(diff: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """A service's {field: (old, new)} as JSON for the audit log."""
    return {name: {"old": _plain(old), "new": _plain(new)} for name, (old, new) in diff.items()}


def page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    membership: Membership = context["membership"]
    context.setdefault("clinic", membership.clinic)
    return render(request, template, context, status=status)
