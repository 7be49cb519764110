"""The clinic's public replies to its reviews: written through quality's one service, and audited."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.access import DESK_ROLES
from portal.models import Membership
from quality.models import Review, ReviewReply
from quality.services import review_reply_save

from .actor import actor_check
from .audit import audit_record

SUMMARY_WRITTEN = gettext_noop("Replied to a %(rating)d-star review")
SUMMARY_EDITED = gettext_noop("Edited the reply to a %(rating)d-star review")


def review_reply_write(*, actor: Membership, review: Review, text: str, ip: str | None, now: datetime) -> ReviewReply:
    """Write or edit the clinic's one reply to ``review`` (owner and front desk); the review itself stays as it is."""
    actor_check(actor, clinic_id=review.clinic_id, roles=DESK_ROLES)
    with transaction.atomic():
        reply, created = review_reply_save(review=review, text=text, by=actor.user, now=now)
        audit_record(
            actor=actor,
            action="review.replied" if created else "review.reply_edited",
            obj=reply,
            summary=_(SUMMARY_WRITTEN if created else SUMMARY_EDITED) % {"rating": review.rating},
            changes={"review": review.pk, "length": len(reply.text)},
            ip=ip,
        )
    return reply
