"""The emails a complaint causes, built at delivery from the complaint's row (payload: its id only).

The clinic's notice carries no health information and none of the patient's words: it says a complaint is
waiting, by when to acknowledge it, and where to read it (the portal, behind the clinic's sign-in).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMessage
from django.utils import formats, translation
from django.utils.translation import gettext as _

from painhero.urls_abs import absolute_reverse
from quality.models import Complaint


def _complaint(payload: dict[str, Any]) -> Complaint | None:
    return Complaint.objects.select_related("clinic", "appointment").filter(pk=payload["complaint_id"]).first()


def _local(value: Any, complaint: Complaint, format_name: str = "DATETIME_FORMAT") -> str:
    return formats.date_format(value.astimezone(ZoneInfo(complaint.clinic.time_zone)), format_name)


def complaint_filed_email_build(payload: dict[str, Any]) -> EmailMessage | None:
    complaint = _complaint(payload)
    if complaint is None or not complaint.clinic.email:
        return None
    clinic = complaint.clinic
    with translation.override(clinic_language(clinic)):
        url = absolute_reverse("portal:complaint_detail", kwargs={"clinic_id": clinic.pk, "complaint_id": complaint.pk})
        subject = _("A patient filed a complaint with %(clinic)s") % {"clinic": clinic.name}
        body = _(
            "A patient filed a complaint through PainHero about a visit on %(visit)s.\n\n"
            "Please acknowledge it by %(due)s and answer it within 30 days. Read it and answer in your portal:\n"
            "%(url)s\n"
        ) % {
            "visit": _local(complaint.appointment.start, complaint, "DATE_FORMAT"),
            "due": _local(complaint.acknowledge_by, complaint),
            "url": url,
        }
    return EmailMessage(subject=subject, body=body, to=[clinic.email])


def complaint_received_email_build(payload: dict[str, Any]) -> EmailMessage | None:
    complaint = _complaint(payload)
    if complaint is None:
        return None
    appointment = complaint.appointment
    with translation.override(appointment.language):
        subject = _("We received your complaint about %(clinic)s") % {"clinic": complaint.clinic.name}
        body = _(
            "Thank you for telling us. We passed your complaint to %(clinic)s, which must acknowledge it by "
            "%(due)s and answer within 30 days. PainHero's network team also reads every complaint.\n\n"
            "You can see where it stands, and the clinic's answer, here:\n%(url)s\n"
        ) % {
            "clinic": complaint.clinic.name,
            "due": _local(complaint.acknowledge_by, complaint),
            "url": complaint_url(complaint),
        }
    return EmailMessage(subject=subject, body=body, to=[appointment.patient_email])


def complaint_answered_email_build(payload: dict[str, Any]) -> EmailMessage | None:
    complaint = _complaint(payload)
    if complaint is None or complaint.resolved_at is None:
        return None
    appointment = complaint.appointment
    with translation.override(appointment.language):
        subject = _("%(clinic)s answered your complaint") % {"clinic": complaint.clinic.name}
        body = _("%(clinic)s answered your complaint. Read the answer here:\n%(url)s\n") % {
            "clinic": complaint.clinic.name,
            "url": complaint_url(complaint),
        }
    return EmailMessage(subject=subject, body=body, to=[appointment.patient_email])


def complaint_url(complaint: Complaint) -> str:
    appointment = complaint.appointment
    return absolute_reverse(
        "quality:complaint", language=appointment.language, kwargs={"token": appointment.manage_token}
    )


def clinic_language(clinic: Any) -> str:
    return "fr" if getattr(clinic, "province", "") == "QC" else "en"


def builders_register() -> None:
    from notifications.registry import builder_register

    builder_register("quality.complaint_filed", complaint_filed_email_build)
    builder_register("quality.complaint_received", complaint_received_email_build)
    builder_register("quality.complaint_answered", complaint_answered_email_build)
