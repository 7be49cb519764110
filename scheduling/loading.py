"""Loading what the engine needs for a set of clinics, in a fixed number of queries.

Both the read side (``selectors``) and the precomputation (``cache.next_open_times_refresh``)
go through ``clinic_inputs_load`` so that an open time means the same thing everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import connection, models

from clinics.models import Clinic, OpeningHours, Practitioner, Service
from scheduling import engine
from scheduling.busy import BusyQuery, busy_sources, sql_epoch, sql_instant, sql_marks, sql_table
from scheduling.engine import Interval, Rules, WeeklyBlock
from scheduling.models import (
    DEFAULT_BUFFER_MINUTES,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_NOTICE_MINUTES,
    DEFAULT_STEP_MINUTES,
    BookingRules,
    ClinicClosure,
    PostedOpening,
    ServiceBookingRules,
    TimeOff,
    WorkingHours,
)

_T = TypeVar("_T")


def rules_for(*, clinic_rules: BookingRules | None, service: Service) -> Rules:
    """The effective rules of a service: its own where set, else its clinic's, else the defaults."""
    own: ServiceBookingRules | None = getattr(service, "_own_rules", None)

    def pick(name: str, default: _T) -> _T:
        value = getattr(own, name, None) if own is not None else None
        if value is None:
            value = getattr(clinic_rules, name) if clinic_rules is not None else default
        return value

    return Rules(
        duration_minutes=service.duration_minutes,
        notice_minutes=pick("min_notice_minutes", DEFAULT_NOTICE_MINUTES),
        horizon_days=pick("horizon_days", DEFAULT_HORIZON_DAYS),
        step_minutes=pick("step_minutes", DEFAULT_STEP_MINUTES),
        buffer_minutes=pick("buffer_minutes", DEFAULT_BUFFER_MINUTES),
        same_day_allowed=pick("same_day_allowed", True),
    )


@dataclass
class ClinicInputs:
    """Everything about one clinic that open times depend on, for one window of time."""

    clinic: Clinic
    zone: ZoneInfo
    rules: BookingRules | None
    services: list[Service]  # active services, each with ``_own_rules`` set
    offered_by: dict[int, list[int]]  # service id -> active practitioner ids
    discipline_of: dict[int, str]  # practitioner id -> discipline
    weekly: dict[int, list[WeeklyBlock]] = field(default_factory=lambda: defaultdict(list))
    unavailable: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    openings: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    busy: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    closed_days: list[date] = field(default_factory=list)
    # The clinic's posted hours; ``weekly`` is already cut to them (no posted hours: not bounded).
    posted_hours: list[engine.PostedHours] = field(default_factory=list)
    hold_expiry: datetime | None = None  # the first active hold to lapse (it frees its time then)

    def service_rules(self, service: Service) -> Rules:
        return rules_for(clinic_rules=self.rules, service=service)

    def open_times(self, *, service: Service, practitioner_id: int, now: int, start: int, end: int, limit=None):
        """Open (start, end) pairs in UTC epoch seconds of one practitioner for one service."""
        return engine.open_times_ts(
            weekly=self.weekly.get(practitioner_id, ()),
            rules=self.service_rules(service),
            now=now,
            zone=self.zone,
            start=start,
            end=end,
            openings=self.openings.get(practitioner_id, ()),
            unavailable=self.unavailable.get(practitioner_id, ()),
            closed_days=self.closed_days,
            busy=self.busy.get(practitioner_id, ()),
            limit=limit,
        )


_TIME_OFF, _OPENING = 0, 1  # and ``busy.BUSY_KIND`` for what the busy sources (booking) give


# The interval, hours and closure reads below are plain SQL built once per database: they run on every booking
# and every availability request, and compiling the equivalent querysets cost more than running them.


def _intervals(
    *, pids: list[int], low: datetime, high: datetime, now: datetime
) -> list[tuple[int, int, int, int, int | None]]:
    """(practitioner id, start, end, kind, lapses) with times in epoch seconds, in one UNION ALL query.

    Time off and posted openings, then what the busy sources add (booking: appointments that take time and
    active holds; ``scheduling.busy``). Loading is dominated by turning thousands of stored datetimes into
    numbers; the database does it, so Python receives plain integers.
    """
    q = connection.ops.quote_name
    start, end, marks = sql_epoch(q("start")), sql_epoch(q("end")), sql_marks(len(pids))
    low_s, high_s = sql_instant(low), sql_instant(high)
    sql = (
        f"SELECT practitioner_id, {start}, {end}, {_TIME_OFF}, CAST(NULL AS BIGINT) FROM {sql_table(TimeOff)}"  # noqa: S608 (no input)
        f" WHERE practitioner_id IN ({marks}) AND {q('end')} > %s AND {q('start')} < %s"
        f" UNION ALL SELECT practitioner_id, {start}, {end}, {_OPENING}, NULL FROM {sql_table(PostedOpening)}"
        f" WHERE practitioner_id IN ({marks}) AND {q('end')} > %s AND {q('start')} < %s"
    )
    params: list[Any] = [*pids, low_s, high_s, *pids, low_s, high_s]
    query = BusyQuery(practitioner_ids=pids, low=low, high=high, now=now)
    for source in busy_sources():
        source_sql, source_params = source(query)
        sql += f" UNION ALL {source_sql}"
        params += source_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_WORKING, _POSTED = 0, 1


