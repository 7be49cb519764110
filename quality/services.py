"""Inspections and the clinic's place in the network: every write of a score or a network status.

The clinic's ``inspection_score`` is written here only, by ``inspection_finish`` from the rubric's formula
(DESIGN.md invariant 11: trust is derived, never typed). Each move of ``network_status`` writes a
``ClinicStatusChange`` row in the same transaction; the database refuses an admission row without every
gate and the pass mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from booking.models import Appointment, AppointmentStatus
from clinics.models import Clinic, NetworkStatus
from notifications.outbox import outbox_put
from quality import moderation
from quality.computed import computed_points
from quality.errors import (
    EvidenceMissing,
    InspectionError,
    InspectionFinished,
    NotInspectorPoint,
    ReviewExists,
    ReviewInvalid,
    ReviewNotAllowed,
    ReviewReplyInvalid,
    StatusNotAllowed,
)
from quality.models import (
    ClinicRating,
    ClinicStatusChange,
    Inspection,
    InspectionPoint,
    InspectionStatus,
    Review,
    ReviewReply,
    ReviewStatus,
)
from quality.ratings import TWO_PLACES, adjusted_rating
from quality.rubric import PASS_MARK, POINTS, RUBRIC_VERSION, Score, score_derive

# Moves that only an inspection decides (they need its score and gates); staff move clinics out by hand.
INSPECTION_ONLY = {NetworkStatus.IN_NETWORK, NetworkStatus.PROBATION}


def inspection_start(*, clinic: Clinic, inspector: Any, now: datetime) -> Inspection:
    """Open a draft inspection of ``clinic`` under the current rubric, or give back the draft already open."""
    with transaction.atomic():
        Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
        draft = Inspection.objects.filter(clinic=clinic, status=InspectionStatus.DRAFT).first()
        if draft is not None:
            return draft
        inspection = Inspection.objects.create(
            clinic=clinic, rubric_version=RUBRIC_VERSION, inspector=inspector, started_at=now, pass_mark=PASS_MARK
        )
        InspectionPoint.objects.bulk_create(
            InspectionPoint(inspection=inspection, point_id=point_id, computed=point.computed)
            for point_id, point in POINTS.items()
        )
        _computed_refresh(inspection=inspection, now=now)
    return inspection


def point_record(
    *,
    inspection: Inspection,
    point_id: str,
    passed: bool | None,
    by: Any,
    now: datetime,
    evidence: str = "",
    link: str = "",
) -> InspectionPoint:
    """Record an inspector's decision on one point of a draft; a pass needs evidence (a note or a link)."""
    point = POINTS.get(point_id)
    if point is None:
        raise InspectionError(_("%(point)s is not a point of the rubric.") % {"point": point_id})
    if point.computed:
        raise NotInspectorPoint
    evidence, link = evidence.strip(), link.strip()
    if passed is True and not (evidence or link):
        raise EvidenceMissing
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status != InspectionStatus.DRAFT:
            raise InspectionFinished
        row = InspectionPoint.objects.get(inspection=locked, point_id=point_id)
        row.passed, row.evidence, row.link = passed, evidence[:2000], link[:500]
        row.recorded_by, row.recorded_at = by, now
        row.save(update_fields=["passed", "evidence", "link", "recorded_by", "recorded_at"])
    return row


def inspection_finish(*, inspection: Inspection, by: Any, now: datetime) -> Inspection:
    """Finish a draft: compute the computed points afresh, derive the score, store it on the inspection and
    the clinic, and move the clinic where the result takes it (with a history row), in one transaction."""
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().select_related("clinic").get(pk=inspection.pk)
        if locked.status != InspectionStatus.DRAFT:
            raise InspectionFinished
        clinic = Clinic.objects.select_for_update().get(pk=locked.clinic_id)
        _computed_refresh(inspection=locked, now=now)
        results = dict(locked.points.values_list("point_id", "passed"))
        score = score_derive(results)
        locked.status = InspectionStatus.FINISHED
        locked.finished_at = now
        locked.score, locked.gates_passed = score.value, score.gates_passed
        locked.outcome = _decide(current=clinic.network_status, score=score)
        locked.save(update_fields=["status", "finished_at", "score", "gates_passed", "outcome"])
        clinic.inspection_score = score.value
        _move(clinic=clinic, to_status=locked.outcome, by=by, now=now, reason="", inspection=locked)
        clinic.save(update_fields=["inspection_score", "network_status", "updated_at"])
    return locked


