"""Open times said the way a person would say them, in the clinic's time zone.

"Today 3:30 PM", "Tomorrow 9:00 AM", "Thu Dec 3, 10:15 AM" in English;
"Aujourd'hui 15 h 30", "Demain 9 h 00", "jeu. 3 déc., 10 h 15" in French.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from painhero import formats


def _french() -> bool:
    return (get_language() or "en").startswith("fr")


def time_phrase(moment: datetime, *, zone: ZoneInfo) -> str:
    """The wall-clock time: "3:30 PM" / "15 h 30" (written by ``painhero.formats``)."""
    return formats.time_in_zone(moment, zone)


def day_phrase(moment: datetime, *, now: datetime, zone: ZoneInfo) -> str:
    """The day relative to today in the clinic's zone: "Today", "Tomorrow", "Thu Dec 3"."""
    day = moment.astimezone(zone).date()
    today = now.astimezone(zone).date()
    if day == today:
        return _("Today")
    if day == today + timedelta(days=1):
        return _("Tomorrow")
    local = moment.astimezone(zone)
    if _french():
        return dateformat.format(local, "D j M").lower().replace(" ", ". ", 1) + "."
    return dateformat.format(local, "D M j")


def when_phrase(moment: datetime, *, now: datetime, zone: ZoneInfo) -> str:
    """Day and time together: "Today 3:30 PM", "Thu Dec 3, 10:15 AM"."""
    day = day_phrase(moment, now=now, zone=zone)
    separator = " " if day in (_("Today"), _("Tomorrow")) else ", "
    return f"{day}{separator}{time_phrase(moment, zone=zone)}"


def wait_phrase(moment: datetime, *, now: datetime) -> str:
    """How long until then, roughly: "in 45 minutes", "in 3 hours", "in 2 days"."""
    seconds = max(0, (moment - now).total_seconds())
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("in %(n)d minute", "in %(n)d minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 24:
        return ngettext("in %(n)d hour", "in %(n)d hours", hours) % {"n": hours}
    days = round(hours / 24)
    return ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
