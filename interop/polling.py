"""The worker side of feed import: poll each clinic's saved feed at most once a minute, honouring Cache-Control.

A subscription is claimed with one conditional UPDATE (its next poll moved ahead), so two workers never poll the
same feed at once; the import itself is ``interop.services.smart_import`` with the saved mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from interop.fetching import FeedUnavailable, fetch, fetch_with_max_age
from interop.ingest import feed_from_manifest, location_of, schedule_discipline
from interop.models import FeedSubscription
from interop.services import LocationUnchosen, MappingError, smart_import

MIN_INTERVAL = 60  # seconds: at most once a minute, whatever the feed's max-age says
MAX_INTERVAL = 3600
MAX_SKIPPED_KEPT = 200


def _claim(subscription: FeedSubscription, *, now: datetime) -> bool:
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    claimed = FeedSubscription.objects.filter(due, pk=subscription.pk).update(
        next_poll_at=now + timedelta(seconds=MIN_INTERVAL)
    )
    return claimed == 1


def feed_poll(
    subscription: FeedSubscription,
    *,
    now: datetime,
    reader: Callable[[str], tuple[bytes, int | None]] = fetch_with_max_age,
    file_reader: Callable[[str], bytes] = fetch,
) -> bool:
    """Poll one subscription if it is due (claiming it); whether it was polled. The outcome is saved on it."""
    if not _claim(subscription, now=now):
        return False
    interval = MIN_INTERVAL
    skipped: list[str] = []
    schedules: list[dict[str, str]] = list(subscription.last_schedules or [])
    kept: list[str] = []
    locations: list[dict[str, str]] = list(subscription.last_locations or [])
    try:
        body, age = reader(subscription.manifest_url)
        if age is not None:
            interval = min(max(age, MIN_INTERVAL), MAX_INTERVAL)
        feed = feed_from_manifest(body, manifest_url=subscription.manifest_url, reader=file_reader)
        schedules = [
            {"id": pk, "discipline": schedule_discipline(s) or "", "location": location_of(s) or ""}
            for pk, s in sorted(feed.schedules.items())
        ]
        locations = [{"id": pk, "name": str(loc.get("name", ""))[:200]} for pk, loc in sorted(feed.locations.items())]
        overrides = {str(k): int(v) for k, v in (subscription.schedule_map or {}).items()}
        report = smart_import(
            feed=feed,
            clinic=subscription.clinic,
            now=now,
            location_id=subscription.location_id or None,
            overrides=overrides,
        )
    except (FeedUnavailable, MappingError, ValueError, TypeError) as exc:
        # The portal's owner has no command line: tell them what to do on the page.
        why = exc.portal_message if isinstance(exc, LocationUnchosen) else str(exc)
        ok, message = False, _("%(why)s The clinic's openings are as they were.") % {"why": why}
    else:
        ok = True
        message = _(
            "Loaded %(loaded)s, unchanged %(unchanged)s, withdrawn %(withdrawn)s, kept because booked %(kept)s, "
            "skipped %(skipped)s."
        ) % {
            "loaded": report.loaded,
            "unchanged": report.unchanged,
            "withdrawn": report.withdrawn,
            "kept": len(report.kept_booked),
            "skipped": len(report.skipped),
        }
        skipped = [str(error) for error in report.skipped[:MAX_SKIPPED_KEPT]]
        kept = [f"{row.start.isoformat()} / {row.end.isoformat()} [{row.slot_id}]" for row in report.kept_booked]
    FeedSubscription.objects.filter(pk=subscription.pk).update(
        last_polled_at=now,
        last_ok=ok,
        last_message=message,
        last_skipped=skipped,
        last_schedules=schedules,
        last_locations=locations,
        last_kept_booked=kept,
        next_poll_at=now + timedelta(seconds=interval),
    )
    return True


def feeds_poll_due(*, now: datetime, limit: int = 50) -> int:
    """Poll every due subscription (up to ``limit``); how many were polled."""
    due = FeedSubscription.objects.filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
    polled = 0
    for subscription in due.select_related("clinic").order_by("next_poll_at", "pk")[:limit]:
        polled += feed_poll(subscription, now=now)
    return polled


def feed_poll_now(subscription: FeedSubscription, *, now: datetime) -> bool:
    """Poll at once (the portal's "fetch now"), still at most once a minute; whether it was polled."""
    recent = subscription.last_polled_at is not None and subscription.last_polled_at > now - timedelta(
        seconds=MIN_INTERVAL
    )
    if recent:
        return False
    FeedSubscription.objects.filter(pk=subscription.pk).update(next_poll_at=None)
    return feed_poll(subscription, now=now)
