"""The next-open-times cache: computing, refreshing and topping up ``NextOpenTime`` (see AVAILABILITY.md).

Schedule writes (``scheduling.services``) and bookings change what is open; inside their transaction they call
``next_open_times_refresh_after_commit``, and the refresh runs once that transaction has committed, so it never
lengthens it (nor, on SQLite, the database's one write lock). Search reads the rows (``scheduling.selectors``,
``scheduling.search``).
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import connection, transaction

from clinics.geo import unit_vector
from clinics.models import Clinic, Practitioner
from scheduling import engine
from scheduling.bulk import rows_insert
from scheduling.loading import ClinicInputs, clinic_inputs_load
from scheduling.locking import LOCK_TIMEOUT_MS, practitioner_lock
from scheduling.models import AvailabilityState, NextOpenTime, OpenDay

logger = logging.getLogger(__name__)

# How many open starts per practitioner and service the precomputed table keeps (see AVAILABILITY.md).
NEXT_OPEN_TIMES_KEPT = 5

# The first pass looks this far ahead; only pairs that find too few times there look to the horizon.
FIRST_PASS_DAYS = 7
# Recompute at least this often even if nothing changed: new days enter the horizon.
MAX_AGE = timedelta(hours=6)
# When a pair is down to this many cached starts, its clinic is due for a top-up.
TOP_UP_WHEN_LEFT = 3


def next_open_times_refresh(
    *, clinic_ids: Iterable[int], now: datetime, practitioner_ids: Iterable[int] | None = None
) -> int:
    """Recompute the next openings of these clinics; rows written.

    Without ``practitioner_ids``: every practitioner and service of the clinics (a change to hours of the whole
    clinic, rules, a top-up). With them: only those practitioners' rows (a booking, a cancellation, one person's
    schedule), which costs one practitioner's week instead of the clinic's and lets bookings for different
    practitioners of one clinic refresh side by side. Writers call it after their commit, through
    ``next_open_times_refresh_after_commit``; the top-up, the admin's bulk actions and tests call it directly.
    """
    clinic_ids = sorted(set(clinic_ids))
    narrow = sorted(set(practitioner_ids)) if practitioner_ids is not None else None
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            # Only a cache derived from durable data is committed here: no need to wait for the disk (a crash
            # loses at most this refresh, with the clinic's state row, and the top-up redoes it). Never inside a
            # caller's transaction: its own writes (a schedule change) must be durable.
            with connection.cursor() as cursor:
                # One round trip for both settings (no parameters, so several statements are allowed).
                cursor.execute(f"SET LOCAL synchronous_commit = off; SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}")
        # Refreshes of one practitioner's rows run one after the other, and the later one reads what the earlier
        # could not see, so an older result never lands last (see _refresh_lock).
        _refresh_lock(clinic_ids=clinic_ids, practitioner_ids=narrow, timeout_set=own_transaction)
        clinics = list(Clinic.objects.filter(pk__in=clinic_ids).order_by("pk"))
        if not clinics:
            return 0
        if narrow is not None and not narrow:
            return 0
        rows, states = _compute(clinics=clinics, now=now, practitioner_ids=narrow)
        if narrow is None:
            NextOpenTime.objects.filter(clinic_id__in=clinic_ids).delete()
            OpenDay.objects.filter(clinic_id__in=clinic_ids).delete()
        else:
            NextOpenTime.objects.filter(clinic_id__in=clinic_ids, practitioner_id__in=narrow).delete()
            OpenDay.objects.filter(clinic_id__in=clinic_ids, practitioner_id__in=narrow).delete()
        rows_insert(NextOpenTime, NEXT_OPEN_TIME_COLUMNS, rows)
        rows_insert(OpenDay, OPEN_DAY_COLUMNS, open_days_compute(rows=rows, clinics=clinics))
        if narrow is None:
            _states_save(states)
        else:
            _states_lower(states)
    return len(rows)


OPEN_DAY_COLUMNS = (
    "practitioner_id",
    "clinic_id",
    "discipline",
    "day_end",
    "last_until",
    "latitude",
    "longitude",
    "unit_x",
    "unit_y",
    "unit_z",
)


def open_days_compute(*, rows: Iterable[Row], clinics: Iterable[Clinic]) -> list[Row]:
    """The ``OpenDay`` rows (``OPEN_DAY_COLUMNS``) of next-opening rows (``NEXT_OPEN_TIME_COLUMNS``) of ``clinics``:
    per practitioner, discipline and day of the clinic's calendar, that day's end and its latest bookable moment.

    Every writer of next openings writes these from the same rows in the same transaction, for the same
    practitioners, so the two never disagree; a practitioner's refresh writes only its own (no other refresh
    writes them: no lost update when two of one clinic's practitioners refresh side by side).
    """
    where = {
        clinic.pk: (
            ZoneInfo(clinic.time_zone),
            (clinic.latitude, clinic.longitude, *unit_vector(clinic.latitude, clinic.longitude)),
        )
        for clinic in clinics
    }
    latest: dict[tuple[int, int, str, datetime], datetime] = {}
    ends: dict[tuple[int, date], datetime] = {}
    for clinic_id, practitioner_id, _service_id, discipline, start, _end, until, *_rest in rows:
        zone = where[clinic_id][0]
        day = start.astimezone(zone).date()
        day_end = ends.get((clinic_id, day))
        if day_end is None:
            day_end = ends[(clinic_id, day)] = day_end_of(day, zone)
        key = (practitioner_id, clinic_id, discipline, day_end)
        if key not in latest or until > latest[key]:
            latest[key] = until
    return [
        (practitioner_id, clinic_id, discipline, day_end, until, *where[clinic_id][1])
        for (practitioner_id, clinic_id, discipline, day_end), until in latest.items()
    ]


def day_end_of(day: date, zone: ZoneInfo) -> datetime:
    """When ``day`` ends in ``zone``: the next midnight on its wall clock, as a UTC instant."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)


