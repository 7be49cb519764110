"""Review invitations: every visit the clinic marks completed gets one email asking for a review.

- ``review_invite`` is called by booking (``booking.hooks.completed_notify``) inside the transaction that marks the
  visit completed, whoever marks it: never a chosen few, and no incentive is offered. It queues one outbox row,
  held back until ``REVIEW_INVITE_DELAY_HOURS`` after the visit ends; its dedupe key is made of UTC instants (the
  visit's start and end), so the same visit is never invited twice whatever zone anyone reads it in.
- The email is built when the worker delivers it: a visit reviewed in the meantime (from the manage page) gets
  none. The link is the appointment's manage link's review page; the token is not in the outbox row or a subject.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, translation
from django.utils.translation import gettext as _

from booking.models import Appointment, AppointmentStatus
from notifications.models import OutboxMessage
from notifications.outbox import outbox_put
from painhero.urls_abs import absolute_reverse

INVITE_KIND = "quality.review_invite"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def invite_dedupe_key(appointment: Appointment) -> str:
    return f"{INVITE_KIND}:{appointment.pk}:{_utc(appointment.start)}:{_utc(appointment.end)}"


def review_invite(*, appointment: Appointment, now: datetime) -> OutboxMessage:
    """Queue the invitation to review ``appointment`` (once, ever); call inside the transaction completing it."""
    send_at = max(now, appointment.end + timedelta(hours=settings.REVIEW_INVITE_DELAY_HOURS))
    return outbox_put(
        kind=INVITE_KIND,
        payload={"appointment_id": appointment.pk},
        now=now,
        not_before=send_at,
        dedupe_key=invite_dedupe_key(appointment),
        ref=f"appointment:{appointment.pk}",
    )


def review_url(appointment: Appointment) -> str:
    """The review form behind the manage link, in the language the patient booked in."""
    return absolute_reverse("quality:review", language=appointment.language, kwargs={"token": appointment.manage_token})


def review_invite_email_build(payload: dict[str, Any]) -> EmailMessage | None:
    appointment = (
        Appointment.objects.select_related("clinic")
        .filter(pk=payload["appointment_id"], status=AppointmentStatus.COMPLETED, review__isnull=True)
        .first()
    )
    if appointment is None:  # reviewed already, from the manage page: nothing to ask
        return None
    clinic = appointment.clinic
    with translation.override(appointment.language):
        day = formats.date_format(appointment.start.astimezone(ZoneInfo(clinic.time_zone)), "DATE_FORMAT")
        subject = _("How was your visit to %(clinic)s?") % {"clinic": clinic.name}
        body = _(
            "Thank you for your visit to %(clinic)s on %(day)s.\n\n"
            "PainHero publishes reviews only from patients whose visit the clinic marked completed. Every such "
            "patient gets this email, and there is nothing to win: we ask only for what you found.\n\n"
            "Rate your visit (1 to 5) and, if you like, say a few words:\n%(url)s\n\n"
            "Please leave out contact details and anyone else's health: a review with them waits for a moderator.\n"
        ) % {"clinic": clinic.name, "day": day, "url": review_url(appointment)}
    return EmailMessage(subject=subject, body=body, to=[appointment.patient_email])


def invitations_register() -> None:
    from booking.hooks import completed_listener_register
    from notifications.registry import builder_register

    builder_register(INVITE_KIND, review_invite_email_build)
    completed_listener_register(review_invite)
