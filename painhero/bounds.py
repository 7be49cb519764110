"""The sane window every date that enters PainHero must fall in (DESIGN.md invariant 7).

Forms, the JSON API, URL parameters and the models' own checks all ask these helpers, so that nothing
stored can break a page later (a 9999-12-31 23:00 in Vancouver is year 10000 in UTC) and no input can
push date arithmetic past what Python or the database can hold. The window is relative to ``now``:
ten years back (history, exports) and two years ahead (booking horizons, time off, closures).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PAST_DAYS = 10 * 366
FUTURE_DAYS = 2 * 366


def date_window(*, today: date) -> tuple[date, date]:
    """The first and last dates accepted, inclusive."""
    return today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)


def date_in_window(value: date, *, today: date) -> bool:
    first, last = date_window(today=today)
    return first <= value <= last


def window_message(*, today: date) -> str:
    first, last = date_window(today=today)
    return _("Choose a date between %(first)s and %(last)s.") % {"first": first.isoformat(), "last": last.isoformat()}


def date_check(value: date | datetime, *, today: date) -> None:
    """Raise ``ValidationError`` (with a message that names the window) for a date outside it."""
    day = value.date() if isinstance(value, datetime) else value
    if not date_in_window(day, today=today):
        raise ValidationError(window_message(today=today), code="date_out_of_window")


# What the database accepts at all (check constraints on every stored date and datetime of a schedule or an
# appointment). Wider than any window above, so it never refuses what a form let through; narrow enough that
# nothing stored can overflow when a page adds a day or converts to a zone (9999-12-31 23:00 in Vancouver).
STORED_FIRST = date(2000, 1, 1)
STORED_LAST = date(2099, 12, 31)
STORED_START = datetime(2000, 1, 1, tzinfo=UTC)
STORED_END = datetime(2100, 1, 1, tzinfo=UTC)


def stored_check(value: date | datetime | None, *, field: str) -> None:
    """For models' ``clean()``: a date or datetime the database's bounds would refuse, as a field error."""
    if value is None:
        return
    try:
        day = value.astimezone(UTC).date() if isinstance(value, datetime) else value
    except OverflowError:  # 9999-12-31 23:00 somewhere west of Greenwich
        day = date.max
    if not STORED_FIRST <= day <= STORED_LAST:
        message = _("Choose a date between %(first)s and %(last)s.") % {
            "first": STORED_FIRST.isoformat(),
            "last": STORED_LAST.isoformat(),
        }
        raise ValidationError({field: message}, code="date_out_of_bounds")