def _refresh_lock(*, clinic_ids: list[int], practitioner_ids: list[int] | None, timeout_set: bool) -> None:
    """Lock the practitioners whose rows this refresh rewrites (all of the clinics' when not narrowed).

    The same row lock a booking takes (``scheduling.locking.practitioner_lock``, in id order): two refreshes that
    write the same rows run one after the other, a refresh waits for a booking of that practitioner still in
    flight, and two practitioners of one clinic refresh side by side. Every writer takes practitioner locks in
    one sorted batch before anything else, so they never deadlock. SQLite needs nothing (BEGIN IMMEDIATE).
    """
    if connection.vendor != "postgresql":
        return
    if practitioner_ids is None:
        practitioner_ids = list(Practitioner.objects.filter(clinic_id__in=clinic_ids).values_list("pk", flat=True))
    if not practitioner_ids:
        return
    practitioner_lock(*practitioner_ids, set_timeout=not timeout_set)


def _states_lower(states: list[AvailabilityState]) -> None:
    """After a practitioner-only refresh: bring each clinic's ``fresh_until`` forward if this one is due sooner.

    The others' rows were not recomputed, so their due time stands: the minimum of both is right. A clinic never
    computed keeps no state row, so the top-up still computes all of it. One conditional UPDATE each: two
    practitioners' refreshes of one clinic may run at once, and neither can undo the other's.
    """
    for state in states:
        AvailabilityState.objects.filter(clinic_id=state.clinic_id, fresh_until__gt=state.fresh_until).update(
            fresh_until=state.fresh_until
        )


def _states_save(states: list[AvailabilityState]) -> None:
    AvailabilityState.objects.bulk_create(
        states,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["clinic"],
        update_fields=["computed_at", "fresh_until"],
    )


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# One row of ``NEXT_OPEN_TIME_COLUMNS``; and what a pass finds times for: (clinic, practitioner, service, discipline,
# the service's rules).
Row = tuple[Any, ...]
_Pair = tuple[int, int, int, str, engine.Rules]

NEXT_OPEN_TIME_COLUMNS = (
    "clinic_id",
    "practitioner_id",
    "service_id",
    "discipline",
    "start",
    "end",
    "bookable_until",
    "rank",
    "computed_at",
    "latitude",
    "longitude",
)


def _compute(
    *, clinics: list[Clinic], now: datetime, practitioner_ids: list[int] | None = None
) -> tuple[list[Row], list[AvailabilityState]]:
    """The next openings of ``clinics``: a short first pass, then the full horizon only where it is needed."""
    first_end = now + timedelta(days=FIRST_PASS_DAYS)
    inputs = clinic_inputs_load(clinics=clinics, start=now, end=first_end, now=now, practitioner_ids=practitioner_ids)

    def widen(short: set[tuple[int, int]], end: datetime) -> dict[int, ClinicInputs]:
        return clinic_inputs_load(
            clinics=[c for c in clinics if c.pk in {clinic_id for clinic_id, _pid in short}],
            start=now,
            end=end,
            now=now,
            practitioner_ids=sorted({pid for _clinic_id, pid in short}),
        )

    return next_open_times_compute(inputs=inputs, now=now, widen=widen)


