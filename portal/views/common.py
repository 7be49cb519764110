"""Small helpers the portal views share: the clock and page rendering with the clinic in the context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.models import Membership


def clock() -> datetime:
    # The one place the management views read the time; services get it as an argument.
    return timezone.now()


def page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    membership: Membership = context["membership"]
    context.setdefault("clinic", membership.clinic)
    return render(request, template, context, status=status)
