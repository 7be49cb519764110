"""The week of open times shown on a clinic's profile: parse what was asked, compute it, lay it out by day.

Everything is in the clinic's zone: a week runs from Monday 00:00 to the next Monday 00:00 on the clinic's
wall clock, whatever the visitor's own zone. The page and its htmx fragment both call ``week_build``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import dateformat
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from clinics.models import Clinic, Discipline, Practitioner, Service, ServiceKind
from painhero import formats
from painhero.converters import id_parse
from scheduling import phrasing
from scheduling.selectors import OpenTime, open_times_list, service_rules_get

# Kinds a returning patient books most: the default of the service select.
USUAL_KINDS = (ServiceKind.FOLLOW_UP, ServiceKind.TREATMENT)
# A week parameter further out than this is refused before any date arithmetic (no overflow near year 9999).
FURTHEST_WEEK_DAYS = 800


class WeekError(ValueError):
    """Input the week view cannot answer; ``message`` says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class WeekParams:
    week: date  # a Monday
    service: Service
    practitioner: Practitioner | None
    notice: str = ""  # e.g. the practitioner asked for does not offer this service


@dataclass(frozen=True)
class TimeButton:
    start: datetime
    label: str
    aria_label: str
    practitioner_name: str
    url: str


@dataclass
class Day:
    date: date
    name: str
    date_label: str
    full_label: str
    is_today: bool
    is_past: bool
    times: list[TimeButton] = field(default_factory=list)


@dataclass
class Week:
    params: WeekParams
    days: list[Day]
    zone_label: str
    this_week: date
    prev_week: date | None
    next_week: date | None
    title: str
    limit_message: str = ""
    next_open: datetime | None = None
    next_open_label: str = ""
    next_open_week: date | None = None
    # When the first time shown runs into the minimum notice and leaves the week (None: no time shown). A copy
    # of the rendered week (directory/page_cache.py) is true until then, unless a write changes the times.
    first_time_leaves_at: datetime | None = None

    @property
    def count(self) -> int:
        return sum(len(day.times) for day in self.days)


def _french() -> bool:
    return (get_language() or "en").startswith("fr")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_start(week: date, zone: ZoneInfo) -> datetime:
    """Monday 00:00 on the clinic's wall clock (midnight exists on every Canadian DST day)."""
    return datetime.combine(week, time(0), tzinfo=zone)


def default_service(services: Iterable[Service]) -> Service | None:
    """The service most patients come back for: a follow-up or treatment offered by the most practitioners.

    Ties go to the clinic's most common discipline, then the shortest, then the oldest service, so the
    choice never changes between two loads. ``services`` carry their active ``practitioners`` prefetched.
    """
    offered = [s for s in services if s.practitioners.all()]
    if not offered:
        return None
    per_discipline: dict[str, int] = {}
    for service in offered:
        per_discipline[service.discipline] = per_discipline.get(service.discipline, 0) + len(
            service.practitioners.all()
        )

    def rank(service: Service) -> tuple[int, int, int, int, int]:
        return (
            0 if service.kind in USUAL_KINDS else 1,
            -len(service.practitioners.all()),
            -per_discipline[service.discipline],
            service.duration_minutes,
            service.pk,
        )

    return min(offered, key=rank)


def service_groups(services: Iterable[Service]) -> list[tuple[str, list[Service]]]:
    """Bookable services grouped by discipline for the select's optgroups, in the disciplines' order."""
    groups: dict[str, list[Service]] = {}
    for service in services:
        if service.practitioners.all():
            groups.setdefault(service.discipline, []).append(service)
    return [(str(label), groups[value]) for value, label in Discipline.choices if value in groups]


