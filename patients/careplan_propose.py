"""Concrete times for every visit of a care plan: a pure function of the phases, the patient's preferences, a start
date and the open times the scheduling engine computed (``scheduling.selectors.open_times_list``).

The rules of what is open (hours, closures, statutory holidays, time off, notice, buffers, DST) live in the engine
only: a closed day simply has no open time here, so a visit that would fall on it moves to the next fitting day
while the visits after it keep their own days ("a holiday moves that visit, not the plan").

Spacing: at most one visit per local day, and with three visits a week or fewer at least one free day between two
visits. Each week of a phase spreads its visits evenly (3 a week from a Monday: Monday, Wednesday, Friday). Each
visit keeps, where it can, the wall-clock time of the first one (across a DST change too: open times are wall-clock
times of the clinic's zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.selectors import OpenTime

ALTERNATIVES = 3
# How far from a visit's day its alternatives may be.
ALTERNATIVE_DAYS = 3


@dataclass(frozen=True)
class PhaseSpec:
    visits_per_week: int
    weeks: int
    service_id: int
    practitioner_id: int


@dataclass(frozen=True)
class Preferences:
    weekdays: frozenset[int] = frozenset()  # 0 Monday .. 6 Sunday; empty: any day
    after: time | None = None  # the visit starts at or after this wall-clock time
    before: time | None = None  # the visit ends at or before this wall-clock time
    same_practitioner: bool = True  # only the phase's practitioner (else anyone offering its service)


@dataclass(frozen=True)
class ProposedVisit:
    number: int  # 1-based across the plan
    phase: int  # 0-based
    service_id: int
    practitioner_id: int  # the phase's; the chosen time's practitioner is ``time.practitioner_id``
    time: OpenTime | None  # None: no fitting open time in the horizon
    alternatives: list[OpenTime] = field(default_factory=list)


def _fits(slot: OpenTime, preferences: Preferences, zone: ZoneInfo) -> bool:
    start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
    if preferences.weekdays and start.weekday() not in preferences.weekdays:
        return False
    if preferences.after is not None and start.time() < preferences.after:
        return False
    return not (preferences.before is not None and (end.time() > preferences.before or end.date() != start.date()))


def _minutes(moment: datetime, zone: ZoneInfo) -> int:
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute


def visits_propose(
    *,
    phases: Sequence[PhaseSpec],
    preferences: Preferences,
    start_date: date,
    zone: ZoneInfo,
    open_times: Sequence[OpenTime],
) -> list[ProposedVisit]:
    """One proposed time (and a few nearby alternatives) for every visit of ``phases``, starting ``start_date``."""
    # Candidates per service, by local day, in start order.
    by_day: dict[int, dict[date, list[OpenTime]]] = {}
    for slot in open_times:
        if not _fits(slot, preferences, zone):
            continue
        by_day.setdefault(slot.service_id, {}).setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    last_day = max((day for days in by_day.values() for day in days), default=start_date)

    def candidates(phase: PhaseSpec, day: date) -> list[OpenTime]:
        slots = by_day.get(phase.service_id, {}).get(day, [])
        if preferences.same_practitioner:
            return [s for s in slots if s.practitioner_id == phase.practitioner_id]
        return slots

    used: set[date] = set()
    anchor: int | None = None  # the first visit's wall-clock minutes
    plan: list[tuple[int, PhaseSpec, OpenTime | None, date]] = []
    phase_start = start_date
    last: date | None = None
    number = 0
    for index, phase in enumerate(phases):
        gap = 2 if phase.visits_per_week <= 3 else 1
        for week in range(phase.weeks):
            week_start = phase_start + timedelta(days=7 * week)
            for k in range(phase.visits_per_week):
                number += 1
                ideal = week_start + timedelta(days=(k * 7) // phase.visits_per_week)
                day = ideal if last is None else max(ideal, last + timedelta(days=gap))
                chosen: OpenTime | None = None
                while day <= last_day and chosen is None:
                    slots = [] if day in used else candidates(phase, day)
                    if slots:
                        chosen = _closest(slots, anchor, phase.practitioner_id, zone)
                    else:
                        day += timedelta(days=1)
                if chosen is not None:
                    used.add(day)
                    last = day
                    if anchor is None:
                        anchor = _minutes(chosen.start, zone)
                plan.append((index, phase, chosen, ideal))
        phase_start += timedelta(days=7 * phase.weeks)

    proposed: list[ProposedVisit] = []
    for number, (index, phase, chosen, ideal) in enumerate(plan, start=1):
        around = chosen.start.astimezone(zone).date() if chosen is not None else ideal
        others: list[OpenTime] = []
        for offset in range(-ALTERNATIVE_DAYS, ALTERNATIVE_DAYS + 1):
            day = around + timedelta(days=offset)
            if day < start_date or (day in used and (chosen is None or offset != 0)):
                continue
            others.extend(s for s in candidates(phase, day) if s != chosen)
        center = chosen.start if chosen is not None else None
        if center is not None:
            others.sort(key=lambda s: (abs((s.start - center).total_seconds()), s.start))
        others = sorted(others[:ALTERNATIVES], key=lambda s: s.start)
        proposed.append(
            ProposedVisit(
                number=number,
                phase=index,
                service_id=phase.service_id,
                practitioner_id=phase.practitioner_id,
                time=chosen,
                alternatives=others,
            )
        )
    return proposed


def _closest(slots: list[OpenTime], anchor: int | None, practitioner_id: int, zone: ZoneInfo) -> OpenTime:
    """The slot nearest the anchor's wall-clock time (the first slot without one), the phase's practitioner first."""

    def key(slot: OpenTime) -> tuple[int, int, datetime]:
        distance = 0 if anchor is None else abs(_minutes(slot.start, zone) - anchor)
        return (distance, 0 if slot.practitioner_id == practitioner_id else 1, slot.start)

    return min(slots, key=key)
