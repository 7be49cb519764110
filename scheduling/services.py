"""Writes: schedules, time off, closures, posted openings, booking rules, and keeping next openings fresh.

Every write runs in one transaction that also rebuilds the clinic's precomputed next openings, so
search never shows a time the change just removed (nor misses one it just added).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from booking.locking import LOCK_TIMEOUT_MS, practitioner_lock
from clinics.models import Clinic, Practitioner
from scheduling import engine
from scheduling.bulk import rows_insert
from scheduling.loading import ClinicInputs, clinic_inputs_load
from scheduling.models import (
    AvailabilityState,
    BookingRules,
    ClinicClosure,
    NextOpenTime,
    PostedOpening,
    TimeOff,
    TimeOffKind,
    WorkingHours,
)
from scheduling.selectors import NEXT_OPEN_TIMES_KEPT

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
    practitioners of one clinic refresh side by side. The booking app calls this after a booking, cancellation or
    reschedule commits; the write services below call it inside their own transaction.
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
            rows_insert(NextOpenTime, NEXT_OPEN_TIME_COLUMNS, rows)
            _states_save(states)
        else:
            NextOpenTime.objects.filter(clinic_id__in=clinic_ids, practitioner_id__in=narrow).delete()
            rows_insert(NextOpenTime, NEXT_OPEN_TIME_COLUMNS, rows)
            _states_lower(states)
    return len(rows)


def _refresh_lock(*, clinic_ids: list[int], practitioner_ids: list[int] | None, timeout_set: bool) -> None:
    """Lock the practitioners whose rows this refresh rewrites (all of the clinics' when not narrowed).

    The same row lock a booking takes (``booking.locking.practitioner_lock``, in id order): two refreshes that
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
)


def _compute(
    *, clinics: list[Clinic], now: datetime, practitioner_ids: list[int] | None = None
) -> tuple[list[tuple], list[AvailabilityState]]:
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
) -> tuple[list[tuple], list[AvailabilityState]]:
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
    found, short = _pass(inputs=inputs, now=now, end=first_end)
    if short:
        # Only the practitioners who found too few times look further (fully booked, away, part-time).
        wide_end = now + timedelta(days=longest)
        wide = widen(short, wide_end) if widen is not None else inputs
        more, _short = _pass(inputs=wide, now=now, end=wide_end, only=short)
        found.update(more)
    rows: list[tuple] = []
    fresh_until = dict.fromkeys(inputs, now + MAX_AGE)
    for (clinic_id, pid, service_id, discipline, rules), times in found.items():
        zone = inputs[clinic_id].zone
        for rank, (a, b) in enumerate(times, start=1):
            until = engine.bookable_until(rules=rules, slot_start=a, zone=zone)
            rows.append((clinic_id, pid, service_id, discipline, _utc(a), _utc(b), _utc(until), rank, now))
            if len(times) >= NEXT_OPEN_TIMES_KEPT and rank == len(times) - TOP_UP_WHEN_LEFT + 1:
                fresh_until[clinic_id] = min(fresh_until[clinic_id], _utc(until))
    for item in inputs.values():
        # An expiring hold frees its time: the clinic is due when the first one lapses.
        if item.hold_expiry is not None:
            fresh_until[item.clinic.pk] = min(fresh_until[item.clinic.pk], item.hold_expiry)
    states = [AvailabilityState(clinic_id=pk, computed_at=now, fresh_until=until) for pk, until in fresh_until.items()]
    return rows, states


def _pass(
    *, inputs: dict[int, ClinicInputs], now: datetime, end: datetime, only: set[tuple[int, int]] | None = None
) -> tuple[dict, set[tuple[int, int]]]:
    found: dict[tuple, list[tuple[int, int]]] = {}
    short: set[tuple[int, int]] = set()
    now_ts, end_ts = engine.ts(now), engine.ts(end)
    for clinic_id, item in inputs.items():
        # Services with the same step, buffer and window share one computation of free time.
        prepared: dict[tuple, engine.Prepared] = {}
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


# --- Writes the clinic portal (and the admin) call -------------------------------------------------