def _positive_id(raw: str, what: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    value = id_parse(raw)  # not str.isdigit(): it takes "²", which int() refuses
    if value is None:
        raise WeekError(_("The %(what)s must be chosen from the list.") % {"what": what})
    return value


def week_params_parse(
    *, data: Mapping[str, str], services: list[Service], practitioners: list[Practitioner], today: date
) -> WeekParams:
    """Check ``week``, ``service`` and ``practitioner`` against this clinic's own lists; raise WeekError.

    An id that is not this clinic's gets the same answer as one that does not exist, so nothing of
    another clinic leaks. A date inside a week means that week (links may carry any day).
    """
    raw_week = (data.get("week") or "").strip()
    if raw_week:
        try:
            asked = date.fromisoformat(raw_week)
        except ValueError:
            raise WeekError(
                _("“%(value)s” is not a date: give the week as YYYY-MM-DD, e.g. %(example)s.")
                % {"value": raw_week[:40], "example": monday_of(today).isoformat()}
            ) from None
        if abs((asked - today).days) > FURTHEST_WEEK_DAYS:
            raise WeekError(_("That week is too far from today; choose a week in the coming months."))
        week = monday_of(asked)
    else:
        week = monday_of(today)

    service_id = _positive_id(data.get("service") or "", _("service"))
    bookable = [s for s in services if s.practitioners.all()]
    if service_id is None:
        service = default_service(bookable)
        if service is None:
            raise WeekError(_("This clinic has no services open for online booking yet."))
    else:
        service = next((s for s in bookable if s.pk == service_id), None)
        if service is None:
            raise WeekError(_("This clinic has no such service; choose one from the list."))

    practitioner_id = _positive_id(data.get("practitioner") or "", _("practitioner"))
    practitioner = None
    notice = ""
    if practitioner_id is not None:
        practitioner = next((p for p in practitioners if p.pk == practitioner_id), None)
        if practitioner is None:
            raise WeekError(_("This clinic has no such practitioner; choose one from the list."))
        if practitioner_id not in {p.pk for p in service.practitioners.all()}:
            # Switching service keeps the practitioner field: say so rather than show an empty week.
            notice = _("%(name)s does not offer %(service)s; showing every practitioner who does.") % {
                "name": practitioner.full_name,
                "service": service.label,
            }
            practitioner = None
    return WeekParams(week=week, service=service, practitioner=practitioner, notice=notice)


def offset_label(moment: datetime) -> str:
    """ "UTC−3:30", with a true minus sign."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(zone: ZoneInfo, *, start: datetime, end: datetime) -> str:
    """ "Times are in Newfoundland time (UTC−3:30)", noting a clock change inside the week."""
    name = formats.zone_name(zone)
    first, last = offset_label(start), offset_label(end - timedelta(seconds=1))
    if first == last:
        return _("Times are in %(zone)s (%(offset)s).") % {"zone": name, "offset": first}
    return _("Times are in %(zone)s (%(offset)s, then %(later)s after the clock change).") % {
        "zone": name,
        "offset": first,
        "later": last,
    }


def _day_labels(day: date) -> tuple[str, str, str]:
    """(weekday, date, both in full): ("Tue", "Dec 15", "Tuesday, December 15") / ("mar.", "15 déc.", …)."""
    if _french():
        return (
            dateformat.format(day, "D").lower() + ".",
            dateformat.format(day, "j M").lower() + ".",
            dateformat.format(day, "l j F").lower(),
        )
    return dateformat.format(day, "D"), dateformat.format(day, "M j"), dateformat.format(day, "l, F j")


def booking_url(slot: OpenTime, *, path: str | None = None) -> str:
    fields: dict[str, str | int] = {
        "practitioner": slot.practitioner_id,
        "service": slot.service_id,
        "start": slot.start.isoformat(),
    }
    return f"{path or reverse('booking:start')}?{urlencode(fields)}"


def _buttons(
    slots: list[OpenTime], *, names: dict[int, str], zone: ZoneInfo, any_practitioner: bool
) -> list[TimeButton]:
    seen: set[datetime] = set()
    buttons = []
    # Once per day and once per call, not once per button: they were most of a clinic page's time.
    full_labels: dict[date, str] = {}
    path = reverse("booking:start")
    for slot in slots:
        if any_practitioner:
            # Slots come sorted by (start, practitioner id): the first of each start is the one shown.
            if slot.start in seen:
                continue
            seen.add(slot.start)
        name = names.get(slot.practitioner_id, "")
        clock = phrasing.time_phrase(slot.start, zone=zone)
        day = slot.start.astimezone(zone).date()
        if day not in full_labels:
            full_labels[day] = _day_labels(day)[2]
        full = full_labels[day]
        aria = pgettext("open time button", "Book %(day)s at %(time)s with %(name)s") % {
            "day": full,
            "time": clock,
            "name": name,
        }
        buttons.append(TimeButton(slot.start, clock, aria, name, booking_url(slot, path=path)))
    return buttons


def week_build(*, clinic: Clinic, params: WeekParams, practitioners: list[Practitioner], now: datetime) -> Week:
    """The week's open times laid out by day: one ``open_times_list`` call, one more only if the week is empty."""
    zone = ZoneInfo(clinic.time_zone)
    today = now.astimezone(zone).date()
    this_week = monday_of(today)
    start = week_start(params.week, zone)
    end = week_start(params.week + timedelta(days=7), zone)
    rules = service_rules_get(service=params.service)
    horizon_days = rules.horizon_days
    horizon_end = now + timedelta(days=horizon_days)
    last_week = monday_of(horizon_end.astimezone(zone).date())
    names = {p.pk: p.full_name for p in practitioners}

    days = []
    for offset in range(7):
        day = params.week + timedelta(days=offset)
        weekday, date_label, full = _day_labels(day)
        days.append(Day(day, weekday, date_label, full, is_today=day == today, is_past=day < today))

    title = _("Week of %(day)s") % {"day": days[0].full_label}
    week = Week(
        params=params,
        days=days,
        zone_label=zone_label(zone, start=start, end=end),
        this_week=this_week,
        prev_week=params.week - timedelta(days=7) if params.week > this_week else None,
        next_week=params.week + timedelta(days=7) if params.week < last_week else None,
        title=title,
    )
    if params.week < this_week:
        week.limit_message = _("This week is over. Open times start from this week.")
        return week
    if params.week > last_week:
        week.limit_message = _("Online booking opens %(days)d days ahead; this week is not open yet.") % {
            "days": horizon_days
        }
        return week

    slots = open_times_list(
        clinic=clinic, start=start, end=end, now=now, service=params.service, practitioner=params.practitioner
    )
    buttons = _buttons(slots, names=names, zone=zone, any_practitioner=params.practitioner is None)
    by_day = {day.date: day for day in days}
    if buttons:
        week.first_time_leaves_at = min(button.start for button in buttons) - timedelta(minutes=rules.notice_minutes)
    for button in buttons:
        by_day[button.start.astimezone(zone).date()].times.append(button)

    if not buttons and end < horizon_end:
        later = open_times_list(
            clinic=clinic,
            start=end,
            end=horizon_end,
            now=now,
            service=params.service,
            practitioner=params.practitioner,
        )
        if later:
            first = later[0].start
            week.next_open = first
            week.next_open_label = phrasing.when_phrase(first, now=now, zone=zone)
            week.next_open_week = monday_of(first.astimezone(zone).date())
    return week
