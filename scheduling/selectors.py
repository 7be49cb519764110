"""Reads: a clinic's open times, whether one time is open, and the precomputed next openings for search."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, QuerySet, Subquery, TextField, Window
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, RowNumber

from clinics.models import Clinic, Practitioner, Service, ServiceKind
from scheduling import engine
from scheduling.loading import clinic_inputs_load, rules_for
from scheduling.models import AvailabilityState, BookingRules, NextOpenTime

# How many open starts per practitioner and service the precomputed table keeps (see AVAILABILITY.md).
NEXT_OPEN_TIMES_KEPT = 5
# How many precomputed rows "soonest first" walks before it groups instead.
SCAN_LIMIT = 20_000
# On PostgreSQL the walk goes in batches (see soonest_clinics). The first reads this many rows per clinic
# wanted: the soonest clinics have several practitioners and services free at their first time (a page of
# 20 near Toronto took 108 rows); later batches grow up to MAX_BATCH where clinics with times are sparse.
FIRST_BATCH_PER_CLINIC = 6
MIN_BATCH = 64
MAX_BATCH = 5_000

# Starts as the database's text, for the plain-cursor reads: in one format per database (SQLite stores that
# text; PostgreSQL writes it in the session's UTC, ISO DateStyle being its default), so compared as strings
# they are in time order, and only
# the few shown are parsed. PostgreSQL's driver turning every row into an aware datetime through Django's
# zone-setting loader cost more than the queries (~1,200 rows a search page, ~6 ms).
_START_TEXT = Cast("start", TextField())


class OpenTime(NamedTuple):
    """One open time: aware datetimes in the clinic's zone (immutable; a tuple so thousands are cheap)."""

    start: datetime
    end: datetime
    practitioner_id: int
    service_id: int


def booking_rules_get(*, clinic: Clinic) -> BookingRules:
    """The clinic's rules, or unsaved defaults when it never set any."""
    return BookingRules.objects.filter(clinic=clinic).first() or BookingRules(clinic=clinic)


def service_rules_get(*, service: Service) -> engine.Rules:
    from scheduling.models import ServiceBookingRules

    service._own_rules = ServiceBookingRules.objects.filter(service=service).first()  # type: ignore[attr-defined]
    return rules_for(clinic_rules=BookingRules.objects.filter(clinic_id=service.clinic_id).first(), service=service)


def open_times_list(
    *,
    clinic: Clinic,
    start: datetime,
    end: datetime,
    now: datetime,
    service: Service | None = None,
    practitioner: Practitioner | None = None,
    practitioner_ids: Sequence[int] | None = None,
    discipline: str | None = None,
) -> list[OpenTime]:
    """Open times at ``clinic`` starting in ``[start, end)``, sorted by start (then practitioner, service).

    Without a service, every active service the filters allow; each slot names its practitioner and service.
    ``practitioner`` and ``practitioner_ids`` both narrow to those practitioners (both given: those in both).
    """
    only: set[int] | None = None
    if practitioner is not None:
        only = {practitioner.pk}
    if practitioner_ids is not None:
        only = set(practitioner_ids) if only is None else only & set(practitioner_ids)
    if only is not None and not only:
        return []
    inputs = clinic_inputs_load(
        clinics=[clinic],
        start=start,
        end=end,
        now=now,
        practitioner_ids=sorted(only) if only is not None else None,
        service_ids=[service.pk] if service is not None else None,
    )[clinic.pk]
    now_ts, start_ts, end_ts = engine.ts(now), engine.ts(start), engine.ts(end)
    found: list[tuple[int, int, int, int]] = []
    for svc in inputs.services:
        if discipline is not None and svc.discipline != discipline:
            continue
        rules = inputs.service_rules(svc)
        sid = svc.pk
        for pid in inputs.offered_by.get(sid, ()):
            found.extend(
                (a, pid, sid, b)
                for a, b in engine.open_times_ts(
                    weekly=inputs.weekly.get(pid, ()),
                    rules=rules,
                    now=now_ts,
                    zone=inputs.zone,
                    start=start_ts,
                    end=end_ts,
                    openings=inputs.openings.get(pid, ()),
                    unavailable=inputs.unavailable.get(pid, ()),
                    closed_days=inputs.closed_days,
                    busy=inputs.busy.get(pid, ()),
                )
            )
    found.sort()
    # Many practitioners share start times: convert each instant once.
    zone = inputs.zone
    moments = {seconds: engine.from_ts(seconds, zone) for seconds in {a for a, *_ in found} | {b for *_, b in found}}
    return [OpenTime(moments[a], moments[b], pid, sid) for a, pid, sid, b in found]


