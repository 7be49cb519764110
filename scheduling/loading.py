"""Loading what the engine needs for a set of clinics, in a fixed number of queries.

Both the read side (``selectors``) and the precomputation (``services.next_openings_refresh``)
go through ``clinic_inputs_load`` so that an open time means the same thing everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, Func, IntegerField, QuerySet, Value
from django.db.models.functions import Cast

from booking.models import Appointment, Hold
from clinics.models import Clinic, Service
from scheduling import engine
from scheduling.engine import Interval, Rules, WeeklyBlock
from scheduling.models import (
    DEFAULT_BUFFER_MINUTES,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_NOTICE_MINUTES,
    DEFAULT_STEP_MINUTES,
    BookingRules,
    ClinicClosure,
    Opening,
    ServiceBookingRules,
    TimeOff,
    WorkingHours,
)

# Appointments are never longer than a working day; looking this far back finds those still running.
_LONGEST_APPOINTMENT = timedelta(hours=12)


def rules_for(*, clinic_rules: BookingRules | None, service: Service) -> Rules:
    """The effective rules of a service: its own where set, else its clinic's, else the defaults."""
    own: ServiceBookingRules | None = getattr(service, "_own_rules", None)

    def pick(name: str, default: object) -> object:
        value = getattr(own, name, None) if own is not None else None
        if value is None:
            value = getattr(clinic_rules, name) if clinic_rules is not None else default
        return value

    return Rules(
        duration_minutes=service.duration_minutes,
        notice_minutes=pick("min_notice_minutes", DEFAULT_NOTICE_MINUTES),  # type: ignore[arg-type]
        horizon_days=pick("horizon_days", DEFAULT_HORIZON_DAYS),  # type: ignore[arg-type]
        step_minutes=pick("step_minutes", DEFAULT_STEP_MINUTES),  # type: ignore[arg-type]
        buffer_minutes=pick("buffer_minutes", DEFAULT_BUFFER_MINUTES),  # type: ignore[arg-type]
        same_day_allowed=pick("same_day_allowed", True),  # type: ignore[arg-type]
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


_TIME_OFF, _OPENING, _APPOINTMENT, _HOLD = 0, 1, 2, 3


class EpochSeconds(Func):
    """A datetime column as whole UTC epoch seconds, computed by the database (no per-row parsing in Python)."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)", **extra
        )


def _tagged(queryset: QuerySet, kind: int, expires: str | None = None) -> QuerySet:
    return (
        queryset.order_by()
        .annotate(
            start_s=EpochSeconds("start"),
            end_s=EpochSeconds("end"),
            source_kind=Value(kind, output_field=IntegerField()),
            lapses_s=EpochSeconds(expires) if expires else Cast(Value(None), output_field=BigIntegerField()),
        )
        .values_list("practitioner_id", "start_s", "end_s", "source_kind", "lapses_s")
    )


def _intervals(queryset: QuerySet) -> list[tuple[int, int, int, int, int | None]]:
    """(practitioner id, start, end, kind, lapses) with times in epoch seconds, in one query.

    Loading is dominated by turning thousands of stored datetimes into numbers; the database does
    it (``EpochSeconds``), so Python receives plain integers.
    """
    return list(queryset)


def clinic_inputs_load(
    *,
    clinics: list[Clinic],
    start: datetime,
    end: datetime,
    now: datetime,
    practitioner_ids: list[int] | None = None,
    service_ids: list[int] | None = None,
    exclude_hold_id: int | None = None,
) -> dict[int, ClinicInputs]:
    """Load the inputs of ``clinics`` for slots starting in ``[start, end)``: 9 queries, whatever the count.

    ``start``/``end`` only bound what is read; the caller still passes its window to the engine.
    """
    clinic_ids = [c.pk for c in clinics]
    if not clinic_ids:
        return {}
    rules = {r.clinic_id: r for r in BookingRules.objects.filter(clinic_id__in=clinic_ids)}
    services_qs = Service.objects.filter(clinic_id__in=clinic_ids, is_active=True)
    if service_ids is not None:
        services_qs = services_qs.filter(pk__in=service_ids)
    services = list(services_qs.order_by("pk"))
    own_rules = {r.service_id: r for r in ServiceBookingRules.objects.filter(service__in=[s.pk for s in services])}
    for service in services:
        service._own_rules = own_rules.get(service.pk)  # type: ignore[attr-defined]
    through = Service.practitioners.through.objects.filter(
        service_id__in=[s.pk for s in services], practitioner__is_active=True
    )
    if practitioner_ids is not None:
        through = through.filter(practitioner_id__in=practitioner_ids)
    offered_by: dict[int, list[int]] = defaultdict(list)
    discipline_of: dict[int, str] = {}
    for service_id, practitioner_id, discipline in through.order_by("practitioner_id").values_list(
        "service_id", "practitioner_id", "practitioner__discipline"
    ):
        offered_by[service_id].append(practitioner_id)
        discipline_of[practitioner_id] = discipline

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
    blocks = WorkingHours.objects.filter(practitioner_id__in=pids, valid_from__lte=last_day).exclude(
        valid_until__lt=first_day
    )
    for pid, weekday, a, b, valid_from, valid_until in blocks.values_list(
        "practitioner_id", "weekday", "start_time", "end_time", "valid_from", "valid_until"
    ):
        inputs[clinic_of[pid]].weekly[pid].append(WeeklyBlock(weekday, a, b, valid_from, valid_until))
    low, high = start - timedelta(days=1), end + timedelta(days=1)
    holds = Hold.objects.active(now).filter(practitioner_id__in=pids, end__gt=low, start__lt=high)
    if exclude_hold_id is not None:
        holds = holds.exclude(pk=exclude_hold_id)
    parts = [
        _tagged(TimeOff.objects.filter(practitioner_id__in=pids, end__gt=low, start__lt=high), _TIME_OFF),
        _tagged(Opening.objects.filter(practitioner_id__in=pids, end__gt=low, start__lt=high), _OPENING),
        _tagged(
            Appointment.objects.taking_time().filter(
                practitioner_id__in=pids, start__gt=low - _LONGEST_APPOINTMENT, start__lt=high
            ),
            _APPOINTMENT,
        ),
        _tagged(holds, _HOLD, expires="expires_at"),
    ]
    for pid, a, b, kind, expires_at in _intervals(parts[0].union(*parts[1:], all=True)):
        item = inputs[clinic_of[pid]]
        if kind == _TIME_OFF:
            item.unavailable[pid].append((a, b))
        elif kind == _OPENING:
            item.openings[pid].append((a, b))
        else:
            item.busy[pid].append((a, b))
        if kind == _HOLD:
            lapses = datetime.fromtimestamp(expires_at, UTC)
            item.hold_expiry = lapses if item.hold_expiry is None else min(item.hold_expiry, lapses)

    closures = ClinicClosure.objects.filter(clinic_id__in=clinic_ids, end_date__gte=first_day, start_date__lte=last_day)
    for closure in closures:
        day = max(closure.start_date, first_day)
        while day <= min(closure.end_date, last_day):
            inputs[closure.clinic_id].closed_days.append(day)
            day += timedelta(days=1)
    for item in inputs.values():
        if item.rules is None or not item.rules.open_on_holidays:
            item.closed_days.extend(
                engine.statutory_holidays(province=item.clinic.province, first=first_day, last=last_day)
            )
    return inputs
