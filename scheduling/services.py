"""Writes: schedules, time off, closures, posted openings and booking rules.

Each write is one short transaction: the practitioner's lock, the rows, nothing else. The precomputed next open
times (``scheduling.cache``) are refreshed once it commits, for the practitioners it changed (the whole clinic
for a closure or the rules), so the refresh never holds the lock a booking waits for (AVAILABILITY.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from clinics.models import Clinic, Practitioner
from painhero.bounds import stored_check
from scheduling.cache import next_open_times_refresh_after_commit
from scheduling.locking import practitioner_lock
from scheduling.models import (
    BookingRules,
    ClinicClosure,
    PostedOpening,
    TimeOff,
    TimeOffKind,
    WorkingHours,
)


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
        next_open_times_refresh_after_commit(
            clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now
        )
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
        next_open_times_refresh_after_commit(
            clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now
        )
    return time_off


def time_off_remove(*, time_off: TimeOff, now: datetime) -> None:
    with transaction.atomic():
        practitioner = time_off.practitioner
        time_off.delete()
        next_open_times_refresh_after_commit(
            clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now
        )


def clinic_closure_add(
    *, clinic: Clinic, start_date: date, end_date: date, now: datetime, reason: str = ""
) -> ClinicClosure:
    """Close the whole clinic from ``start_date`` to ``end_date`` inclusive (its own zone)."""
    if end_date < start_date:
        raise ValidationError(_("The last day of a closure must not be before its first day."))
    with transaction.atomic():
        _clinic_lock(clinic.pk)  # a closure removes everyone's open time
        closure = ClinicClosure.objects.create(clinic=clinic, start_date=start_date, end_date=end_date, reason=reason)
        next_open_times_refresh_after_commit(clinic_ids=[clinic.pk], now=now)
    return closure


def clinic_closure_remove(*, closure: ClinicClosure, now: datetime) -> None:
    with transaction.atomic():
        clinic_id = closure.clinic_id
        closure.delete()
        next_open_times_refresh_after_commit(clinic_ids=[clinic_id], now=now)


def posted_opening_add(
    *, practitioner: Practitioner, start: datetime, end: datetime, now: datetime, posted_by: Any = None
) -> PostedOpening:
    """Post an extra opening ("Dr. Chen has 15:30 free today"): bookable even outside the weekly hours."""
    _range_check(start, end)
    if end <= now:
        raise ValidationError(_("An opening must not be in the past."))
    with transaction.atomic():
        opening = PostedOpening.objects.create(practitioner=practitioner, start=start, end=end, posted_by=posted_by)
        next_open_times_refresh_after_commit(
            clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now
        )
    return opening


def posted_opening_remove(*, opening: PostedOpening, now: datetime) -> None:
    with transaction.atomic():
        practitioner = opening.practitioner
        practitioner_lock(practitioner.pk)  # it removes open time: no booking may slip into it (LOCKING.md)
        opening.delete()
        next_open_times_refresh_after_commit(
            clinic_ids=[practitioner.clinic_id], practitioner_ids=[practitioner.pk], now=now
        )


def posted_openings_change(
    *,
    add: Sequence[tuple[Practitioner, datetime, datetime]],
    remove: Sequence[PostedOpening],
    now: datetime,
) -> list[PostedOpening]:
    """Post and withdraw many openings at once (a feed import): one transaction, one refresh of the next open
    times for every practitioner touched, not one per opening. Checked as ``posted_opening_add`` checks each."""
    for _practitioner, start, end in add:
        _range_check(start, end)
        if end <= now:
            raise ValidationError(_("An opening must not be in the past."))
        stored_check(start, field="start")
        stored_check(end, field="end")
    touched = sorted({p.pk for p, _start, _end in add} | {o.practitioner_id for o in remove})
    if not touched:
        return []
    with transaction.atomic():
        removed = sorted({o.practitioner_id for o in remove})
        if removed:
            practitioner_lock(*removed)  # it removes open time: no booking may slip into it (LOCKING.md)
            PostedOpening.objects.filter(pk__in=[o.pk for o in remove]).delete()
        made = PostedOpening.objects.bulk_create(
            [PostedOpening(practitioner=p, start=start, end=end) for p, start, end in add]
        )
        clinic_ids = set(Practitioner.objects.filter(pk__in=touched).values_list("clinic_id", flat=True))
        next_open_times_refresh_after_commit(clinic_ids=clinic_ids, practitioner_ids=touched, now=now)
    return made


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
        next_open_times_refresh_after_commit(clinic_ids=[clinic.pk], now=now)
    return rules
