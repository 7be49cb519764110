"""Reads of the precomputed next open times across clinics, for search: soonest first, each clinic's next times.

The reads for one clinic or practitioner (open times, rules) are in ``scheduling/selectors.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    Window,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, RowNumber

from clinics.geo import bounding_box, clinics_within, haversine_limit, haversine_sql
from clinics.models import Clinic, Discipline, Service, ServiceKind
from scheduling.models import AvailabilityState, NextOpenTime, OpenDay
from scheduling.selectors import OpenTime

# How many precomputed rows "soonest first" walks before it groups instead.
SCAN_LIMIT = 20_000
# An area of at most this many clinics is answered from its clinics' own rows rather than by the walk.
SMALL_AREA = 500
# On PostgreSQL the walk goes in batches (see soonest_clinics), each of distinct (start, bookable_until,
# clinic) rows: a clinic's practitioners and services free at one start are one row there. The first reads
# this many per clinic wanted (a page of 20 near Toronto took 39; 600 before the rows were made distinct);
# later batches grow up to MAX_BATCH where clinics with times are sparse.
FIRST_BATCH_PER_CLINIC = 2
MIN_BATCH = 32
MAX_BATCH = 5_000

# Starts as the database's text, for the plain-cursor reads: in one format per database (SQLite stores that
# text; PostgreSQL writes it in the session's UTC, ISO DateStyle being its default), so compared as strings
# they are in time order, and only the few shown are parsed. PostgreSQL's driver turning every row into an
# aware datetime through Django's zone-setting loader cost more than the queries (~1,200 rows a search page,
# ~6 ms).
_START_TEXT = Cast("start", TextField())
# Later than any start: the cutoff of a clinic with fewer starts than are shown.
_LATEST = Value(datetime(9999, 1, 1, tzinfo=UTC), output_field=DateTimeField())
_END_TEXT = Cast("end", TextField())


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
    # A time is bookable until at the latest its start (the notice is never negative), so every row still
    # bookable starts after now. Said to the database, that bounds the walk of every index on start: rows of
    # times already past stay until their clinic is next recomputed (hours), and without it each read stepped
    # over all of them (near Toronto an hour after a refresh, soonest first went from 30 to 57 ms).
    rows = NextOpenTime.objects.filter(bookable_until__gte=now, start__gte=now)
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
    area_ids: list[int] | None = None,
    box: tuple[float, float, float, float] | None = None,
) -> list[tuple[int, datetime]]:
    """(clinic id, next available) of the clinics in ``clinics`` with the soonest times, soonest first.

    Walks the next openings in start order (index on discipline, start) and stops as soon as it has
    ``offset + limit`` distinct clinics, so the cost follows the page asked for, not how many clinics
    match. Clinics with nothing open (before ``before``, if given) are not in the answer (they go after,
    sorted otherwise). ``area_ids``: ids of ``clinics`` the caller already read (all of them, or more than
    ``SMALL_AREA``), so they are not read again. ``box``: (south, west, north, east) holding every one of
    ``clinics``; the walk tests it on each row's copy of its clinic's place, in the index, so the rows of clinics
    elsewhere (at night near Toronto, the whole country's evening) are passed over without a look at their clinic.
    """
    base = _next_openings(
        now=now, discipline=discipline, service_id=service_id, technique=technique, before=before, language=language
    )
    walked = base
    if box is not None:
        south, west, north, east = box
        walked = base.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)

    def checked() -> QuerySet[NextOpenTime]:
        # SQLite's walk and the grouping fallback (PostgreSQL's batches test distinct rows: _distinct_walk_sql).
        return (
            walked
            # A correlated EXISTS, checked row by row as the walk goes: an IN (...) list would first
            # collect every matching clinic, a cost that grows with the network.
            .filter(Exists(clinics.filter(pk=OuterRef("clinic_id"))))
            # The index's own order: no sort, and clinics tied on a start come in one fixed order on every
            # database and every page (a page can end among them).
            .order_by("start", "bookable_until", "clinic_id")
        )

    wanted = offset + limit
    # A small area (a small circle, a sparse region) is answered from its clinics' own rows (the (clinic,
    # discipline, start) index): walking the whole country's rows in start order finds its few clinics' rows
    # only far down (a 5 km search in Markham read 100,000 rows for 8 clinics, 340 ms). Asking costs reading at
    # most SMALL_AREA + 1 ids of the area's index range, a millisecond or two where the area is dense.
    ids = area_ids[: SMALL_AREA + 1] if area_ids is not None else []
    if area_ids is None:
        ids = list(clinics.order_by().values_list("pk", flat=True)[: SMALL_AREA + 1])
    if len(ids) <= SMALL_AREA:
        grouped = base.filter(clinic_id__in=ids).values("clinic_id").annotate(first=Min("start"))
        grouped = grouped.order_by("first", "clinic_id")
        return [(row["clinic_id"], row["first"]) for row in grouped[offset:wanted]]
    found: dict[int, object] = {}
    scanned = 0
    # PostgreSQL's driver reads a query's whole result at execute, so one walk of SCAN_LIMIT rows there ran
    # the caller's EXISTS 20,000 times however early the page was found (150 ms near Toronto): it walks in
    # batches instead, each a LIMIT the planner sees (so it walks the index) and read whole. SQLite steps
    # rows on demand, so there one query with the whole LIMIT costs only the rows fetched.
    lazily = _reads_rows_lazily()
    batch = SCAN_LIMIT if lazily else max(MIN_BATCH, FIRST_BATCH_PER_CLINIC * wanted)
    since: object = None  # the last start read: the next batch resumes there
    while len(found) < wanted and scanned < SCAN_LIMIT:
        batch = min(batch, SCAN_LIMIT - scanned)
        # Resuming at the last start (not past it) rereads the rows tied with it, so none is skipped
        # whatever order ties come in; an OFFSET could skip one, as ties have no fixed order.
        if lazily:
            page = checked() if since is None else checked().filter(start__gte=_aware(since))
            sql, params = _walk_sql(page, discipline=discipline, limit=batch)
        else:
            page = walked if since is None else walked.filter(start__gte=_aware(since))
            sql, params = _distinct_walk_sql(page, clinics, limit=batch)
        chunk = _starts_in_order_read(sql, params, wanted=wanted, found=found)
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
        grouped = checked().values("clinic_id").annotate(first=Min("start")).order_by("first", "clinic_id")
        return [(row["clinic_id"], row["first"]) for row in grouped[offset:wanted]]
    return [(pk, _aware(start)) for pk, start in list(found.items())[offset:wanted]]


def open_today_clinics(
    *,
    clinics: QuerySet[Clinic],
    center: tuple[float, float],
    radius_km: float,
    discipline: str | None,
    day_ends: Iterable[datetime],
    now: datetime,
    limit: int,
) -> list[tuple[int, datetime]]:
    """(clinic id, end of its today) of up to ``limit`` of ``clinics`` within ``radius_km`` of ``center`` that have
    an open time today on their own clock (of ``discipline``, if given), in no particular order; one query.

    ``day_ends`` are the instants today ends in the zones clinics are in. Read from the practitioners' open days
    (``OpenDay``): one range of the ``openday_box`` index per discipline, each entry tested there (the day's
    end, the box, the notice, the circle); only the entries that pass have their clinic looked up, for
    ``clinics``' own filters and place. Asking the next openings instead looks into every clinic of the circle
    until ``limit`` pass, and at 50,000 clinics a dense circle holds five times as many clinics as at 10,000.
    For what the open days do not hold (a technique, a language) the caller asks the next openings.
    """
    south, west, north, east = bounding_box(center[0], center[1], radius_km)
    # Qualified: the clinic's own circle test in the EXISTS below names the same columns unqualified.
    hav = haversine_sql(center, table=OpenDay._meta.db_table)
    days = OpenDay.objects.filter(
        discipline__in=[discipline] if discipline else list(Discipline.values),
        day_end__in=sorted(set(day_ends)),
        latitude__gte=south,
        latitude__lte=north,
        longitude__gte=west,
        longitude__lte=east,
        last_until__gte=now,
    )
    days = days.annotate(day_hav=hav).filter(day_hav__lte=haversine_limit(radius_km))
    days = days.filter(
        Exists(clinics_within(clinics, center=center, radius_km=radius_km).filter(pk=OuterRef("clinic_id")))
    )
    rows = days.order_by().values_list("clinic_id", "day_end").distinct()[:limit]
    return [(clinic_id, _aware(day_end)) for clinic_id, day_end in rows]


def _reads_rows_lazily() -> bool:
    # SQLite runs a query only as far as rows are fetched; PostgreSQL's driver (a client-side cursor) has the
    # server compute the whole result at execute.
    return connection.vendor == "sqlite"


def _walk_sql(rows: QuerySet[NextOpenTime], *, discipline: str | None, limit: int) -> tuple[str, tuple[Any, ...]]:
    """The walk SQLite steps through: (clinic, start as text) of up to ``limit`` of ``rows``, in index order."""
    # SQLite is told the index by INDEXED BY (after ANALYZE it would rather look up every matching clinic and
    # sort all their rows).
    sql, params = rows.values_list("clinic_id", _START_TEXT)[:limit].query.sql_with_params()
    if connection.vendor == "sqlite":
        index = "nextopening_discipline_start" if discipline else "nextopening_start"
        table = connection.ops.quote_name(NextOpenTime._meta.db_table)
        sql = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {connection.ops.quote_name(index)}", 1)
    return sql, tuple(params)


def _distinct_walk_sql(
    rows: QuerySet[NextOpenTime], clinics: QuerySet[Clinic], *, limit: int
) -> tuple[str, tuple[Any, ...]]:
    """A batch of the walk: the first ``limit`` distinct (start, bookable_until, clinic) of ``rows`` whose clinic is
    in ``clinics``, as (clinic, start as text), in index order.

    The clinic is tested on the distinct rows, not on every row: a clinic's practitioners and services free at
    one start are one test, not a dozen (near Toronto 5,300 tests became 500, and two batches one: 7 -> 1.5 ms).
    The LIMIT tells PostgreSQL's planner an ordered walk of the (discipline, start, bookable_until, clinic) index
    pays; the DISTINCT follows that order, so nothing is sorted.
    """
    ordered = ("start", "bookable_until", "clinic_id")
    inner_sql, inner_params = rows.order_by(*ordered).values_list(*ordered).distinct().query.sql_with_params()
    area_sql, area_params = clinics.order_by().values("pk").query.sql_with_params()
    q = connection.ops.quote_name
    d = q("walk")
    by = ", ".join(f"{d}.{q(name)}" for name in ordered)
    sql = (
        f"SELECT {d}.{q('clinic_id')}, CAST({d}.{q('start')} AS text) FROM ({inner_sql}) {d} "  # noqa: S608 (our SQL; values are parameters)
        f"WHERE {d}.{q('clinic_id')} IN ({area_sql}) ORDER BY {by} LIMIT %s"
    )
    return sql, (*inner_params, *area_params, limit)


def _starts_in_order_read(
    sql: str, params: Sequence[Any], *, wanted: int, found: dict[int, object]
) -> list[tuple[int, object]]:
    """Run the walk's ``sql`` (rows of clinic id and start, in start order), noting each new clinic's first start
    in ``found``; stops once ``found`` holds ``wanted`` clinics. Returns the rows read."""
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


# What ``next_times_and_services`` reads of each row shown (values_list names them so: the outer query selects them).
_SHOWN_COLUMNS = (
    "clinic_id",
    "start_text",
    "end_text",
    "practitioner_id",
    "service_id",
    "service__kind",
    "service__name",
    "service__name_fr",
    "service__discipline",
    "service__duration_minutes",
)

# Which service a time is booked as when several offer it: a follow-up or treatment is what most
# searches are for; then the lowest ids, so the same search always links to the same service.
_KIND_PREFERENCE = {ServiceKind.FOLLOW_UP: 0, ServiceKind.TREATMENT: 1, ServiceKind.CONSULTATION: 2}


def next_times_and_services(
    *,
    clinic_ids: list[int],
    now: datetime,
    discipline: str | None = None,
    service_id: int | None = None,
    technique: str | None = None,
    count: int = 3,
    language: str | None = None,
) -> tuple[dict[int, list[OpenTime]], dict[int, Service]]:
    """Each clinic's next ``count`` distinct open starts (aware, UTC), each with a practitioner and service to
    book it; and the services those times book, by id (kind, name, French name, discipline and duration loaded:
    what a time button says). A clinic with nothing open is absent.

    When several practitioners or services share a start, the follow-up or treatment service is picked,
    then the lowest service and practitioner ids (deterministic). Two queries, each reading only what is
    shown: each clinic's ``count``-th distinct start (a walk of its (clinic, discipline, start) index that
    stops there), then the rows up to it, which are those at the shown starts, with their services. Reading
    every fresh row of the clinics instead (about a hundred a clinic) was a quarter of a search.
    """
    if not clinic_ids or count < 1:
        return {}, {}
    fresh = _next_openings(
        now=now, discipline=discipline, service_id=service_id, technique=technique, language=language
    )
    last_shown = fresh.filter(clinic_id=OuterRef("pk")).order_by("start").values("start").distinct()[count - 1 : count]
    # Each clinic's ``count``-th distinct start, one index walk each; a clinic with fewer starts has none, and all
    # its (few) fresh rows are shown.
    cutoffs = (
        Clinic.objects.filter(pk__in=clinic_ids)
        .order_by()
        .annotate(cut_clinic=F("pk"), cut_last=Coalesce(Subquery(last_shown), _LATEST))
        .values_list("cut_clinic", "cut_last")
    )
    rows = (
        fresh.filter(clinic_id__in=clinic_ids)
        .order_by()
        .annotate(start_text=_START_TEXT, end_text=_END_TEXT, shown_start=F("start"))
        .values_list(*_SHOWN_COLUMNS, "shown_start")
    )
    # One query: the rows up to each clinic's cutoff, joined on (clinic = cutoff's clinic AND start <= cutoff), a
    # range of the (clinic, discipline, start) index per clinic. Reading the cutoffs first and sending them back
    # as twenty (clinic = ? AND start <= ?) terms cost a round trip and planning both (~2 ms on PostgreSQL).
    rows_sql, rows_params = rows.query.sql_with_params()
    # The LIMIT (every clinic asked for) keeps the cutoffs a table of their own, computed once a clinic: merged
    # into the join, PostgreSQL ran each clinic's cutoff walk once per row instead (1,000 times, 9 ms).
    cut_sql, cut_params = cutoffs[: len(clinic_ids)].query.sql_with_params()
    q = connection.ops.quote_name
    joined, cut = q("shown"), q("cut")
    on = f"{joined}.{q('clinic_id')} = {cut}.{q('cut_clinic')} AND {joined}.{q('shown_start')} <= {cut}.{q('cut_last')}"
    # Every column but ``shown_start``, which only the join needs: returned, each row's would become a datetime
    # (200-odd a page on PostgreSQL, ~1 ms).
    columns = ", ".join(f"{joined}.{q(column)}" for column in _SHOWN_COLUMNS)
    sql = f"SELECT {columns} FROM ({rows_sql}) {joined} INNER JOIN ({cut_sql}) {cut} ON {on}"  # noqa: S608 (our SQL; values are parameters)
    params = (*rows_params, *cut_params)
    best: dict[int, dict[object, tuple[tuple[int, int, int], object]]] = defaultdict(dict)
    described: dict[int, tuple[str, str, str, str, int]] = {}
    # A plain cursor: starts are compared as the database gives them (text, in one format, so in time
    # order) and only the few shown become aware datetimes.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for (
            clinic_id,
            start,
            end,
            practitioner_id,
            service_id_,
            kind,
            name,
            name_fr,
            discipline_,
            minutes,
        ) in cursor.fetchall():
            key = (_KIND_PREFERENCE.get(kind, len(_KIND_PREFERENCE)), service_id_, practitioner_id)
            at_start = best[clinic_id]
            if start not in at_start or key < at_start[start][0]:
                at_start[start] = (key, end)
            described[service_id_] = (kind, name, name_fr, discipline_, minutes)
    found: dict[int, list[OpenTime]] = {}
    for clinic_id, by_start in best.items():
        shown = []
        for start in sorted(by_start)[:count]:  # type: ignore[type-var]  # str or datetime, one kind per database
            (_rank, service_pk, practitioner_pk), end = by_start[start]
            shown.append(
                OpenTime(_aware(start).astimezone(UTC), _aware(end).astimezone(UTC), practitioner_pk, service_pk)
            )
        found[clinic_id] = shown
    booked = {slot.service_id for slots in found.values() for slot in slots}
    services = {
        pk: Service(pk=pk, kind=kind, name=name, name_fr=name_fr, discipline=discipline_, duration_minutes=minutes)
        for pk, (kind, name, name_fr, discipline_, minutes) in described.items()
        if pk in booked
    }
    return found, services


def stale_clinic_ids(*, clinic_ids: list[int], now: datetime) -> list[int]:
    """Those of ``clinic_ids`` whose next openings need recomputing (never computed, or past fresh_until).

    Plain SQL: asked on every search page, the ORM's compiling cost ten times the query (0.4 of 0.45 ms on SQLite).
    """
    if not clinic_ids:
        return []
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(clinic_ids))
    sql = (
        f"SELECT {q('clinic_id')} FROM {q(AvailabilityState._meta.db_table)} "  # noqa: S608 (names from the model; values are parameters)
        f"WHERE {q('clinic_id')} IN ({marks}) AND {q('fresh_until')} > %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*clinic_ids, connection.ops.adapt_datetimefield_value(now)))
        fresh = {row[0] for row in cursor.fetchall()}
    return [pk for pk in clinic_ids if pk not in fresh]


def open_times_first_page_practitioners(
    *, clinic: Clinic, service_id: int | None, start: datetime, end: datetime, now: datetime, limit: int
) -> tuple[list[int], datetime] | None:
    """Who has the first ``limit + 1`` open times, and the last of those starts, from the precomputed next times.

    Every (practitioner, service) keeps its next few starts there, so the first rows in (start, practitioner,
    service) order are the first open times: only their practitioners need computing for a first page (at a
    1,000-practitioner clinic, a few dozen instead of all). None when the cache cannot say: not fresh, or
    fewer rows than a page (then everyone is computed).
    Used by the availability API's first page.
    """
    if not AvailabilityState.objects.filter(clinic_id=clinic.pk, fresh_until__gt=now).exists():
        return None
    first: list[tuple[datetime, int, int]] = []
    # One query per discipline: each walks the (clinic, discipline, start) index and stops after a page.
    for discipline in Discipline.values:
        rows = NextOpenTime.objects.filter(
            clinic_id=clinic.pk, discipline=discipline, start__gte=start, start__lt=end, bookable_until__gte=now
        )
        if service_id is not None:
            rows = rows.filter(service_id=service_id)
        ordered = rows.order_by("start", "practitioner_id", "service_id")
        first += ordered.values_list("start", "practitioner_id", "service_id")[: limit + 1]
    first = sorted(first)[: limit + 1]
    if len(first) <= limit:
        return None
    return sorted({pid for _start, pid, _sid in first}), first[-1][0]
