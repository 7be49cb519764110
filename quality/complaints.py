"""Complaints: a patient files one about a visit, the clinic acknowledges and answers it, network staff triage it.

Every write is here, in a transaction, with the messages it causes put in the outbox in the same transaction:
the clinic is told a complaint is waiting (never what it says: the email carries no health information), the
patient gets a receipt and, later, the clinic's answer. The deadlines are fixed when the complaint is filed:

- acknowledgement by the end of the second business day after the filing day, in the clinic's zone, weekends
  and the province's statutory holidays (the ``holidays`` package, as the open times use it) not counted;
- resolution within 30 days.

A complaint network staff find substantiated counts in the inspection; two of them in 12 months put the clinic in
the re-inspection queue early (``clinics_due_early``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.models import Appointment
from clinics.models import Clinic
from notifications.outbox import outbox_put
from quality.errors import InspectionError
from quality.models import Complaint, ComplaintTopic
from scheduling.engine import statutory_holidays

ACKNOWLEDGE_BUSINESS_DAYS = 2
RESOLVE_WITHIN = timedelta(days=30)
FILE_WITHIN = timedelta(days=365)  # a visit more than a year old is a matter for the college, not this form
SUBSTANTIATED_TRIGGER = 2  # substantiated complaints in 12 months that call for an early re-inspection
TRIGGER_WINDOW = timedelta(days=365)
TEXT_MAX = 4000


class ComplaintError(InspectionError):
    status = 422
    default_message = gettext_lazy("This complaint cannot be filed.")


class ComplaintTooEarly(ComplaintError):
    status = 403
    default_message = gettext_lazy("A complaint can be filed once the visit's time has passed.")


class ComplaintTooLate(ComplaintError):
    status = 403
    default_message = gettext_lazy(
        "This visit was more than 12 months ago: please write to the clinic's regulatory college instead."
    )


class ComplaintExists(ComplaintError):
    status = 409
    default_message = gettext_lazy("A complaint about this visit has already been filed: its page shows where it is.")


class ComplaintClosed(ComplaintError):
    status = 409
    default_message = gettext_lazy("This complaint is resolved: it can no longer be changed.")


def business_day_end(*, start: datetime, days: int, province: str, zone: ZoneInfo) -> datetime:
    """The end (local midnight) of the ``days``-th business day after ``start``'s local day."""
    day = start.astimezone(zone).date()
    off = set(statutory_holidays(province=province, first=day, last=day + timedelta(days=days * 3 + 14)))
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            counted += 1
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def complaint_deadlines(*, clinic: Clinic, now: datetime) -> tuple[datetime, datetime]:
    zone = ZoneInfo(clinic.time_zone)
    acknowledge_by = business_day_end(start=now, days=ACKNOWLEDGE_BUSINESS_DAYS, province=clinic.province, zone=zone)
    return acknowledge_by, now + RESOLVE_WITHIN


def complaint_file(*, appointment: Appointment, topic: str, text: str, now: datetime) -> Complaint:
    """File the patient's complaint about ``appointment``; the clinic is told and the patient gets a receipt."""
    text = text.strip()
    if topic not in ComplaintTopic.values:
        raise ComplaintError(_("topic: choose one of %(topics)s.") % {"topics": ", ".join(ComplaintTopic.values)})
    if not text:
        raise ComplaintError(_("text: say what happened, in your own words."))
    if len(text) > TEXT_MAX:
        raise ComplaintError(_("text: keep it under %(max)d characters.") % {"max": TEXT_MAX})
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().select_related("clinic").get(pk=appointment.pk)
        if locked.start > now:
            raise ComplaintTooEarly
        if locked.start < now - FILE_WITHIN:
            raise ComplaintTooLate
        if Complaint.objects.filter(appointment=locked).exists():
            raise ComplaintExists
        acknowledge_by, resolve_by = complaint_deadlines(clinic=locked.clinic, now=now)
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(
                    public_id=uuid.uuid4(),
                    appointment=locked,
                    clinic=locked.clinic,
                    topic=topic,
                    text=text,
                    filed_at=now,
                    acknowledge_by=acknowledge_by,
                    resolve_by=resolve_by,
                )
        except IntegrityError:
            raise ComplaintExists from None  # a second form sent at the same moment
        payload = {"complaint_id": complaint.pk}
        outbox_put(
            kind="quality.complaint_filed", payload=payload, now=now, dedupe_key=f"complaint-filed:{complaint.pk}"
        )
        outbox_put(
            kind="quality.complaint_received", payload=payload, now=now, dedupe_key=f"complaint-received:{complaint.pk}"
        )
    return complaint


def complaint_answer(*, complaint: Complaint, now: datetime, response: str = "", resolve: bool = False) -> Complaint:
    """The clinic acknowledges the complaint and, with an answer, may mark it resolved (the patient reads it)."""
    response = response.strip()
    if len(response) > TEXT_MAX:
        raise ComplaintError(_("answer: keep it under %(max)d characters.") % {"max": TEXT_MAX})
    if resolve and not response:
        raise ComplaintError(_("answer: write your answer to the patient before marking the complaint resolved."))
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.resolved_at is not None:
            raise ComplaintClosed
        fields = []
        if locked.acknowledged_at is None:
            locked.acknowledged_at = now
            fields.append("acknowledged_at")
        if response and response != locked.response:
            locked.response = response
            fields.append("response")
        if resolve:
            locked.resolved_at = now
            fields.append("resolved_at")
        if fields:
            locked.save(update_fields=fields)
        if resolve:
            outbox_put(
                kind="quality.complaint_answered",
                payload={"complaint_id": locked.pk},
                now=now,
                dedupe_key=f"complaint-answered:{locked.pk}",
            )
    return locked


def complaint_triage(*, complaint: Complaint, substantiated: bool, reason: str, by: Any, now: datetime) -> Complaint:
    """Network staff decide whether the complaint is substantiated, with the reason (changeable, always with one)."""
    reason = reason.strip()
    if not reason:
        raise ComplaintError(_("reason: say why the complaint is or is not substantiated."))
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        locked.substantiated, locked.triage_reason = substantiated, reason[:500]
        locked.triaged_by, locked.triaged_at = by, now
        locked.save(update_fields=["substantiated", "triage_reason", "triaged_by", "triaged_at"])
    return locked


def complaint_for_appointment(*, appointment: Appointment) -> Complaint | None:
    return Complaint.objects.filter(appointment=appointment).first()


def clinics_due_early(*, now: datetime) -> QuerySet[Clinic]:
    """Clinics with two or more substantiated complaints in the last 12 months: re-inspect them now."""
    return Clinic.objects.annotate(
        upheld=Count(
            "complaints",
            filter=Q(complaints__substantiated=True, complaints__filed_at__gte=now - TRIGGER_WINDOW),
        )
    ).filter(upheld__gte=SUBSTANTIATED_TRIGGER)
