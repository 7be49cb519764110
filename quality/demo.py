"""Finished inspections for the demo network, so every score shown is derived from 50 points (never typed).

Called by ``manage.py demo`` after the network is generated. For each clinic the network generator made:
an admitted clinic gets an inspection whose points derive a score near the one it was drawn (and about one in
25 is put on probation, below the pass mark with every gate passed); a suspended clinic gets one with a failed
gate; applicants stay uninspected. The clinic's ``inspection_score`` is then replaced by the derived score.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from clinics.models import Clinic, NetworkStatus
from quality.computed import COMPUTERS
from quality.models import ClinicStatusChange, Inspection, InspectionPoint, InspectionStatus
from quality.rubric import GATES, PASS_MARK, POINTS, RUBRIC_VERSION, score_derive

INSPECTOR_EMAIL = "inspections@painhero.example"
BATCH = 500
# Computed points whose data the platform does not hold yet (reviews, complaints, outcomes): unassessed.
_NO_DATA = frozenset(
    pid
    for pid, p in POINTS.items()
    if p.computed and (pid not in COMPUTERS or pid.startswith(("reviews-", "ratings-")))  # the demo writes no reviews
)
_FAILABLE = tuple(pid for pid in POINTS if pid not in _NO_DATA and pid not in GATES)


def _results(rng: random.Random, *, target: int, failed_gate: bool) -> dict[str, bool | None]:
    """Point results whose derived score is the highest at or below ``target`` that random failures reach."""
    results: dict[str, bool | None] = {pid: (None if pid in _NO_DATA else True) for pid in POINTS}
    order = list(_FAILABLE)
    rng.shuffle(order)
    for pid in order:
        if score_derive(results).value <= target:
            break
        results[pid] = False
    if failed_gate:
        results[rng.choice(GATES)] = False
    return results


def inspections_generate(*, seed: int, now: datetime) -> int:
    """Inspect the demo network (see the module's docstring); returns how many inspections were written."""
    rng = random.Random(seed * 7919 + 14)  # noqa: S311  (demo data, not security)
    inspector, _created = get_user_model().objects.get_or_create(
        username=INSPECTOR_EMAIL, defaults={"email": INSPECTOR_EMAIL, "is_staff": True}
    )
    if _created:
        inspector.set_unusable_password()  # a name on the demo's inspections, not an account to sign in with
        inspector.save(update_fields=["password"])
    clinics = list(
        Clinic.objects.filter(network_status__in=[NetworkStatus.IN_NETWORK, NetworkStatus.SUSPENDED])
        .order_by("pk")
        .only("pk", "network_status", "inspection_score")
    )
    count = 0
    for start in range(0, len(clinics), BATCH):
        with transaction.atomic():
            count += _batch(rng, clinics[start : start + BATCH], inspector=inspector, now=now)
    return count


def _batch(rng: random.Random, clinics: list[Clinic], *, inspector: Any, now: datetime) -> int:
    inspections: list[Inspection] = []
    plans: list[tuple[Clinic, dict[str, bool | None], str, datetime]] = []
    for clinic in clinics:
        status = clinic.network_status
        if status == NetworkStatus.IN_NETWORK and rng.random() < 0.04:
            status = NetworkStatus.PROBATION
        if status == NetworkStatus.IN_NETWORK:
            results = _results(rng, target=max(PASS_MARK, clinic.inspection_score or 85), failed_gate=False)
        elif status == NetworkStatus.PROBATION:
            results = _results(rng, target=rng.randint(55, PASS_MARK - 1), failed_gate=False)
        else:
            results = _results(rng, target=rng.randint(45, 90), failed_gate=True)
        score = score_derive(results)
        if status == NetworkStatus.IN_NETWORK and not score.admissible:  # the failures overshot: keep it honest
            status = NetworkStatus.PROBATION
        finished = now - timedelta(days=rng.randint(5, 330), hours=rng.randint(0, 8))
        inspections.append(
            Inspection(
                clinic=clinic,
                rubric_version=RUBRIC_VERSION,
                inspector=inspector,
                status=InspectionStatus.FINISHED,
                started_at=finished - timedelta(days=rng.randint(1, 14)),
                finished_at=finished,
                score=score.value,
                pass_mark=PASS_MARK,
                gates_passed=score.gates_passed,
                outcome=status,
            )
        )
        clinic.inspection_score, clinic.network_status = score.value, status
        plans.append((clinic, results, status, finished))
    Inspection.objects.bulk_create(inspections)
    points: list[InspectionPoint] = []
    changes: list[ClinicStatusChange] = []
    for inspection, (clinic, results, status, finished) in zip(inspections, plans, strict=True):
        for pid, passed in results.items():
            computed = POINTS[pid].computed
            evidence = "Demo: no data yet." if passed is None else ("Demo data." if computed else "Demo: seen on site.")
            points.append(
                InspectionPoint(
                    inspection=inspection,
                    point_id=pid,
                    passed=passed,
                    evidence=evidence,
                    computed=computed,
                    recorded_by=None if computed else inspection.inspector,
                    recorded_at=finished,
                )
            )
        changes.append(
            ClinicStatusChange(
                clinic=clinic,
                from_status=NetworkStatus.APPLICANT if status == NetworkStatus.IN_NETWORK else NetworkStatus.IN_NETWORK,
                to_status=status,
                at=finished,
                by=inspection.inspector,
                reason="" if status == NetworkStatus.IN_NETWORK else "Demo re-inspection",
                inspection=inspection,
                score=inspection.score,
                pass_mark=inspection.pass_mark,
                gates_passed=inspection.gates_passed,
            )
        )
    InspectionPoint.objects.bulk_create(points, batch_size=2000)
    ClinicStatusChange.objects.bulk_create(changes)
    Clinic.objects.bulk_update(clinics, ["inspection_score", "network_status"], batch_size=BATCH)
    return len(inspections)