def slot_is_open(
    *, practitioner: Practitioner, service: Service, start: datetime, now: datetime, exclude_hold_id: int | None = None
) -> bool:
    """Whether ``start`` is an open time of ``practitioner`` for ``service`` right now (the same engine, exactly).

    The booking service calls this inside its transaction; ``exclude_hold_id`` ignores the patient's own hold.
    """
    if service.clinic_id != practitioner.clinic_id:
        return False
    clinic = practitioner.clinic  # no query when the caller selected it with the practitioner (booking does)
    inputs = clinic_inputs_load(
        clinics=[clinic],
        start=start,
        end=start + timedelta(minutes=service.duration_minutes),
        now=now,
        practitioner_ids=[practitioner.pk],
        service_ids=[service.pk],
        exclude_hold_id=exclude_hold_id,
    )[clinic.pk]
    if not inputs.services or practitioner.pk not in inputs.offered_by.get(service.pk, ()):
        return False
    start_ts = engine.ts(start)
    found = inputs.open_times(
        service=inputs.services[0],
        practitioner_id=practitioner.pk,
        now=engine.ts(now),
        start=start_ts,
        end=start_ts + 1,
    )
    return bool(found) and found[0][0] == start_ts


class NextTime(NamedTuple):
    """One open time as search shows it: a start and who to book it with (enough for a booking link)."""

    start: datetime  # aware, UTC
    practitioner_id: int
    service_id: int


def _next_openings(
    *,
    now: datetime,
    discipline: str | None,
    service_id: int | None,
    technique: str | None,
    practitioner_id: int | None = None,
    before: datetime | None = None,
    language: str | None = None,
) -> QuerySet[NextOpenTime]:
    rows = NextOpenTime.objects.filter(bookable_until__gte=now)
    if before is not None:
        rows = rows.filter(start__lt=before)
    if discipline:
        rows = rows.filter(discipline=discipline)
    if service_id is not None:
        rows = rows.filter(service_id=service_id)
    if practitioner_id is not None:
        rows = rows.filter(practitioner_id=practitioner_id)
    # Technique and language are the practitioner's, as the search's filters are: the times shown are those
    # of a practitioner who does the technique and speaks the language (slugs are unique: no duplicate rows).
    if technique:
        rows = rows.filter(practitioner__techniques__slug=technique)
    if language:
        rows = rows.filter(practitioner__languages__slug=language)
    return rows


def next_available_subquery(
    *,
    now: datetime,
    discipline: str | None = None,
    service_id: int | None = None,
    technique: str | None = None,
    language: str | None = None,
) -> Subquery:
    """An expression for ``Clinic`` querysets: the clinic's next available start for what was searched.

    ``Clinic.objects.annotate(next_available=next_available_subquery(now=now, discipline="physiotherapy"))
    .order_by(F("next_available").asc(nulls_last=True))`` sorts soonest first; each clinic costs one
    index seek on (clinic, discipline, start), whatever the size of the network.
    """
    rows = _next_openings(now=now, discipline=discipline, service_id=service_id, technique=technique, language=language)
    return Subquery(rows.filter(clinic_id=OuterRef("pk")).order_by("start").values("start")[:1])