def working_hours_set(
    *,
    practitioner: Practitioner,
    blocks: Sequence[tuple[int, time, time]],
    valid_from: date,
    now: datetime,
    valid_until: date | None = None,
) -> list[WorkingHours]:
    """Replace the practitioner's weekly hours from ``valid_from`` on with ``blocks`` (weekday, start, end).

    Hours before ``valid_from`` are kept (they end the day before); breaks are the gaps between blocks.
    """
    new = [
        WorkingHours(
            practitioner=practitioner,
            weekday=weekday,
            start_time=start,
            end_time=end,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        for weekday, start, end in blocks
    ]
    _blocks_check(new)
    with transaction.atomic():
        # The booking lock: two edits of one schedule cannot interleave, and a booking either commits before
        # the hours shrink or waits and then sees them (LOCKING.md).
        practitioner_lock(practitioner.pk)
        current = WorkingHours.objects.filter(practitioner=practitioner).exclude(valid_until__lt=valid_from)
        current.filter(valid_from__gte=valid_from).delete()
        current.filter(valid_from__lt=valid_from).update(valid_until=valid_from - timedelta(days=1))
        WorkingHours.objects.bulk_create(new)
        next_open_times_refresh(clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now)
    return new


def _blocks_check(blocks: list[WorkingHours]) -> None:
    by_day: dict[int, list[WorkingHours]] = {}
    for block in blocks:
        if not 0 <= block.weekday <= 6:
            raise ValidationError(_("The weekday must be between 0 (Monday) and 6 (Sunday)."))
        if block.end_time <= block.start_time:
            raise ValidationError(_("A block of working hours must end after it starts."))
        if block.valid_until is not None and block.valid_until < block.valid_from:
            raise ValidationError(_("The end of validity must not be before its start."))
        by_day.setdefault(block.weekday, []).append(block)
    for day_blocks in by_day.values():
        day_blocks.sort(key=lambda b: b.start_time)
        for before, after in itertools.pairwise(day_blocks):
            if after.start_time < before.end_time:
                raise ValidationError(
                    _("Working hours %(a)s and %(b)s overlap on the same day.")
                    % {
                        "a": f"{before.start_time:%H:%M}-{before.end_time:%H:%M}",
                        "b": f"{after.start_time:%H:%M}-{after.end_time:%H:%M}",
                    }
                )


def _clinic_lock(clinic_id: int) -> None:
    """The booking lock of every practitioner of the clinic (in one sorted batch, like every other writer)."""
    if connection.vendor == "postgresql":
        practitioner_lock(*Practitioner.objects.filter(clinic_id=clinic_id).values_list("pk", flat=True))


def _range_check(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError(_("Times must carry a time zone."))
    if end <= start:
        raise ValidationError(_("The end must be after the start."))


def time_off_add(
    *,
    practitioner: Practitioner,
    start: datetime,
    end: datetime,
    now: datetime,
    reason: str = "",
    kind: str = TimeOffKind.TIME_OFF,
) -> TimeOff:
    """Make the practitioner unbookable from ``start`` to ``end`` (time off, or a blocked time)."""
    _range_check(start, end)
    with transaction.atomic():
        practitioner_lock(practitioner.pk)  # it removes open time: no booking may slip into it (LOCKING.md)
        time_off = TimeOff.objects.create(practitioner=practitioner, start=start, end=end, reason=reason, kind=kind)
        next_open_times_refresh(clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now)
    return time_off


def time_off_remove(*, time_off: TimeOff, now: datetime) -> None:
    with transaction.atomic():
        practitioner = time_off.practitioner
        time_off.delete()
        next_open_times_refresh(clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now)


def clinic_closure_add(
    *, clinic: Clinic, start_date: date, end_date: date, now: datetime, reason: str = ""
) -> ClinicClosure:
    """Close the whole clinic from ``start_date`` to ``end_date`` inclusive (its own zone)."""
    if end_date < start_date:
        raise ValidationError(_("The last day of a closure must not be before its first day."))
    with transaction.atomic():
        _clinic_lock(clinic.pk)  # a closure removes everyone's open time
        closure = ClinicClosure.objects.create(clinic=clinic, start_date=start_date, end_date=end_date, reason=reason)
        next_open_times_refresh(clinic_ids=[clinic.pk], now=now)
    return closure


def clinic_closure_remove(*, closure: ClinicClosure, now: datetime) -> None:
    with transaction.atomic():
        clinic_id = closure.clinic_id
        closure.delete()
        next_open_times_refresh(clinic_ids=[clinic_id], now=now)


def posted_opening_add(
    *, practitioner: Practitioner, start: datetime, end: datetime, now: datetime, posted_by: Any = None
) -> PostedOpening:
    """Post an extra opening ("Dr. Chen has 15:30 free today"): bookable even outside the weekly hours."""
    _range_check(start, end)
    if end <= now:
        raise ValidationError(_("An opening must not be in the past."))
    with transaction.atomic():
        opening = PostedOpening.objects.create(practitioner=practitioner, start=start, end=end, posted_by=posted_by)
        next_open_times_refresh(clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now)
    return opening


def posted_opening_remove(*, opening: PostedOpening, now: datetime) -> None:
    with transaction.atomic():
        practitioner = opening.practitioner
        practitioner_lock(practitioner.pk)  # it removes open time: no booking may slip into it (LOCKING.md)
        opening.delete()
        next_open_times_refresh(clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now)


_RULE_FIELDS = (
    "min_notice_minutes",
    "horizon_days",
    "step_minutes",
    "buffer_minutes",
    "same_day_allowed",
    "open_on_holidays",
)


def booking_rules_update(*, clinic: Clinic, now: datetime, **changes: Any) -> BookingRules:
    """Change some of the clinic's booking rules (the others keep their value or default)."""
    unknown = set(changes) - set(_RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown booking rule: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    with transaction.atomic():
        _clinic_lock(clinic.pk)  # longer notice or a shorter horizon removes open time
        rules, _created = BookingRules.objects.select_for_update().get_or_create(clinic=clinic)
        for name, value in changes.items():
            setattr(rules, name, value)
        rules.full_clean(exclude=["clinic"])
        rules.save()
        next_open_times_refresh(clinic_ids=[clinic.pk], now=now)
    return rules


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
