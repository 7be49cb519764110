"""The audit trail's one writer: who changed what in a clinic, written inside the change's transaction."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db import models, transaction

from portal.models import AuditEntry, Membership


def audit_record(
    *,
    actor: Membership,
    action: str,
    obj: models.Model | None = None,
    summary: str,
    changes: dict[str, Any] | None = None,
    ip: str | None,
) -> AuditEntry:
    """Record a change inside the transaction that makes it (refused outside one). No health information."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must run inside the transaction of the change it records.")
    return AuditEntry.objects.create(
        clinic_id=actor.clinic_id,
        user_id=actor.user_id,
        action=action,
        object_type=obj._meta.model_name or "" if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        summary=summary[:300],
        changes=changes or {},
        ip=ip,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def changes_json(diff: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """A service's {field: (old, new)} as JSON for the audit log."""
    return {name: {"old": _plain(old), "new": _plain(new)} for name, (old, new) in diff.items()}