def _hours_rows(*, pids: list[int], clinic_ids: list[int], first_day: date, last_day: date) -> list[tuple]:
    """(kind, owner id, weekday, start, end, valid from, valid until), in one UNION ALL query.

    ``_WORKING``: a practitioner's hours valid at some point in the days; ``_POSTED``: the clinic's posted
    opening hours (owner = clinic id, no validity), which bound them (``engine.within_posted_hours``).
    """
    sql = (
        f"SELECT {_WORKING}, practitioner_id, weekday, start_time, end_time, valid_from, valid_until"  # noqa: S608
        f" FROM {sql_table(WorkingHours)} WHERE practitioner_id IN ({sql_marks(len(pids))}) AND valid_from <= %s"
        " AND (valid_until IS NULL OR valid_until >= %s)"
        f" UNION ALL SELECT {_POSTED}, clinic_id, weekday, opens, closes, NULL, NULL FROM {sql_table(OpeningHours)}"
        f" WHERE clinic_id IN ({sql_marks(len(clinic_ids))})"
    )
    params = [*pids, connection.ops.adapt_datefield_value(last_day), connection.ops.adapt_datefield_value(first_day)]
    params += clinic_ids
    with connection.cursor() as cursor:  # both backends give dates and times back as such (declared types)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _closure_rows(*, clinic_ids: list[int], first_day: date, last_day: date) -> list[tuple[int, date, date]]:
    sql = (
        f"SELECT clinic_id, start_date, end_date FROM {sql_table(ClinicClosure)}"  # noqa: S608 (no input)
        f" WHERE clinic_id IN ({sql_marks(len(clinic_ids))}) AND end_date >= %s AND start_date <= %s"
    )
    params = [
        *clinic_ids,
        connection.ops.adapt_datefield_value(first_day),
        connection.ops.adapt_datefield_value(last_day),
    ]
    with connection.cursor() as cursor:  # both backends give dates and times back as such (declared types)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _columns(model: Any, alias: str) -> tuple[list[Any], str]:
    fields = list(model._meta.concrete_fields)
    q = connection.ops.quote_name
    return fields, ", ".join(f"{alias}.{q(f.column)}" for f in fields)


def _instance(model: Any, fields: list[Any], values: tuple) -> Any:
    """A model instance from raw column values (SQLite gives booleans back as 0/1)."""
    values = tuple(
        bool(v) if v is not None and isinstance(f, models.BooleanField) else v
        for f, v in zip(fields, values, strict=True)
    )
    return model.from_db(connection.alias, [f.attname for f in fields], values)


def _offers(
    *, clinic_ids: list[int], practitioner_ids: list[int] | None, service_ids: list[int] | None
) -> list[tuple[Service, ServiceBookingRules | None, BookingRules | None, int | None, str | None]]:
    """Active services of the clinics with their own rules, their clinic's rules and each active practitioner.

    One row per (service, practitioner), or one with no practitioner; ordered by service. One query where
    four querysets used to be: this runs on every booking and every availability request.
    """
    service_fields, service_sql = _columns(Service, "s")
    own_fields, own_sql = _columns(ServiceBookingRules, "sr")
    rules_fields, rules_sql = _columns(BookingRules, "br")
    through = connection.ops.quote_name(Service.practitioners.through._meta.db_table)
    people = sql_table(Practitioner)
    params: list[Any] = []
    only_people = ""
    if practitioner_ids is not None:
        only_people = f" AND sp.practitioner_id IN ({sql_marks(len(practitioner_ids))})"
        params += practitioner_ids
    params += clinic_ids
    only_services = ""
    if service_ids is not None:
        only_services = f" AND s.id IN ({sql_marks(len(service_ids))})"
        params += service_ids
    sql = (
        f"SELECT {service_sql}, {own_sql}, {rules_sql}, sp.practitioner_id, p.discipline, p.is_active"  # noqa: S608
        f" FROM {sql_table(Service)} s"
        f" LEFT JOIN {sql_table(ServiceBookingRules)} sr ON sr.service_id = s.id"
        f" LEFT JOIN {sql_table(BookingRules)} br ON br.clinic_id = s.clinic_id"
        # Inactive practitioners are dropped below: a nested join would make SQLite scan the whole link table.
        f" LEFT JOIN {through} sp ON sp.service_id = s.id{only_people}"
        f" LEFT JOIN {people} p ON p.id = sp.practitioner_id"
        f" WHERE s.clinic_id IN ({sql_marks(len(clinic_ids))}) AND s.is_active{only_services}"
        " ORDER BY s.id, sp.practitioner_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    a, b, c = (
        len(service_fields),
        len(service_fields) + len(own_fields),
        len(service_fields) + len(own_fields) + len(rules_fields),
    )
    clinic_at = [f.attname for f in service_fields].index("clinic_id")  # ids come first in every model
    services: dict[int, Service] = {}
    own_rules: dict[int, ServiceBookingRules | None] = {}
    clinic_rules: dict[int, BookingRules | None] = {}
    for row in rows:
        service_id, clinic_id = row[0], row[clinic_at]
        if service_id not in services:
            services[service_id] = _instance(Service, service_fields, row[:a])
            own_rules[service_id] = _instance(ServiceBookingRules, own_fields, row[a:b]) if row[a] is not None else None
        if clinic_id not in clinic_rules:
            clinic_rules[clinic_id] = _instance(BookingRules, rules_fields, row[b:c]) if row[b] is not None else None
        practitioner_id = row[c] if row[c + 2] else None  # an inactive practitioner offers nothing
        found.append(
            (services[service_id], own_rules[service_id], clinic_rules[clinic_id], practitioner_id, row[c + 1])
        )
    return found


