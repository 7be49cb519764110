"""The clinic's catalogue from the portal: practitioners and services added, changed and retired (history kept)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clinics import services as clinic_services
from clinics.models import Language, Practitioner, Service, Technique
from portal.access import DESK_ROLES
from portal.models import Membership

from .actor import actor_check
from .audit import audit_record, changes_json

RETIRED = {"is_active": {"old": True, "new": False}}


def practitioner_add(
    *,
    actor: Membership,
    techniques: Iterable[Technique],
    languages: Iterable[Language],
    services: Iterable[Service],
    fields: dict[str, Any],
    ip: str | None,
    now: datetime,
) -> Practitioner:
    actor_check(actor, clinic_id=actor.clinic_id, roles=DESK_ROLES)
    services = list(services)
    with transaction.atomic():
        person = clinic_services.practitioner_create(
            clinic=actor.clinic, now=now, techniques=techniques, languages=languages, services=services, **fields
        )
        audit_record(
            actor=actor,
            action="practitioner.create",
            obj=person,
            summary=_("Practitioner %(name)s added.") % {"name": person.full_name},
            changes={"services": [s.pk for s in services]},
            ip=ip,
        )
    return person


def practitioner_change(
    *,
    actor: Membership,
    practitioner: Practitioner,
    techniques: Iterable[Technique],
    languages: Iterable[Language],
    services: Iterable[Service],
    fields: dict[str, Any],
    ip: str | None,
    now: datetime,
) -> Practitioner:
    actor_check(actor, clinic_id=practitioner.clinic_id, roles=DESK_ROLES)
    with transaction.atomic():
        diff = clinic_services.practitioner_update(
            practitioner=practitioner, now=now, techniques=techniques, languages=languages, services=services, **fields
        )
        audit_record(
            actor=actor,
            action="practitioner.update",
            obj=practitioner,
            summary=_("Practitioner %(name)s changed.") % {"name": practitioner.full_name},
            changes=changes_json(diff),
            ip=ip,
        )
    return practitioner


def practitioner_retire(*, actor: Membership, practitioner: Practitioner, ip: str | None, now: datetime) -> None:
    """Patients no longer see them; booked visits and history stay."""
    actor_check(actor, clinic_id=practitioner.clinic_id, roles=DESK_ROLES)
    with transaction.atomic():
        clinic_services.practitioner_retire(practitioner=practitioner, now=now)
        audit_record(
            actor=actor,
            action="practitioner.retire",
            obj=practitioner,
            summary=_("Practitioner %(name)s retired.") % {"name": practitioner.full_name},
            changes=RETIRED,
            ip=ip,
        )


def service_add(
    *,
    actor: Membership,
    practitioners: Iterable[Practitioner],
    fields: dict[str, Any],
    ip: str | None,
    now: datetime,
) -> Service:
    actor_check(actor, clinic_id=actor.clinic_id, roles=DESK_ROLES)
    practitioners = list(practitioners)
    with transaction.atomic():
        service = clinic_services.service_create(clinic=actor.clinic, now=now, practitioners=practitioners, **fields)
        audit_record(
            actor=actor,
            action="service.create",
            obj=service,
            summary=_("Service %(name)s saved.") % {"name": service.name},
            changes={"practitioners": [p.pk for p in practitioners]},
            ip=ip,
        )
    return service


def service_change(
    *,
    actor: Membership,
    service: Service,
    practitioners: Iterable[Practitioner],
    fields: dict[str, Any],
    ip: str | None,
    now: datetime,
) -> Service:
    actor_check(actor, clinic_id=service.clinic_id, roles=DESK_ROLES)
    with transaction.atomic():
        diff = clinic_services.service_update(service=service, now=now, practitioners=practitioners, **fields)
        audit_record(
            actor=actor,
            action="service.update",
            obj=service,
            summary=_("Service %(name)s saved.") % {"name": service.name},
            changes=changes_json(diff),
            ip=ip,
        )
    return service


def service_retire(*, actor: Membership, service: Service, ip: str | None, now: datetime) -> None:
    """Patients can no longer book it; booked visits stay."""
    actor_check(actor, clinic_id=service.clinic_id, roles=DESK_ROLES)
    with transaction.atomic():
        clinic_services.service_retire(service=service, now=now)
        audit_record(
            actor=actor,
            action="service.retire",
            obj=service,
            summary=_("Service %(name)s retired.") % {"name": service.name},
            changes=RETIRED,
            ip=ip,
        )
