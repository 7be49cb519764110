"""Liveness and readiness, for a load balancer, an orchestrator or a person with curl.

- ``/healthz`` (liveness): this process answers. It reads nothing, so a database outage never makes a
  supervisor restart web processes that are fine.
- ``/readyz`` (readiness): this site can serve people. JSON that lists each check; 200 when all pass,
  503 (with Retry-After) when one fails:
  ``database`` (a ``SELECT 1`` answers), ``migrations`` (none left to apply), ``worker`` (a background
  worker beat its heartbeat within the last minute; see notifications/worker.py).

Nothing here names a host, a user or an error text: the reasons are fixed words, safe to show anyone.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from painhero.outage import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)

# Once every migration is applied, it stays so for the life of this process (new code means a restart).
_migrations_applied = False


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _check_database() -> dict[str, Any]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _check_migrations() -> dict[str, Any]:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return {"ok": False, "reason": "unapplied migrations", "unapplied": len(pending)}
        _migrations_applied = True
    return {"ok": True}


def _check_worker() -> dict[str, Any]:
    from notifications.worker import STALE_AFTER, worker_alive

    beat_at = worker_alive(now=timezone.now())
    if beat_at is None:
        return {"ok": False, "reason": f"no worker heartbeat in the last {int(STALE_AFTER.total_seconds())} seconds"}
    return {"ok": True, "last_beat": beat_at.isoformat()}


def readiness() -> dict[str, dict[str, Any]]:
    """Each check's result; a check that cannot reach the database fails, and those after it are skipped."""
    checks: dict[str, dict[str, Any]] = {}
    for name, check in (("database", _check_database), ("migrations", _check_migrations), ("worker", _check_worker)):
        if checks and not checks["database"]["ok"]:
            checks[name] = {"ok": False, "reason": "database unavailable"}
            continue
        try:
            checks[name] = check()
        except DatabaseError as exc:
            logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
            checks[name] = {"ok": False, "reason": "database unavailable"}
    return checks


@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    ready = all(check["ok"] for check in checks.values())
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