def open_before_exists(
    *,
    now: datetime,
    before: datetime | Combinable,
    discipline: str | None = None,
    service_id: int | None = None,
    technique: str | None = None,
    language: str | None = None,
) -> Exists:
    """An expression for ``Clinic`` querysets: the clinic has an open time starting before ``before``.

    ``before`` may be an expression on the clinic (e.g. the end of its day, which depends on its zone).
    Cheaper than comparing ``next_available_subquery``: it stops at the first fresh row.
    """
    rows = _next_openings(now=now, discipline=discipline, service_id=service_id, technique=technique, language=language)
    return Exists(rows.filter(clinic_id=OuterRef("pk"), start__lt=before))


def soonest_clinics(
    *,
    clinics: QuerySet[Clinic],
    now: datetime,
    discipline: str | None = None,
    service_id: int | None = None,
    technique: str | None = None,
    before: datetime | None = None,
    limit: int = 20,
    offset: int = 0,
    language: str | None = None,
) -> list[tuple[int, datetime]]:
    """(clinic id, next available) of the clinics in ``clinics`` with the soonest times, soonest first.

    Walks the next openings in start order (index on discipline, start) and stops as soon as it has
    ``offset + limit`` distinct clinics, so the cost follows the page asked for, not how many clinics
    match. Clinics with nothing open (before ``before``, if given) are not in the answer (they go after,
    sorted otherwise).
    """
    rows = (
        _next_openings(
            now=now,
            discipline=discipline,
            service_id=service_id,
            technique=technique,
            before=before,
            language=language,
        )
        # A correlated EXISTS, checked row by row as the walk goes: an IN (...) list would first
        # collect every matching clinic, a cost that grows with the network.
        .filter(Exists(clinics.filter(pk=OuterRef("clinic_id"))))
        # The index's own order: no sort, and clinics tied on a start come in one fixed order on every
        # database and every page (a page can end among them).
        .order_by("start", "bookable_until", "clinic_id")
    )
    wanted = offset + limit
    found: dict[int, object] = {}
    scanned = 0
    # PostgreSQL's driver reads a query's whole result at execute, so one walk of SCAN_LIMIT rows there ran
    # the caller's EXISTS 20,000 times however early the page was found (150 ms near Toronto): it walks in
    # batches instead, each a LIMIT the planner sees (so it walks the index) and read whole. SQLite steps
    # rows on demand, so there one query with the whole LIMIT costs only the rows fetched.
    batch = SCAN_LIMIT if _reads_rows_lazily() else max(MIN_BATCH, FIRST_BATCH_PER_CLINIC * wanted)
    since: object = None  # the last start read: the next batch resumes there
    while len(found) < wanted and scanned < SCAN_LIMIT:
        batch = min(batch, SCAN_LIMIT - scanned)
        # Resuming at the last start (not past it) rereads the rows tied with it, so none is skipped
        # whatever order ties come in; an OFFSET could skip one, as ties have no fixed order.
        page = rows if since is None else rows.filter(start__gte=_aware(since))
        chunk = _walk(page, discipline=discipline, limit=batch, wanted=wanted, found=found)
        scanned += len(chunk)
        if len(chunk) < batch:
            break  # the walk reached the end
        if chunk[0][1] == chunk[-1][1]:
            batch *= 2  # one start filled the batch: a larger one gets past it
        else:
            batch = min(batch * 4, MAX_BATCH)
        since = chunk[-1][1]
    if len(found) < wanted and scanned >= SCAN_LIMIT:
        # Rare (a deep page, or few clinics with times among very many): group instead of walking.
        grouped = rows.values("clinic_id").annotate(first=Min("start")).order_by("first", "clinic_id")
        return [(row["clinic_id"], row["first"]) for row in grouped[offset:wanted]]
    return [(pk, _aware(start)) for pk, start in list(found.items())[offset:wanted]]


