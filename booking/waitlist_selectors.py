"""What a clinic sees of its waitlist (the portal's waitlist page): who waits, the offers standing, the times it
filled. Names and what they wait for only: no contact details, and the waitlist holds no health information."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from booking.models import OfferStatus, WaitlistEntry, WaitlistOffer, WaitlistStatus

FILLED_RECENT = 10
FILLED_PERIOD = timedelta(days=30)


@dataclass(frozen=True)
class WaitlistOverview:
    waiting: QuerySet[WaitlistEntry]
    standing: QuerySet[WaitlistOffer]
    filled_recent: QuerySet[WaitlistOffer]
    filled_count: int  # in the last ``FILLED_PERIOD``
    filled_moves: int  # of which "move me earlier" (an appointment moved up, its old time freed in turn)


def waitlist_overview(*, clinic_id: int, now: datetime) -> WaitlistOverview:
    """The clinic's own waitlist (entries for it, offers of its practitioners' times): a handful of queries."""
    waiting = (
        WaitlistEntry.objects.filter(
            clinic_id=clinic_id, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED], before__gte=now.date()
        )
        .select_related("service", "practitioner", "appointment")
        .order_by("created_at", "pk")
    )
    offers = WaitlistOffer.objects.filter(practitioner__clinic_id=clinic_id).select_related(
        "entry", "practitioner", "service"
    )
    standing = offers.filter(status=OfferStatus.OPEN, expires_at__gt=now).order_by("start")
    taken = offers.filter(status=OfferStatus.TAKEN)
    recent = taken.filter(created_at__gte=now - FILLED_PERIOD)
    return WaitlistOverview(
        waiting=waiting,
        standing=standing,
        filled_recent=taken.order_by("-created_at", "-pk")[:FILLED_RECENT],
        filled_count=recent.count(),
        filled_moves=recent.filter(entry__appointment__isnull=False).count(),
    )