def clinic_inputs_load(
    *,
    clinics: list[Clinic],
    start: datetime,
    end: datetime,
    now: datetime,
    practitioner_ids: list[int] | None = None,
    service_ids: list[int] | None = None,
) -> dict[int, ClinicInputs]:
    """Load the inputs of ``clinics`` for slots starting in ``[start, end)``: 4 queries, whatever the count.

    ``start``/``end`` only bound what is read; the caller still passes its window to the engine.
    """
    clinic_ids = [c.pk for c in clinics]
    if not clinic_ids:
        return {}
    rules: dict[int, BookingRules] = {}
    services: list[Service] = []
    offered_by: dict[int, list[int]] = defaultdict(list)
    discipline_of: dict[int, str] = {}
    for service, own, clinic_rules, practitioner_id, discipline in _offers(
        clinic_ids=clinic_ids, practitioner_ids=practitioner_ids, service_ids=service_ids
    ):
        if not services or services[-1].pk != service.pk:
            service._own_rules = own  # type: ignore[attr-defined]  # set per load, read by rules_for; not a field
            services.append(service)
        if clinic_rules is not None:
            rules[service.clinic_id] = clinic_rules
        if practitioner_id is not None:
            offered_by[service.pk].append(practitioner_id)
            discipline_of[practitioner_id] = discipline or ""  # always set: it comes with the practitioner
    for pids_of_service in offered_by.values():
        pids_of_service.sort()

    inputs: dict[int, ClinicInputs] = {}
    clinic_of_service = {}
    for clinic in clinics:
        inputs[clinic.pk] = ClinicInputs(
            clinic=clinic,
            zone=ZoneInfo(clinic.time_zone),
            rules=rules.get(clinic.pk),
            services=[],
            offered_by=offered_by,
            discipline_of=discipline_of,
        )
    for service in services:
        inputs[service.clinic_id].services.append(service)
        clinic_of_service[service.pk] = service.clinic_id
    clinic_of: dict[int, int] = {}
    for service_id, pids in offered_by.items():
        for pid in pids:
            clinic_of[pid] = clinic_of_service[service_id]
    pids = list(clinic_of)
    if not pids:
        return inputs

    # Local dates can differ from UTC ones by a day either way; read a day wider and let the engine cut.
    first_day = (start - timedelta(days=1)).date()
    last_day = (end + timedelta(days=1)).date()
    low, high = start - timedelta(days=1), end + timedelta(days=1)
    posted: dict[int, list[engine.PostedHours]] = defaultdict(list)
    for kind, owner, weekday, a, b, valid_from, valid_until in _hours_rows(
        pids=pids, clinic_ids=clinic_ids, first_day=first_day, last_day=last_day
    ):
        if kind == _POSTED:
            posted[owner].append((weekday, a, b))
        else:
            inputs[clinic_of[owner]].weekly[owner].append(WeeklyBlock(weekday, a, b, valid_from, valid_until))
    for clinic_id, hours in posted.items():
        item = inputs[clinic_id]
        item.posted_hours = hours
        for pid, weekly in item.weekly.items():
            item.weekly[pid] = engine.within_posted_hours(weekly, hours)
    for pid, a, b, kind, expires_at in _intervals(pids=pids, low=low, high=high, now=now):
        item = inputs[clinic_of[pid]]
        if kind == _TIME_OFF:
            item.unavailable[pid].append((a, b))
        elif kind == _OPENING:
            item.openings[pid].append((a, b))
        else:
            item.busy[pid].append((a, b))
        if expires_at is not None:  # a hold: its time is free again when it lapses
            lapses = datetime.fromtimestamp(expires_at, UTC)
            item.hold_expiry = lapses if item.hold_expiry is None else min(item.hold_expiry, lapses)

    for clinic_id, closed_from, closed_to in _closure_rows(
        clinic_ids=clinic_ids, first_day=first_day, last_day=last_day
    ):
        day = max(closed_from, first_day)
        while day <= min(closed_to, last_day):
            inputs[clinic_id].closed_days.append(day)
            day += timedelta(days=1)
    for item in inputs.values():
        if item.rules is None or not item.rules.open_on_holidays:
            item.closed_days.extend(
                engine.statutory_holidays(province=item.clinic.province, first=first_day, last=last_day)
            )
    return inputs
