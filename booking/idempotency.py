"""One appointment per Idempotency-Key (API) or form token (web), however often a request is sent.

A key is claimed in a transaction of its own before the booking starts, so a second
request with the same key sees the claim at once: with no appointment on it yet, the
first is still in flight (409); with one, it is answered with that appointment.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from booking.errors import IdempotencyInFlight, IdempotencyMismatch
from booking.models import Appointment, IdempotencyKey

# A claim this old without an appointment belongs to a request that died; a retry may take it over.
ABANDONED_AFTER = timedelta(minutes=2)


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


@dataclass
class Claim:
    row: IdempotencyKey
    appointment: Appointment | None  # set when this is a replay of a finished request


def idempotency_claim(*, key: str, scope: str, body_hash: str, now: datetime) -> Claim:
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(key=key, scope=scope, request_hash=body_hash, created_at=now)
        return Claim(row=row, appointment=None)
    except IntegrityError:
        row = IdempotencyKey.objects.select_related("appointment").get(key=key, scope=scope)
    if row.request_hash != body_hash:
        raise IdempotencyMismatch
    if row.appointment_id is not None:
        return Claim(row=row, appointment=row.appointment)
    if row.created_at < now - ABANDONED_AFTER:
        # One conditional UPDATE: of two retries of a dead request, only one takes it over.
        taken = IdempotencyKey.objects.filter(pk=row.pk, appointment=None, created_at=row.created_at).update(
            created_at=now
        )
        if taken:
            return Claim(row=row, appointment=None)
    raise IdempotencyInFlight


def idempotency_complete(*, claim: Claim, appointment: Appointment) -> None:
    """Record the result; call inside the booking's transaction so both commit or neither."""
    IdempotencyKey.objects.filter(pk=claim.row.pk).update(appointment=appointment)


def idempotency_release(*, claim: Claim) -> None:
    """Forget a claim whose booking failed, so that a retry with the same key is tried afresh."""
    IdempotencyKey.objects.filter(pk=claim.row.pk, appointment=None).delete()