def next_open_times_compute(
    *,
    inputs: dict[int, ClinicInputs],
    now: datetime,
    widen: Callable[[set[tuple[int, int]], datetime], dict[int, ClinicInputs]] | None = None,
) -> tuple[list[Row], list[AvailabilityState]]:
    """Rows (``NEXT_OPEN_TIME_COLUMNS``) and states from inputs already in memory; nothing is read or written.

    Looks ``FIRST_PASS_DAYS`` ahead, then to the horizon for the practitioners who found too few times, with
    inputs from ``widen(short pairs, end)``; without ``widen``, ``inputs`` must already cover the horizon
    (the demo generator, which made the data itself).
    """
    first_end = now + timedelta(days=FIRST_PASS_DAYS)
    longest = max(
        (item.service_rules(s).horizon_days for item in inputs.values() for s in item.services),
        default=FIRST_PASS_DAYS,
    )
    found, short = _open_times_until(inputs=inputs, now=now, end=first_end)
    if short:
        # Only the practitioners who found too few times look further (fully booked, away, part-time).
        wide_end = now + timedelta(days=longest)
        wide = widen(short, wide_end) if widen is not None else inputs
        more, _short = _open_times_until(inputs=wide, now=now, end=wide_end, only=short)
        found.update(more)
    rows: list[Row] = []
    fresh_until = dict.fromkeys(inputs, now + MAX_AGE)
    for (clinic_id, pid, service_id, discipline, rules), times in found.items():
        zone, clinic = inputs[clinic_id].zone, inputs[clinic_id].clinic
        for rank, (a, b) in enumerate(times, start=1):
            until = engine.bookable_until(rules=rules, slot_start=a, zone=zone)
            rows.append(
                (
                    clinic_id,
                    pid,
                    service_id,
                    discipline,
                    _utc(a),
                    _utc(b),
                    _utc(until),
                    rank,
                    now,
                    clinic.latitude,
                    clinic.longitude,
                )
            )
            if len(times) >= NEXT_OPEN_TIMES_KEPT and rank == len(times) - TOP_UP_WHEN_LEFT + 1:
                fresh_until[clinic_id] = min(fresh_until[clinic_id], _utc(until))
    for item in inputs.values():
        # An expiring hold frees its time: the clinic is due when the first one lapses.
        if item.hold_expiry is not None:
            fresh_until[item.clinic.pk] = min(fresh_until[item.clinic.pk], item.hold_expiry)
    states = [AvailabilityState(clinic_id=pk, computed_at=now, fresh_until=until) for pk, until in fresh_until.items()]
    return rows, states


def _open_times_until(
    *, inputs: dict[int, ClinicInputs], now: datetime, end: datetime, only: set[tuple[int, int]] | None = None
) -> tuple[dict[_Pair, list[tuple[int, int]]], set[tuple[int, int]]]:
    """Each (practitioner, service)'s open times from ``now`` to ``end`` (at most NEXT_OPEN_TIMES_KEPT), and the
    pairs that found fewer (they look further in a second, wider call)."""
    found: dict[_Pair, list[tuple[int, int]]] = {}
    short: set[tuple[int, int]] = set()
    now_ts, end_ts = engine.ts(now), engine.ts(end)
    for clinic_id, item in inputs.items():
        # Services with the same step, buffer and window share one computation of free time.
        prepared: dict[tuple[int, int, int, tuple[int, int]], engine.Prepared] = {}
        for service in item.services:
            rules = item.service_rules(service)
            window = engine.bookable_window(rules=rules, now=now_ts, zone=item.zone, start=now_ts, end=end_ts)
            for pid in item.offered_by.get(service.pk, ()):
                if only is not None and (clinic_id, pid) not in only:
                    continue
                if not item.weekly.get(pid) and not item.openings.get(pid):
                    continue
                key = (pid, rules.step_minutes, rules.buffer_minutes, window)
                if key not in prepared:
                    prepared[key] = engine.prepare(
                        weekly=item.weekly.get(pid, ()),
                        zone=item.zone,
                        step_minutes=rules.step_minutes,
                        buffer_minutes=rules.buffer_minutes,
                        earliest=window[0],
                        latest=window[1],
                        openings=item.openings.get(pid, ()),
                        unavailable=item.unavailable.get(pid, ()),
                        closed_days=item.closed_days,
                        busy=item.busy.get(pid, ()),
                    )
                times = engine.slots_from(
                    prepared[key], duration_minutes=rules.duration_minutes, limit=NEXT_OPEN_TIMES_KEPT
                )
                if len(times) < NEXT_OPEN_TIMES_KEPT and rules.horizon_days > (end - now).days:
                    short.add((clinic_id, pid))
                found[(clinic_id, pid, service.pk, service.discipline, rules)] = times
    return found, short


