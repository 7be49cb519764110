"""The clinic's public profile from the portal (owner only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clinics.models import Clinic, Insurer, Language
from clinics.services import clinic_profile_update
from portal.access import OWNER_ONLY
from portal.models import Membership
from scheduling.cache import next_open_times_refresh_after_commit

from .actor import actor_check
from .audit import audit_record, changes_json


def clinic_profile_save(
    *,
    actor: Membership,
    clinic: Clinic,
    opening_hours: Sequence[tuple[int, time, time]],
    languages: Iterable[Language],
    insurers: Iterable[Insurer],
    fields: dict[str, Any],
    ip: str | None,
    now: datetime,
) -> dict[str, tuple[Any, Any]]:
    """Save the profile; the posted hours bound open times, so search's next open times follow once it commits."""
    actor_check(actor, clinic_id=clinic.pk, roles=OWNER_ONLY)
    with transaction.atomic():
        diff = clinic_profile_update(
            clinic=clinic, now=now, opening_hours=opening_hours, languages=languages, insurers=insurers, **fields
        )
        if "opening_hours" in diff:
            next_open_times_refresh_after_commit(clinic_ids=[clinic.pk], now=now)
        audit_record(
            actor=actor,
            action="clinic.profile_update",
            obj=clinic,
            summary=_("Clinic profile saved."),
            changes=changes_json(diff),
            ip=ip,
        )
    return diff
