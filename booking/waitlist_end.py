"""A "move me earlier" entry ends when its appointment is cancelled or moved by other means.

Called by the booking services inside the cancelling or moving transaction (under the practitioner's lock), so an
offer standing for the entry cannot be taken afterwards: it lapses here, its hold goes, and the caller tells the
waitlist the held time is free again (the next patient waiting gets it).
"""

from __future__ import annotations

from datetime import datetime

from booking.models import Hold, OfferStatus, WaitlistEntry, WaitlistOffer, WaitlistStatus

ACTIVE = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


def move_earlier_end(*, appointment_id: int, now: datetime) -> list[WaitlistOffer]:
    """End the appointment's standing "move me earlier" entry; the offers that lapsed with it (their times freed)."""
    entries = list(
        WaitlistEntry.objects.filter(appointment_id=appointment_id, status__in=ACTIVE).values_list("pk", flat=True)
    )
    if not entries:
        return []
    WaitlistEntry.objects.filter(pk__in=entries).update(status=WaitlistStatus.ENDED, updated_at=now)
    offers = list(WaitlistOffer.objects.filter(entry_id__in=entries, status=OfferStatus.OPEN))
    WaitlistOffer.objects.filter(pk__in=[offer.pk for offer in offers]).update(status=OfferStatus.LAPSED)
    Hold.objects.filter(pk__in=[offer.hold_id for offer in offers if offer.hold_id is not None]).delete()
    return offers