# A refresh after a commit rewrites at most this many practitioners' rows per transaction: a whole-clinic
# change (a closure, the rules) at a 1,000-practitioner clinic is 40 short transactions of a few ms each,
# not one that holds every practitioner's lock (and on SQLite the database's write lock) for half a second.
REFRESH_BATCH = 25


def next_open_times_refresh_after_commit(
    *, clinic_ids: Iterable[int], now: datetime, practitioner_ids: Iterable[int] | None = None
) -> None:
    """Refresh these clinics' next open times once the caller's transaction commits (at once outside one).

    ``practitioner_ids``: only those practitioners' rows (one person's hours, time off or openings; a booking,
    a cancellation, a reschedule): nobody else's times changed. ``None``: every practitioner's of the clinics (a
    closure, the booking rules, the posted hours), ``REFRESH_BATCH`` practitioners per transaction.

    Until it has run, search may still show a time the write removed (booking re-checks under the lock and
    answers with alternatives) or miss one it added. A refresh that fails never turns the committed write into
    an error: it is logged and the clinics are marked due, so the next top-up (every minute) recomputes them.
    """
    ids = sorted(set(clinic_ids))
    pids = None if practitioner_ids is None else sorted(set(practitioner_ids))
    open_times_changed(clinic_ids=ids)
    transaction.on_commit(partial(_refresh_committed, clinic_ids=ids, practitioner_ids=pids, now=now), robust=True)


# --- the open-times version of a clinic (what a cached clinic page is keyed by) ------------------------------


def _open_times_key(clinic_id: int) -> str:
    return f"open-times-token:{clinic_id}"


def open_times_token(clinic_id: int) -> str:
    """A token that every write changing this clinic's open times replaces (``open_times_changed``).

    Whatever is cached under it (a rendered clinic page) stops being read when the clinic's open times change.
    A token lives in the shared cache; a write and a reader see the same one only if the cache is shared by
    every process (Redis), which is why the clinic-page cache is off without one (directory/page_cache.py).
    """
    (token,) = cache_tokens(_open_times_key(clinic_id))
    return token


def cache_tokens(*keys: str) -> list[str]:
    """The current token under each key, in order, making one where there is none (never reusing an old one).

    One read of the cache for all of them; the version tokens of the clinic pages and search answers are read here.
    """
    found = shared_cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    for key, token in missing.items():
        if not shared_cache.add(key, token, timeout=None):  # another process made one first: take theirs
            missing[key] = shared_cache.get(key) or token
    return [str(found.get(key) or missing[key]) for key in keys]


def open_times_changed(*, clinic_ids: Iterable[int]) -> None:
    """These clinics' open times changed (or are changing in the current transaction): replace their tokens.

    ``next_open_times_refresh_after_commit`` calls it twice: as the write is made, so nothing is cached under
    the old token from then on, and again once it has committed, so a reader that saw the old rows between the
    two cannot leave them cached under the token that follows.
    """
    ids = list(clinic_ids)
    shared_cache.set_many({_open_times_key(clinic_id): uuid.uuid4().hex for clinic_id in ids}, timeout=None)
    areas_changed(clinic_ids=ids)


# --- the version of an area (what a cached search answer is keyed by) ----------------------------------------

# Search answers near a point are keyed by the tokens of the cells their circle touches (directory/search_cache.py).
# Half a degree is about 55 km north-south and 35-40 km east-west in southern Canada: a 25 km search touches two
# to six cells, and a write in Toronto leaves the answers of Ottawa's (or even Oshawa's far side) standing.
AREA_CELL_DEGREES = 0.5

Cell = tuple[int, int]


def area_cell(lat: float, lng: float) -> Cell:
    """The cell a point lies in."""
    return math.floor(lat / AREA_CELL_DEGREES), math.floor(lng / AREA_CELL_DEGREES)


def area_cells(*, south: float, west: float, north: float, east: float) -> list[Cell]:
    """Every cell a box touches, row by row."""
    (low_row, low_col), (high_row, high_col) = area_cell(south, west), area_cell(north, east)
    return [(row, col) for row in range(low_row, high_row + 1) for col in range(low_col, high_col + 1)]


def _area_key(cell: Cell) -> str:
    return f"search-area:{cell[0]}:{cell[1]}"