def clinic_status_move(*, clinic: Clinic, to_status: str, by: Any, now: datetime, reason: str) -> ClinicStatusChange:
    """Suspend or remove a clinic (or take an applicant's application back): staff moves out of the network.

    Admission and probation are never set by hand: they follow from a finished inspection.
    """
    if to_status in INSPECTION_ONLY:
        raise StatusNotAllowed
    if to_status not in NetworkStatus.values:
        raise InspectionError(_("%(status)s is not a network status.") % {"status": to_status})
    with transaction.atomic():
        locked = Clinic.objects.select_for_update().get(pk=clinic.pk)
        change = _move(clinic=locked, to_status=to_status, by=by, now=now, reason=reason.strip()[:300])
        locked.save(update_fields=["network_status", "updated_at"])
    return change


def _decide(*, current: str, score: Score) -> str:
    """Where an inspection's result takes a clinic: the lifecycle of issue 14 in one place."""
    if current == NetworkStatus.REMOVED:
        return current  # a removed clinic applies again as a new applicant
    if score.admissible:
        return NetworkStatus.IN_NETWORK
    if current in INSPECTION_ONLY:
        # Admitted or on probation and found short: probation while every gate holds, suspension otherwise.
        return NetworkStatus.PROBATION if score.gates_passed else NetworkStatus.SUSPENDED
    return current  # an applicant stays one; a suspended clinic stays suspended


def _move(
    *, clinic: Clinic, to_status: str, by: Any, now: datetime, reason: str, inspection: Inspection | None = None
) -> ClinicStatusChange:
    """Set (unsaved) the clinic's status and write its history row; tell booked patients of a suspension."""
    from_status = clinic.network_status
    try:
        with transaction.atomic():
            change = ClinicStatusChange.objects.create(
                clinic=clinic,
                from_status=from_status,
                to_status=to_status,
                at=now,
                by=by,
                reason=reason,
                inspection=inspection,
                score=inspection.score if inspection else None,
                pass_mark=inspection.pass_mark if inspection else None,
                gates_passed=inspection.gates_passed if inspection else None,
            )
    except IntegrityError:
        raise StatusNotAllowed from None
    clinic.network_status = to_status
    if to_status in (NetworkStatus.SUSPENDED, NetworkStatus.REMOVED) and from_status in INSPECTION_ONLY:
        upcoming = Appointment.objects.filter(clinic=clinic, status=AppointmentStatus.BOOKED, start__gt=now)
        for appointment_id in upcoming.values_list("pk", flat=True):
            # The appointment stands: the patient is told the clinic takes no more online bookings.
            outbox_put(kind="quality.clinic_left", payload={"appointment_id": appointment_id}, now=now)
    return change


def _computed_refresh(*, inspection: Inspection, now: datetime) -> None:
    """Write every computed point's result and the data it read (inside the caller's transaction)."""
    for point_id, computed in computed_points(clinic=inspection.clinic, now=now).items():
        InspectionPoint.objects.filter(inspection=inspection, point_id=point_id).update(
            passed=computed.passed, evidence=computed.evidence, recorded_by=None, recorded_at=now
        )


# --- verified reviews ------------------------------------------------------------------------------------------

# The sub-ratings by the names the API takes, and the field each is stored in.
SUBRATINGS = {
    "explained": "explained",
    "listened": "listened",
    "on_time": "on_time",
    "clean": "clean_and_accessible",
    "recommend": "recommend",
}


