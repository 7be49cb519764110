"""Who may act on what: the services' own tenant wall, behind the views' ``access_*`` helpers."""

from __future__ import annotations

from collections.abc import Collection

from django.http import Http404

from portal.models import Membership, Role


class NotYours(Http404):
    """An object of another clinic (or another practitioner's, for a practitioner): 404 if it ever reaches a view."""


def actor_check(
    actor: Membership,
    *,
    clinic_id: int,
    practitioner_ids: Collection[int] | None = None,
    roles: Collection[str] | None = None,
) -> None:
    """Refuse unless ``actor`` is staff of ``clinic_id`` in one of ``roles``; a practitioner acts only on themselves.

    ``practitioner_ids`` are the practitioners the change touches; None means the whole clinic, which a
    practitioner-role member never changes.
    """
    if actor.clinic_id != clinic_id or (roles is not None and actor.role not in roles):
        raise NotYours
    if actor.role == Role.PRACTITIONER and (
        practitioner_ids is None or any(pk != actor.practitioner_id for pk in practitioner_ids)
    ):
        raise NotYours
