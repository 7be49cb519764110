"""Staff API tokens: made (the secret returned once), revoked, and checked on each API request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import transaction

from clinics.models import Clinic
from interop.models import ApiToken

PREFIX = "phk_"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, clinic: Clinic, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``clinic``; (its row, the secret), which is never stored nor shown again."""
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(clinic=clinic, name=name[:100], token_hash=token_hash(raw), created_at=now)
    return token, raw


def api_token_revoke(*, token: ApiToken, now: datetime) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)


def api_token_check(raw: str) -> ApiToken | None:
    """The live token with this secret, or None. A read only: the API's GETs change nothing (no "last used")."""
    if not raw or len(raw) > 200:
        return None
    return ApiToken.objects.filter(token_hash=token_hash(raw), revoked_at__isnull=True).first()
