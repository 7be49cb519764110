"""Writes: a SMART Scheduling Links feed's free Slots become a clinic's posted openings.

The openings are made and removed through ``scheduling.services`` (its transaction, lock and refresh), so an
imported time is bookable exactly as a posted one is. One transaction for the whole import: it loads the
feed's times or changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.models import Appointment
from clinics.models import Clinic, Practitioner
from interop.ingest import Feed, FeedError, location_of, schedule_discipline
from interop.models import SOURCE_LENGTH, ImportedOpening
from scheduling.models import MAX_HORIZON_DAYS
from scheduling.services import posted_openings_change


class MappingError(Exception):
    """The feed cannot be mapped to the clinic without being told how (the message says what to give)."""


class LocationUnchosen(MappingError):
    """Which of the feed's Locations is the clinic must be said: ``str()`` tells the command line how
    (``--location``), ``portal_message`` tells the portal's owner (the Location select of the mapping form)."""

    def __init__(self, message: str, *, portal_message: str) -> None:
        super().__init__(message)
        self.portal_message = portal_message


@dataclass
class ImportReport:
    location_id: str = ""
    # Schedule id -> practitioner (None: not mapped, with the reason in ``unmapped``).
    mapped: dict[str, Practitioner] = field(default_factory=dict)
    unmapped: dict[str, str] = field(default_factory=dict)
    loaded: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    kept_booked: list[ImportedOpening] = field(default_factory=list)
    skipped: list[FeedError] = field(default_factory=list)
    busy_ignored: int = 0
    past_ignored: int = 0


def _location_pick(*, feed: Feed, clinic: Clinic, location_id: str | None) -> str:
    if location_id is not None:
        if location_id not in feed.locations:
            raise LocationUnchosen(
                _("The feed has no Location %(id)s.") % {"id": location_id},
                portal_message=_(
                    "The feed no longer has the Location %(id)s saved for this clinic: choose its Location "
                    "under “Your clinic in the feed”, save the mapping and fetch again."
                )
                % {"id": location_id},
            )
        return location_id
    if len(feed.locations) == 1:
        return next(iter(feed.locations))
    same_slug = [
        pk
        for pk, loc in feed.locations.items()
        if any(isinstance(i, dict) and i.get("value") == clinic.slug for i in loc.get("identifier") or ())
    ]
    if len(same_slug) == 1:
        return same_slug[0]
    if not feed.locations:
        raise MappingError(
            _("The feed has no valid Location: nothing can be mapped to %(clinic)s.") % {"clinic": clinic.slug}
        )
    count = len(feed.locations)
    values = {"count": count, "clinic": clinic.slug, "ids": ", ".join(sorted(feed.locations)[:20])}
    raise LocationUnchosen(
        ngettext(
            "The feed has %(count)s Location: say which one is %(clinic)s with --location (one of %(ids)s).",
            "The feed has %(count)s Locations: say which one is %(clinic)s with --location (one of %(ids)s).",
            count,
        )
        % values,
        portal_message=ngettext(
            "The feed has %(count)s Location and none is plainly this clinic: choose it under "
            "“Your clinic in the feed” below, save the mapping and fetch again.",
            "The feed has %(count)s Locations and none is plainly this clinic: choose which one it is under "
            "“Your clinic in the feed” below, save the mapping and fetch again.",
            count,
        )
        % values,
    )


def _least_booked(practitioners: list[Practitioner], *, now: datetime) -> Practitioner:
    """The practitioner with the fewest booked hours in the week from ``now`` (then the lowest id)."""
    booked = dict(
        Appointment.objects.taking_time()
        .filter(practitioner__in=practitioners, start__gte=now, start__lt=now + timedelta(days=7))
        .values("practitioner_id")
        .annotate(hours=Sum(ExpressionWrapper(F("end") - F("start"), output_field=DurationField())))
        .values_list("practitioner_id", "hours")
    )
    return min(practitioners, key=lambda p: (booked.get(p.pk) or timedelta(0), p.pk))


def feed_map(
    *,
    feed: Feed,
    clinic: Clinic,
    now: datetime,
    location_id: str | None = None,
    overrides: dict[str, int] | None = None,
) -> ImportReport:
    """Which feed Location is the clinic and which practitioner takes each of its Schedules.

    ``overrides`` (Schedule id -> practitioner id, a practitioner of the clinic) win; the others go to an
    active practitioner of the clinic whose discipline is the Schedule's serviceType, the least booked one.
    """
    report = ImportReport(location_id=_location_pick(feed=feed, clinic=clinic, location_id=location_id))
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(feed.schedules))
    if unknown:
        raise MappingError(_("The feed has no Schedule %(id)s.") % {"id": unknown[0]})
    staff = list(Practitioner.objects.filter(clinic=clinic, is_active=True).order_by("pk"))
    by_id = {p.pk: p for p in staff}
    for schedule_id, schedule in sorted(feed.schedules.items()):
        if location_of(schedule) != report.location_id:
            continue
        if schedule_id in overrides:
            chosen = by_id.get(overrides[schedule_id])
            if chosen is None:
                raise MappingError(
                    _("Practitioner %(id)s is not an active practitioner of %(clinic)s.")
                    % {"id": overrides[schedule_id], "clinic": clinic.slug}
                )
            report.mapped[schedule_id] = chosen
            continue
        discipline = schedule_discipline(schedule)
        if discipline is None:
            report.unmapped[schedule_id] = _("its serviceType is not physiotherapy, chiropractic or massage therapy")
            continue
        candidates = [p for p in staff if p.discipline == discipline]
        if not candidates:
            report.unmapped[schedule_id] = _("the clinic has no active practitioner of that discipline")
            continue
        report.mapped[schedule_id] = _least_booked(candidates, now=now)
    return report