def review_create(
    *,
    appointment: Appointment,
    rating: int,
    now: datetime,
    subratings: Mapping[str, int] | None = None,
    text: str = "",
) -> Review:
    """The patient's one review of a completed visit; text with contact details, someone else's health or abuse
    is held (with the reason), never dropped. The clinic's stored rating is updated in the same transaction."""
    subratings = dict(subratings or {})
    unknown = set(subratings) - set(SUBRATINGS)
    if unknown:
        raise ReviewInvalid(
            _("subratings: use %(names)s (got %(got)s).")
            % {"names": ", ".join(SUBRATINGS), "got": ", ".join(sorted(unknown))}
        )
    for name, value in {"rating": rating, **{f"subratings.{k}": v for k, v in subratings.items()}}.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ReviewInvalid(_("%(name)s: give a whole number from 1 to 5.") % {"name": name})
    text = text.strip()
    reason = moderation.hold_reason(text) if text else ""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != AppointmentStatus.COMPLETED:
            raise ReviewNotAllowed
        if Review.objects.filter(appointment=locked).exists():
            raise ReviewExists
        ClinicRating.objects.get_or_create(clinic_id=locked.clinic_id, defaults={"updated_at": now})
        ClinicRating.objects.select_for_update().filter(clinic_id=locked.clinic_id).first()  # one writer per clinic
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    appointment=locked,
                    clinic_id=locked.clinic_id,
                    rating=rating,
                    text=text[:4000],
                    status=ReviewStatus.HELD if reason else ReviewStatus.PUBLISHED,
                    held_reason=reason,
                    created_at=now,
                    **{SUBRATINGS[name]: value for name, value in subratings.items()},
                )
        except IntegrityError:
            raise ReviewExists from None  # a simultaneous second review: the one-per-visit constraint said no
        clinic_rating_refresh(clinic_id=locked.clinic_id, now=now)
    return review


def clinic_rating_refresh(*, clinic_id: int, now: datetime) -> ClinicRating:
    """Store the clinic's count, mean and adjusted rating of published reviews (call inside a transaction)."""
    figures = Review.objects.filter(clinic_id=clinic_id, status=ReviewStatus.PUBLISHED).aggregate(
        count=Count("pk"), mean=Avg("rating")
    )
    count = figures["count"] or 0
    mean = Decimal(str(figures["mean"])).quantize(TWO_PLACES, rounding=ROUND_HALF_UP) if count else None
    rating, _created = ClinicRating.objects.update_or_create(
        clinic_id=clinic_id,
        defaults={"count": count, "mean": mean, "adjusted": adjusted_rating(mean=mean, count=count), "updated_at": now},
    )
    return rating


def review_publish(*, review: Review, now: datetime) -> Review:
    """A moderator releases a held review: it is published and counts in the clinic's rating from now."""
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.status == ReviewStatus.HELD:
            locked.status, locked.held_reason = ReviewStatus.PUBLISHED, ""
            locked.save(update_fields=["status", "held_reason"])
            clinic_rating_refresh(clinic_id=locked.clinic_id, now=now)
    return locked


REPLY_MAX = 2000


def review_reply_save(*, review: Review, text: str, by: Any, now: datetime) -> tuple[ReviewReply, bool]:
    """The clinic's one public reply to ``review``, written or edited (``True``: written now). The review itself is
    never touched: a reply can answer it, not remove it. Call inside the transaction that audits it."""
    text = text.strip()
    if not text:
        raise ReviewReplyInvalid(_("reply: write the reply, or leave the page without saving."))
    if len(text) > REPLY_MAX:
        raise ReviewReplyInvalid(
            _("reply: at most %(max)d characters (this one has %(count)d).") % {"max": REPLY_MAX, "count": len(text)}
        )
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        reply = ReviewReply.objects.select_for_update().filter(review=locked).first()
        if reply is not None:
            reply.text, reply.written_by, reply.updated_at = text, by, now
            reply.save(update_fields=["text", "written_by", "updated_at"])
            return reply, False
        try:
            with transaction.atomic():
                reply = ReviewReply.objects.create(
                    review=locked, text=text, written_by=by, created_at=now, updated_at=now
                )
        except IntegrityError:
            # Two first replies at once: the one-per-review constraint kept one; this one becomes its edit.
            reply = ReviewReply.objects.select_for_update().get(review=locked)
            reply.text, reply.written_by, reply.updated_at = text, by, now
            reply.save(update_fields=["text", "written_by", "updated_at"])
            return reply, False
    return reply, True