def _reads_rows_lazily() -> bool:
    # SQLite runs a query only as far as rows are fetched; PostgreSQL's driver (a client-side cursor) has the
    # server compute the whole result at execute.
    return connection.vendor == "sqlite"


def _walk(
    rows: QuerySet[NextOpenTime], *, discipline: str | None, limit: int, wanted: int, found: dict[int, object]
) -> list[tuple[int, object]]:
    """Read up to ``limit`` of ``rows`` in start order, noting each new clinic's first start in ``found``;
    stops once ``found`` holds ``wanted`` clinics. Returns the rows read."""
    # A LIMIT tells PostgreSQL's planner that an ordered index walk pays; SQLite is told by INDEXED BY
    # (after ANALYZE it would rather look up every matching clinic and sort all their rows).
    sql, params = rows.values_list("clinic_id", _START_TEXT)[:limit].query.sql_with_params()
    if connection.vendor == "sqlite":
        index = "nextopening_discipline_start" if discipline else "nextopening_start"
        table = connection.ops.quote_name(NextOpenTime._meta.db_table)
        sql = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {connection.ops.quote_name(index)}", 1)
    read: list[tuple[int, object]] = []
    # A plain cursor: most rows scanned belong to clinics already seen, and turning each one's start
    # into an aware datetime (Django's converters) would cost more than the scan itself.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Small chunks first (on SQLite each row fetched runs the caller's EXISTS, and a page is often found
        # in a few dozen rows), then larger ones, for areas with few clinics.
        size = 32
        while len(found) < wanted:
            chunk = cursor.fetchmany(size)
            size = min(size * 2, 1024)
            if not chunk:
                break
            read.extend(chunk)
            for clinic_id, start in chunk:
                if clinic_id not in found:
                    found[clinic_id] = start
                    if len(found) >= wanted:
                        break
    return read


def _aware(value: object) -> datetime:
    # SQLite gives naive UTC (text or datetime); PostgreSQL an aware datetime, or text with "+00".
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)  # noqa: S101 (narrowing for the type checker)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def next_open_times_for_clinics(
    *,
    clinic_ids: list[int],
    now: datetime,
    discipline: str | None = None,
    service_id: int | None = None,
    technique: str | None = None,
    practitioner_id: int | None = None,
    count: int = 3,
) -> dict[int, list[datetime]]:
    """Each clinic's next ``count`` distinct open starts (aware, UTC) for what was searched; one query.

    The first is the clinic's next available time; a clinic with none is absent from the answer.
    """
    if not clinic_ids:
        return {}
    rows = (
        _next_openings(
            now=now, discipline=discipline, service_id=service_id, technique=technique, practitioner_id=practitioner_id
        )
        .filter(clinic_id__in=clinic_ids)
        .values("clinic_id", "start")
        .annotate(practitioners=Count("practitioner_id", distinct=True))
        .annotate(position=Window(RowNumber(), partition_by=[F("clinic_id")], order_by=F("start").asc()))
        .filter(position__lte=count)
        .order_by("clinic_id", "start")
    )
    found: dict[int, list[datetime]] = defaultdict(list)
    for row in rows:
        found[row["clinic_id"]].append(row["start"].astimezone(UTC))
    return dict(found)


# Which service a time is booked as when several offer it: a follow-up or treatment is what most
# searches are for; then the lowest ids, so the same search always links to the same service.
_KIND_PREFERENCE = {ServiceKind.FOLLOW_UP: 0, ServiceKind.TREATMENT: 1, ServiceKind.CONSULTATION: 2}