def smart_import(
    *,
    feed: Feed,
    clinic: Clinic,
    now: datetime,
    location_id: str | None = None,
    overrides: dict[str, int] | None = None,
    dry_run: bool = False,
    progress: Callable[[list[Any]], Iterable[Any]] | None = None,
) -> ImportReport:
    """Make the clinic's imported openings those of the feed's free Slots (for the mapped Schedules).

    New times become posted openings; imported openings whose time left the feed are withdrawn, except where a
    patient booked that time (kept, and listed in ``kept_booked`` for the clinic to see). Running it twice with
    the same feed changes nothing. ``dry_run``: the same report, nothing written.
    """
    if len(feed.manifest_url) > SOURCE_LENGTH:
        raise MappingError(_("The manifest URL is longer than %(n)s characters.") % {"n": SOURCE_LENGTH})
    report = feed_map(feed=feed, clinic=clinic, now=now, location_id=location_id, overrides=overrides)
    report.skipped = list(feed.errors)
    wanted: dict[tuple[int, datetime, datetime], str] = {}
    for slot in feed.slots:
        practitioner = report.mapped.get(slot.schedule_id)
        if practitioner is None:
            continue
        if slot.status != "free":
            report.busy_ignored += 1
        elif slot.start <= now:
            report.past_ignored += 1
        elif slot.end > now + timedelta(days=MAX_HORIZON_DAYS):
            message = _("it ends more than %(days)s days ahead, past any booking horizon") % {"days": MAX_HORIZON_DAYS}
            report.skipped.append(FeedError(feed.manifest_url, 0, slot.id, message))
        else:
            wanted.setdefault((practitioner.pk, slot.start, slot.end), slot.id)
    people = {p.pk: p for p in report.mapped.values()}
    with transaction.atomic():
        existing = {
            (row.practitioner_id, row.start, row.end): row
            for row in ImportedOpening.objects.select_related("opening__practitioner").filter(
                clinic=clinic, source=feed.manifest_url
            )
        }
        steps = list(wanted.items())
        new: list[tuple[int, datetime, datetime, str]] = []
        for (pid, start, end), slot_id in progress(steps) if progress else steps:
            if (pid, start, end) in existing:
                report.unchanged += 1
            else:
                new.append((pid, start, end, slot_id))
        report.loaded = len(new)
        gone = _withdrawable(report, gone=[row for key, row in existing.items() if key not in wanted], now=now)
        if not dry_run:
            # One bulk write and one refresh of the next open times for the whole feed (not one per Slot).
            openings = posted_openings_change(
                add=[(people[pid], start, end) for pid, start, end, _slot in new],
                remove=[row.opening for row in gone],
                now=now,
            )
            ImportedOpening.objects.bulk_create(
                ImportedOpening(
                    clinic=clinic,
                    source=feed.manifest_url,
                    practitioner_id=pid,
                    opening=opening,
                    start=start,
                    end=end,
                    slot_id=slot_id,
                )
                for (pid, start, end, slot_id), opening in zip(new, openings, strict=True)
            )
        else:
            transaction.set_rollback(True)
    return report


def _withdrawable(report: ImportReport, *, gone: list[ImportedOpening], now: datetime) -> list[ImportedOpening]:
    """The imported openings that left the feed and may go; a booked one stays (listed in ``kept_booked``)."""
    booked_by: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if gone:
        rows = Appointment.objects.taking_time().filter(
            practitioner_id__in={row.practitioner_id for row in gone}, end__gt=now
        )
        for pid, start, end in rows.values_list("practitioner_id", "start", "end"):
            booked_by[pid].append((start, end))
    withdrawn = []
    for row in gone:
        if row.end <= now:
            continue  # a time gone by: nothing to withdraw
        if any(start < row.end and end > row.start for start, end in booked_by[row.practitioner_id]):
            report.kept_booked.append(row)  # a booked time never disappears with a feed
            continue
        withdrawn.append(row)
    report.withdrawn = len(withdrawn)
    return withdrawn  # their ImportedOpening rows go with the openings
