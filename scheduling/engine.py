"""The availability engine: a pure function from rules and busy times to open times.

No database, no clock: everything is an argument. Intervals are half-open
``[start, end)`` and are handled internally as integer UTC epoch seconds, which
keeps the arithmetic exact and fast. Working hours are wall-clock times in the
clinic's zone; each block's start grid is stepped in wall-clock terms, so on a
DST day a wall time that does not exist is skipped and an ambiguous one is
offered once (its first occurrence). See AVAILABILITY.md.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

Interval = tuple[int, int]  # UTC epoch seconds, half-open


@dataclass(frozen=True)
class WeeklyBlock:
    """One block of working hours: a weekday (0 = Monday) and wall-clock times, valid between two dates."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )


PostedHours = tuple[int, time, time]  # the clinic's posted hours: (weekday, opens, closes), wall clock


def within_posted_hours(weekly: Sequence[WeeklyBlock], hours: Sequence[PostedHours]) -> list[WeeklyBlock]:
    """The parts of ``weekly`` inside the clinic's posted hours (no posted hours at all: no bound).

    The posted hours are what a patient reads on the clinic's page; a practitioner's hours outside them
    would be offered while the door says closed. The cut is made in wall-clock time, before anything maps
    to UTC, so DST days need nothing more. Cost: blocks × posted blocks of the same weekday.
    """
    if not hours:
        return list(weekly)
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in hours:
        by_weekday.setdefault(weekday, []).append((opens, closes))
    kept = []
    for block in weekly:
        for opens, closes in by_weekday.get(block.weekday, ()):
            start, end = max(block.start, opens), min(block.end, closes)
            if start < end:
                kept.append(WeeklyBlock(block.weekday, start, end, block.valid_from, block.valid_until))
    return kept


def outside_posted_hours(
    blocks: Iterable[tuple[int, time, time]], hours: Sequence[PostedHours]
) -> list[tuple[int, time, time]]:
    """The parts of (weekday, start, end) blocks that fall outside the posted hours, for a warning."""
    if not hours:
        return []
    outside = []
    for weekday, start, end in blocks:
        cursor = start
        for opens, closes in sorted((a, b) for d, a, b in hours if d == weekday):
            if closes <= cursor:
                continue
            if opens >= end:
                break
            if opens > cursor:
                outside.append((weekday, cursor, opens))
            cursor = max(cursor, closes)
            if cursor >= end:
                break
        if cursor < end:
            outside.append((weekday, cursor, end))
    return outside


@dataclass(frozen=True)
class Rules:
    """The booking rules that shape open times for one service."""

    duration_minutes: int
    step_minutes: int = 15
    notice_minutes: int = 120
    horizon_days: int = 60
    buffer_minutes: int = 0
    same_day_allowed: bool = True