def area_tokens(cells: Sequence[Cell]) -> list[str]:
    """The current token of each cell, in order (``cache_tokens``: one read)."""
    return cache_tokens(*(_area_key(cell) for cell in cells))


def areas_changed(*, clinic_ids: Iterable[int]) -> None:
    """What these clinics show in search changed (open times, record): replace the tokens of their cells.

    Only while search answers are cached (``SEARCH_CACHE_SECONDS``): otherwise nothing is keyed by them, and the
    write is spared the query for the clinics' coordinates.
    """
    ids = list(clinic_ids)
    if settings.SEARCH_CACHE_SECONDS <= 0 or not ids:
        return
    points = Clinic.objects.filter(pk__in=ids).order_by().values_list("latitude", "longitude")
    cells = {area_cell(lat, lng) for lat, lng in points}
    if cells:
        shared_cache.set_many({_area_key(cell): uuid.uuid4().hex for cell in cells}, timeout=None)


def _refresh_committed(*, clinic_ids: list[int], practitioner_ids: list[int] | None, now: datetime) -> None:
    try:
        open_times_changed(clinic_ids=clinic_ids)
        if practitioner_ids is None:
            practitioner_ids = list(
                Practitioner.objects.filter(clinic_id__in=clinic_ids).order_by("pk").values_list("pk", flat=True)
            )
        for start in range(0, len(practitioner_ids), REFRESH_BATCH):
            batch = practitioner_ids[start : start + REFRESH_BATCH]
            next_open_times_refresh(clinic_ids=clinic_ids, practitioner_ids=batch, now=now)
    except Exception as exc:
        # The type only, as everywhere a failure is logged; the top-up redoes the work.
        logger.warning("next open times of clinics %s not refreshed: %s", clinic_ids, type(exc).__name__)
        AvailabilityState.objects.filter(clinic_id__in=clinic_ids).update(fresh_until=now)


def next_open_times_top_up(*, now: datetime, batch: int = 200) -> int:
    """Recompute clinics whose cached next openings are running out or old, and never-computed ones; count."""
    due = list(
        AvailabilityState.objects.filter(fresh_until__lte=now)
        .order_by("fresh_until")
        .values_list("clinic_id", flat=True)[:batch]
    )
    if len(due) < batch:
        never = Clinic.objects.in_network().exclude(pk__in=AvailabilityState.objects.values("clinic_id"))
        due += list(never.values_list("pk", flat=True)[: batch - len(due)])
    for start in range(0, len(due), 50):
        next_open_times_refresh(clinic_ids=due[start : start + 50], now=now)
    return len(due)


# Rows past their notice deleted per transaction: a short write, so on SQLite no booking waits behind it long.
PRUNE_BATCH = 2000


def next_open_times_prune(*, now: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete next openings whose notice has passed (``bookable_until < now``); rows deleted.

    Such a row never counts again (reads filter ``bookable_until >= now``), but it stays until its clinic is next
    recomputed (hours), and every soonest-first walk steps over it: the rows inside the country's notice window
    grow with the network (at 50,000 clinics, 7,564 physiotherapy rows before the first bookable start, five
    times 10,000's), so the walk did too. The worker deletes them every round (``refresh_availability``), in
    transactions of at most ``batch`` rows read from the ``bookable_until`` index. On PostgreSQL rows a refresh
    holds are skipped (``SKIP LOCKED``; that refresh deletes them itself), so the prune never waits on a writer
    nor deadlocks with one.
    """
    deleted = 0
    while True:
        with transaction.atomic():
            dead = NextOpenTime.objects.filter(bookable_until__lt=now).order_by().values_list("pk", flat=True)
            if connection.vendor == "postgresql":
                dead = dead.select_for_update(skip_locked=True)
            ids = list(dead[:batch])
            if ids:
                NextOpenTime.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
        if len(ids) < batch:
            return deleted


def next_open_times_round(*, now: datetime, batch: int = 200) -> tuple[int, int]:
    """The worker's round (``refresh_availability``, ``next_open_times_top_up_task``): (rows pruned, clinics topped
    up). Rows past their notice go first, so the top-up recomputes on a table without them."""
    return next_open_times_prune(now=now), next_open_times_top_up(now=now, batch=batch)


def refresh_all(*, now: datetime, chunk: int = 200, progress: bool = False) -> int:
    """Recompute every clinic's next openings (demo data, a deploy); rows written."""
    ids = list(Clinic.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    iterator: Iterable[int] = range(0, len(ids), chunk)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, desc="next openings", unit_scale=chunk)
    for start in iterator:
        written += next_open_times_refresh(clinic_ids=ids[start : start + chunk], now=now)
    return written
