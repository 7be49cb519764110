"""Template filters for open times: ``{{ slot.start|when:clinic }}``, ``{{ slot.start|wait }}``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from scheduling import phrasing

register = template.Library()


def _zone(clinic_or_zone: object) -> ZoneInfo:
    name = getattr(clinic_or_zone, "time_zone", clinic_or_zone)
    return ZoneInfo(str(name))


@register.simple_tag(takes_context=True)
def when(context: template.Context, moment: datetime | None, clinic_or_zone: object) -> str:
    """Say "Today 3:30 PM" in the clinic's zone; the view may put ``now`` in the context to fix the clock."""
    if moment is None:
        return ""
    now = context.get("now") or timezone.now()
    return phrasing.when_phrase(moment, now=now, zone=_zone(clinic_or_zone))


@register.simple_tag(takes_context=True)
def wait(context: template.Context, moment: datetime | None) -> str:
    if moment is None:
        return ""
    return phrasing.wait_phrase(moment, now=context.get("now") or timezone.now())