def ts(moment: datetime) -> int:
    """UTC epoch seconds of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the availability engine only takes aware datetimes")
    return int(moment.timestamp())


def from_ts(seconds: int, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(seconds, zone)


def wall_to_ts(naive: datetime, zone: ZoneInfo) -> int | None:
    """The instant a wall-clock time names in ``zone``: None if the clock skips it (spring forward).

    An ambiguous wall time (autumn) gives its first occurrence (fold=0).
    """
    seconds = int(naive.replace(tzinfo=zone).timestamp())
    if datetime.fromtimestamp(seconds, zone).replace(tzinfo=None) != naive:
        return None
    return seconds


def wall_boundary_ts(naive: datetime, zone: ZoneInfo) -> int:
    """Like ``wall_to_ts`` but for a block boundary: a skipped wall time maps to the instant of the jump."""
    seconds = wall_to_ts(naive, zone)
    if seconds is not None:
        return seconds
    # The gap is at most a couple of hours and transitions fall on whole minutes.
    early = int(naive.replace(tzinfo=zone, fold=1).timestamp())
    late = int(naive.replace(tzinfo=zone, fold=0).timestamp())
    low, high = min(early, late), max(early, late)
    for candidate in range(low, high + 60, 60):
        if datetime.fromtimestamp(candidate, zone).replace(tzinfo=None) > naive:
            return candidate
    return high


def local_midnight_ts(day: date, zone: ZoneInfo) -> int:
    return wall_boundary_ts(datetime.combine(day, time.min), zone)


def day_interval(day: date, zone: ZoneInfo) -> Interval:
    """The whole local day ``day`` in ``zone`` (23 or 25 hours on DST days)."""
    return local_midnight_ts(day, zone), local_midnight_ts(day + timedelta(days=1), zone)


@lru_cache(maxsize=64)
def _holidays_for(province: str, year: int) -> frozenset[date]:
    return frozenset(holidays_lib.Canada(subdiv=province, years=year).keys())


def statutory_holidays(*, province: str, first: date, last: date) -> list[date]:
    """Statutory holidays of a province between two dates (inclusive), from the ``holidays`` package."""
    days: set[date] = set()
    for year in range(first.year, last.year + 1):
        days.update(d for d in _holidays_for(province, year) if first <= d <= last)
    return sorted(days)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union (touching intervals are joined)."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def subtract(base: Sequence[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """``base`` (merged) minus the union of ``removed``, by a sweep over both sorted lists."""
    cuts = merge(removed)
    result: list[Interval] = []
    j = 0
    for start, end in base:
        current = start
        while j < len(cuts) and cuts[j][1] <= current:
            j += 1
        k = j
        while k < len(cuts) and cuts[k][0] < end:
            cut_start, cut_end = cuts[k]
            if cut_start > current:
                result.append((current, cut_start))
            current = max(current, cut_end)
            if current >= end:
                break
            k += 1
        if current < end:
            result.append((current, end))
    return result


@dataclass(frozen=True)
class _Source:
    """Where slot starts come from: a working block or a posted opening, with its start grid."""

    start: int
    end: int
    starts: tuple[int, ...] | None = None  # explicit starts (DST day); None = a regular grid from ``start``


def working_sources(
    *, weekly: Sequence[WeeklyBlock], first: date, last: date, zone: ZoneInfo, step: int
) -> list[_Source]:
    """The working blocks on each local day from ``first`` to ``last`` (inclusive) as UTC sources."""
    sources: list[_Source] = []
    by_weekday: dict[int, list[WeeklyBlock]] = {}
    for block in weekly:
        by_weekday.setdefault(block.weekday, []).append(block)
    day = first
    while day <= last:
        for block in by_weekday.get(day.weekday(), ()):
            if block.applies_on(day):
                sources.append(_block_source(block, day, zone, step))
        day += timedelta(days=1)
    return sources


@lru_cache(maxsize=8192)
def _regular_midnight(day: date, zone: ZoneInfo) -> int | None:
    """The instant of local midnight if ``day`` has no clock change (24 hours, one offset), else None."""
    midnight = local_midnight_ts(day, zone)
    next_midnight = local_midnight_ts(day + timedelta(days=1), zone)
    if next_midnight - midnight != 86400:
        return None
    noon = datetime.combine(day, time(12), tzinfo=zone)
    if noon.utcoffset() != datetime.combine(day, time.min, tzinfo=zone).utcoffset():
        return None
    return midnight


def _block_source(block: WeeklyBlock, day: date, zone: ZoneInfo, step: int) -> _Source:
    midnight = _regular_midnight(day, zone)
    if midnight is not None:
        # A day without a clock change: wall time is midnight plus the time of day.
        start = midnight + block.start.hour * 3600 + block.start.minute * 60 + block.start.second
        end = midnight + block.end.hour * 3600 + block.end.minute * 60 + block.end.second
        return _Source(start, end)
    wall_start = datetime.combine(day, block.start)
    wall_end = datetime.combine(day, block.end)
    first = wall_to_ts(wall_start, zone)
    last = wall_to_ts(wall_end, zone)
    if (
        first is not None
        and last is not None
        and wall_start.replace(tzinfo=zone).utcoffset() == wall_end.replace(tzinfo=zone).utcoffset()
    ):
        # The usual case: no clock change inside the block, so wall and real time run together.
        return _Source(first, last)
    # A clock change inside the block: walk the wall-clock grid, skipping times that do not exist.
    starts = []
    wall = wall_start
    while wall < wall_end:
        moment = wall_to_ts(wall, zone)
        if moment is not None:
            starts.append(moment)
        wall += timedelta(seconds=step)
    return _Source(wall_boundary_ts(wall_start, zone), wall_boundary_ts(wall_end, zone), tuple(starts))


def open_times(
    *,
    weekly: Sequence[WeeklyBlock],
    rules: Rules,
    now: datetime,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    openings: Iterable[tuple[datetime, datetime]] = (),
    unavailable: Iterable[tuple[datetime, datetime]] = (),
    closed_days: Iterable[date] = (),
    busy: Iterable[tuple[datetime, datetime]] = (),
    limit: int | None = None,
) -> list[tuple[datetime, datetime]]:
    """Open times of one practitioner for one service, as sorted (start, end) in ``zone``.

    - ``weekly``: working hours; the gaps between blocks are breaks.
    - ``openings``: extra times the clinic posted; they open time even on a closed day or during time off.
    - ``unavailable``: time off, blocked times; ``closed_days``: closures and statutory holidays (local dates).
    - ``busy``: appointments and active holds; ``rules.buffer_minutes`` is kept clear on both sides of each.
    - Only starts in ``[start, end)`` that respect the notice, the horizon and the same-day rule are returned.
    """
    found = open_times_ts(
        weekly=weekly,
        rules=rules,
        now=ts(now),
        zone=zone,
        start=ts(start),
        end=ts(end),
        openings=[(ts(a), ts(b)) for a, b in openings],
        unavailable=[(ts(a), ts(b)) for a, b in unavailable],
        closed_days=closed_days,
        busy=[(ts(a), ts(b)) for a, b in busy],
        limit=limit,
    )
    return [(from_ts(a, zone), from_ts(b, zone)) for a, b in found]


def bookable_window(*, rules: Rules, now: int, zone: ZoneInfo, start: int, end: int) -> Interval:
    """Allowed slot starts: after the notice (and today, if same-day booking is off), within the horizon."""
    earliest = max(start, now + rules.notice_minutes * 60)
    if not rules.same_day_allowed:
        today = datetime.fromtimestamp(now, zone).date()
        earliest = max(earliest, local_midnight_ts(today + timedelta(days=1), zone))
    latest = min(end, now + rules.horizon_days * 86400)
    return earliest, latest


def bookable_until(*, rules: Rules, slot_start: int, zone: ZoneInfo) -> int:
    """The last instant (inclusive) at which a slot can still be booked: the notice, or the day before.

    Mirrors ``bookable_window``: a start is allowed when ``start >= now + notice``.
    """
    until = slot_start - rules.notice_minutes * 60
    if not rules.same_day_allowed:
        until = min(until, local_midnight_ts(datetime.fromtimestamp(slot_start, zone).date(), zone) - 1)
    return until


def open_times_ts(
    *,
    weekly: Sequence[WeeklyBlock],
    rules: Rules,
    now: int,
    zone: ZoneInfo,
    start: int,
    end: int,
    openings: Sequence[Interval] = (),
    unavailable: Sequence[Interval] = (),
    closed_days: Iterable[date] = (),
    busy: Sequence[Interval] = (),
    limit: int | None = None,
) -> list[Interval]:
    """``open_times`` on UTC epoch seconds (what the selectors call)."""
    earliest, latest = bookable_window(rules=rules, now=now, zone=zone, start=start, end=end)
    prepared = prepare(
        weekly=weekly,
        zone=zone,
        step_minutes=rules.step_minutes,
        buffer_minutes=rules.buffer_minutes,
        earliest=earliest,
        latest=latest,
        openings=openings,
        unavailable=unavailable,
        closed_days=closed_days,
        busy=busy,
    )
    return slots_from(prepared, duration_minutes=rules.duration_minutes, limit=limit)


@dataclass(frozen=True)
class Prepared:
    """The free time of one practitioner in a window, ready to be cut into slots of any duration."""

    earliest: int
    latest: int
    step: int
    free: list[Interval]
    free_starts: list[int]
    sources: list[_Source]


def prepare(
    *,
    weekly: Sequence[WeeklyBlock],
    zone: ZoneInfo,
    step_minutes: int,
    buffer_minutes: int,
    earliest: int,
    latest: int,
    openings: Sequence[Interval] = (),
    unavailable: Sequence[Interval] = (),
    closed_days: Iterable[date] = (),
    busy: Sequence[Interval] = (),
) -> Prepared:
    """Free time = (working blocks - unavailable - closed days) + posted openings - busy (with the buffer)."""
    step = step_minutes * 60
    if earliest >= latest:
        return Prepared(earliest, latest, step, [], [], [])
    buffer = buffer_minutes * 60
    first = datetime.fromtimestamp(earliest, zone).date()
    last = datetime.fromtimestamp(latest, zone).date()
    blocks = working_sources(weekly=weekly, first=first, last=last, zone=zone, step=step)
    blocked = list(unavailable) + [day_interval(day, zone) for day in closed_days]
    working = subtract(merge((s.start, s.end) for s in blocks), blocked)
    posted = [(a, b) for a, b in openings if b > earliest and a < latest + 86400]
    # The buffer is kept on both sides of a busy time: after it (cleaning, notes) and before it, so
    # a new appointment also leaves the buffer before the next existing one.
    free = subtract(merge(working + posted), [(a - buffer, b + buffer) for a, b in busy])
    sources = sorted(blocks + [_Source(a, b) for a, b in posted], key=lambda s: s.start)
    return Prepared(earliest, latest, step, free, [a for a, _ in free], sources)


def slots_from(prepared: Prepared, *, duration_minutes: int, limit: int | None = None) -> list[Interval]:
    """Sorted (start, end) slots of ``duration_minutes`` on each source's start grid, inside free time."""
    free, free_starts = prepared.free, prepared.free_starts
    if not free:
        return []
    duration = duration_minutes * 60
    earliest, latest = prepared.earliest, prepared.latest
    found: set[int] = set()
    for source in prepared.sources:
        if limit is not None and len(found) >= limit and sorted(found)[limit - 1] < source.start:
            break  # sources come in start order: nothing later can be among the first ``limit``
        if source.starts is not None:
            candidates: Iterable[int] = source.starts
        else:
            candidates = _grid(source, free, free_starts, prepared.step, duration, earliest)
        for slot_start in candidates:
            if earliest <= slot_start < latest and slot_start + duration <= source.end:
                i = bisect_right(free_starts, slot_start) - 1
                if i >= 0 and slot_start + duration <= free[i][1]:
                    found.add(slot_start)
    ordered = sorted(found)
    if limit is not None:
        ordered = ordered[:limit]
    return [(s, s + duration) for s in ordered]


def _grid(
    source: _Source, free: list[Interval], free_starts: list[int], step: int, duration: int, earliest: int
) -> Iterator[int]:
    """Grid starts of a regular source that fall inside a free interval (interval by interval, not minute by minute)."""
    i = max(0, bisect_right(free_starts, max(source.start, earliest)) - 1)
    while i < len(free) and free[i][0] < source.end:
        low = max(free[i][0], source.start, earliest)
        high = min(free[i][1], source.end) - duration
        if high >= low:
            first = source.start + -(-(low - source.start) // step) * step
            yield from range(first, high + 1, step)
        i += 1