def next_times_for_clinics(
    *,
    clinic_ids: list[int],
    now: datetime,
    discipline: str | None = None,
    service_id: int | None = None,
    technique: str | None = None,
    count: int = 3,
    language: str | None = None,
) -> dict[int, list[NextTime]]:
    """Each clinic's next ``count`` distinct open starts, each with a practitioner and service to book it.

    When several practitioners or services share a start, the follow-up or treatment service is picked,
    then the lowest service and practitioner ids (deterministic). A clinic with nothing open is absent.
    Two queries: the clinics' service kinds, and their fresh rows (a few dozen a clinic), picked over here;
    windows over the same rows in SQL, joined to the services, cost three times as much.
    """
    return next_times_and_services(
        clinic_ids=clinic_ids,
        now=now,
        discipline=discipline,
        service_id=service_id,
        technique=technique,
        count=count,
        language=language,
    )[0]


def next_times_and_services(
    *,
    clinic_ids: list[int],
    now: datetime,
    discipline: str | None = None,
    service_id: int | None = None,
    technique: str | None = None,
    count: int = 3,
    language: str | None = None,
) -> tuple[dict[int, list[NextTime]], dict[int, Service]]:
    """``next_times_for_clinics``, and the services those times book by id (name, French name, kind,
    discipline and duration loaded: what a time button says), read in the same two queries."""
    if not clinic_ids:
        return {}, {}
    rank: dict[int, int] = {}
    described: dict[int, tuple[str, str, str, str, int]] = {}
    for pk, kind, name, name_fr, discipline_, minutes in Service.objects.filter(clinic_id__in=clinic_ids).values_list(
        "pk", "kind", "name", "name_fr", "discipline", "duration_minutes"
    ):
        rank[pk] = _KIND_PREFERENCE.get(kind, len(_KIND_PREFERENCE))
        described[pk] = (kind, name, name_fr, discipline_, minutes)
    rows = (
        _next_openings(now=now, discipline=discipline, service_id=service_id, technique=technique, language=language)
        .filter(clinic_id__in=clinic_ids)
        .order_by()
        .values_list("clinic_id", _START_TEXT, "practitioner_id", "service_id")
    )
    sql, params = rows.query.sql_with_params()
    best: dict[int, dict[object, tuple[int, int, int]]] = defaultdict(dict)
    # A plain cursor: starts are compared as the database gives them (text on SQLite, in one format,
    # so in time order) and only the few shown become aware datetimes.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for clinic_id, start, practitioner_id, service_id_ in cursor.fetchall():
            key = (rank.get(service_id_, len(_KIND_PREFERENCE)), service_id_, practitioner_id)
            at_start = best[clinic_id]
            if start not in at_start or key < at_start[start]:
                at_start[start] = key
    found: dict[int, list[NextTime]] = {}
    for clinic_id, by_start in best.items():
        found[clinic_id] = [
            NextTime(_aware(start).astimezone(UTC), by_start[start][2], by_start[start][1])
            for start in sorted(by_start)[:count]  # type: ignore[type-var]  # str or datetime, one kind per database
        ]
    shown = {slot.service_id for slots in found.values() for slot in slots}
    services = {
        pk: Service(pk=pk, kind=kind, name=name, name_fr=name_fr, discipline=discipline_, duration_minutes=minutes)
        for pk, (kind, name, name_fr, discipline_, minutes) in described.items()
        if pk in shown
    }
    return found, services


def stale_clinic_ids(*, clinic_ids: list[int], now: datetime) -> list[int]:
    """Those of ``clinic_ids`` whose next openings need recomputing (never computed, or past fresh_until)."""
    fresh = set(
        AvailabilityState.objects.filter(clinic_id__in=clinic_ids, fresh_until__gt=now).values_list(
            "clinic_id", flat=True
        )
    )
    return [pk for pk in clinic_ids if pk not in fresh]


def next_available_by_service(
    *, clinic_id: int, now: datetime, practitioner_id: int | None = None
) -> dict[int, datetime]:
    """Each service's next open start at one clinic (optionally one practitioner's), from the cache; one query."""
    rows = _next_openings(
        now=now, discipline=None, service_id=None, technique=None, practitioner_id=practitioner_id
    ).filter(clinic_id=clinic_id)
    return dict(rows.values("service_id").annotate(first=Min("start")).values_list("service_id", "first"))
