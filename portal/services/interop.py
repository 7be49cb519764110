"""The clinic's own scheduling software: its SMART Scheduling Links feed and mapping, and FHIR API tokens (owner)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from clinics.models import Practitioner
from interop import tokens
from interop.models import ApiToken, FeedSubscription
from portal.access import OWNER_ONLY
from portal.models import Membership

from .actor import NotYours, actor_check
from .audit import audit_record


def feed_url_set(*, actor: Membership, manifest_url: str, ip: str | None, now: datetime) -> FeedSubscription:
    """Save the address of the clinic's $bulk-publish manifest (a new address forgets the old mapping)."""
    actor_check(actor, clinic_id=actor.clinic_id, roles=OWNER_ONLY)
    with transaction.atomic():
        subscription, created = FeedSubscription.objects.select_for_update().get_or_create(
            clinic_id=actor.clinic_id, defaults={"manifest_url": manifest_url}
        )
        if not created and subscription.manifest_url != manifest_url:
            subscription.manifest_url = manifest_url
            subscription.location_id = ""
            subscription.schedule_map = {}
            subscription.last_schedules = []
            subscription.last_locations = []
            subscription.next_poll_at = None
            subscription.save()
        audit_record(actor=actor, action="feed.url_set", obj=subscription, summary=_("Set the feed address"), ip=ip)
    return subscription


def feed_mapping_set(
    *, actor: Membership, location_id: str, schedule_map: dict[str, int], ip: str | None, now: datetime
) -> FeedSubscription:
    """Which of the feed's Locations is the clinic ("" for: the one that plainly is) and which practitioner takes
    each of its Schedules (the caller's form checks both against the last fetch and the clinic's practitioners;
    the practitioners are checked again here, and the next poll checks the Location against the feed)."""
    actor_check(actor, clinic_id=actor.clinic_id, roles=OWNER_ONLY)
    staff = set(Practitioner.objects.filter(clinic_id=actor.clinic_id, is_active=True).values_list("pk", flat=True))
    if not set(schedule_map.values()) <= staff:
        raise NotYours
    with transaction.atomic():
        subscription = FeedSubscription.objects.select_for_update().get(clinic_id=actor.clinic_id)
        subscription.location_id = location_id
        subscription.schedule_map = {str(k): int(v) for k, v in schedule_map.items()}
        subscription.next_poll_at = None  # the next poll applies it
        subscription.save(update_fields=["location_id", "schedule_map", "next_poll_at"])
        audit_record(
            actor=actor,
            action="feed.mapped",
            obj=subscription,
            summary=_("Mapped the feed's schedules"),
            changes={"location_id": location_id, "schedule_map": subscription.schedule_map},
            ip=ip,
        )
    return subscription


def api_token_create(*, actor: Membership, name: str, ip: str | None, now: datetime) -> tuple[ApiToken, str]:
    actor_check(actor, clinic_id=actor.clinic_id, roles=OWNER_ONLY)
    with transaction.atomic():
        token, raw = tokens.api_token_create(clinic=actor.clinic, name=name, now=now)
        audit_record(
            actor=actor, action="api_token.created", obj=token, summary=_("API token %(n)s") % {"n": name}, ip=ip
        )
    return token, raw


def api_token_revoke(*, actor: Membership, token: ApiToken, ip: str | None, now: datetime) -> None:
    actor_check(actor, clinic_id=token.clinic_id, roles=OWNER_ONLY)
    if token.clinic_id != actor.clinic_id:
        raise NotYours
    with transaction.atomic():
        tokens.api_token_revoke(token=token, now=now)
        audit_record(
            actor=actor,
            action="api_token.revoked",
            obj=token,
            summary=_("Revoked API token %(n)s") % {"n": token.name},
            ip=ip,
        )
