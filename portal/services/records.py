"""Records that leave the portal and the clinic's staff: exports, calendar feed addresses, invitations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from clinics.models import Practitioner
from portal import auth_services
from portal.access import ALL_ROLES, DESK_ROLES, OWNER_ONLY
from portal.models import CalendarFeed, Invitation, Membership

from .actor import actor_check
from .audit import audit_record


def appointments_export_record(*, actor: Membership, start: date, end: date, ip: str | None, now: datetime) -> None:
    """Record that the member took the clinic's appointments from ``start`` to ``end`` out of the portal."""
    actor_check(actor, clinic_id=actor.clinic_id, roles=DESK_ROLES)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="appointments.exported",
            summary=_("Exported appointments %(start)s to %(end)s") % {"start": start, "end": end},
            ip=ip,
        )


def calendar_feed_reissue(
    *, actor: Membership, practitioner: Practitioner, ip: str | None, now: datetime
) -> CalendarFeed:
    """A new secret address for the practitioner's feed; the old one stops working at once."""
    actor_check(actor, clinic_id=practitioner.clinic_id, practitioner_ids=[practitioner.pk], roles=ALL_ROLES)
    with transaction.atomic():
        feed = auth_services.calendar_feed_reissue(practitioner=practitioner)
        audit_record(
            actor=actor,
            action="calendar_feed.reissued",
            obj=practitioner,
            summary=_("New calendar feed address for %(name)s") % {"name": practitioner.full_name},
            ip=ip,
        )
    return feed


def staff_invite(
    *,
    actor: Membership,
    email: str,
    role: str,
    practitioner: Practitioner | None,
    accept_url_for: Callable[[Invitation], str],
    ip: str | None,
    now: datetime,
) -> Invitation:
    """Invite someone to the clinic's staff (owner only); the email goes out with the link."""
    actor_check(actor, clinic_id=actor.clinic_id, roles=OWNER_ONLY)
    if practitioner is not None:
        actor_check(actor, clinic_id=practitioner.clinic_id, roles=OWNER_ONLY)
    with transaction.atomic():
        invitation = auth_services.invitation_create(
            clinic=actor.clinic,
            email=email,
            role=role,
            practitioner=practitioner,
            invited_by=actor.user,
            now=now,
            accept_url_for=accept_url_for,
        )
        audit_record(
            actor=actor,
            action="staff.invited",
            obj=invitation,
            summary=_("Invited %(email)s as %(role)s") % {"email": invitation.email, "role": invitation.role},
            ip=ip,
        )
    return invitation
