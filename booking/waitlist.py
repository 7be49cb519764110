"""Joining and leaving the waitlist ("tell me if something earlier opens").

Joining writes a ``booking.waitlist_joined`` outbox row in its transaction: the confirmation email, with the
entry's link and its leave link, goes out once (a dedupe key) and only if the entry was committed.

Matching a freed time to the first waiting entry, and the exclusive offer, build on these rows; see the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from booking.errors import NotBookable, NotChangeable
from booking.models import (
    Appointment,
    AppointmentStatus,
    Hold,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from booking.patients import PatientDetails
from booking.services import TIME_FREED, appointment_language, clinic_check
from clinics.models import Clinic, Discipline, Practitioner, Service
from notifications.outbox import outbox_put
from painhero.bounds import date_in_window, window_message
from painhero.urls_abs import absolute_reverse

RADIUS_KM_MAX = 100
WINDOWS_MAX = 7
JOINED_KIND = "booking.waitlist_joined"


@dataclass(frozen=True)
class WaitlistWhere:
    """One clinic (optionally one service or practitioner of it), or an area and a discipline."""

    clinic: Clinic | None = None
    service: Service | None = None
    practitioner: Practitioner | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_km: int | None = None
    discipline: str = ""


def _where_check(where: WaitlistWhere) -> None:
    if where.clinic is not None:
        clinic_check(clinic=where.clinic)
        for thing, name in ((where.service, "service_id"), (where.practitioner, "practitioner_id")):
            if thing is not None and thing.clinic_id != where.clinic.pk:
                raise NotBookable(_("%(field)s: not one of this clinic's.") % {"field": name})
        return
    if where.service is not None or where.practitioner is not None:
        raise NotBookable(_("service_id and practitioner_id need a clinic_id."))
    if where.latitude is None or where.longitude is None or where.radius_km is None:
        raise NotBookable(_("Send a clinic_id, or lat, lng and radius_km."))
    if not (-90 <= where.latitude <= 90 and -180 <= where.longitude <= 180):
        raise NotBookable(_("lat must be between -90 and 90, lng between -180 and 180."))
    if not 1 <= where.radius_km <= RADIUS_KM_MAX:
        raise NotBookable(_("radius_km must be between 1 and %(max)d.") % {"max": RADIUS_KM_MAX})
    if where.discipline and where.discipline not in Discipline.values:
        raise NotBookable(_("discipline: use one of %(values)s.") % {"values": ", ".join(Discipline.values)})


def windows_parse(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Times of day as "HH:MM" pairs, each ending after it starts; at most ``WINDOWS_MAX``."""
    if len(raw) > WINDOWS_MAX:
        raise NotBookable(_("Send at most %(max)d time windows.") % {"max": WINDOWS_MAX})
    windows = []
    for item in raw:
        try:
            start, end = time.fromisoformat(str(item["from"])), time.fromisoformat(str(item["to"]))
        except (KeyError, TypeError, ValueError):
            raise NotBookable(_('windows: each one is {"from": "08:00", "to": "12:00"}.')) from None
        if end <= start:
            raise NotBookable(_("windows: each one must end after it starts."))
        windows.append({"from": start.strftime("%H:%M"), "to": end.strftime("%H:%M")})
    return windows


def waitlist_join(
    *,
    where: WaitlistWhere,
    before: date,
    windows: list[dict[str, Any]],
    patient: PatientDetails,
    language: str | None,
    now: datetime,
) -> WaitlistEntry:
    """Put a patient on the waitlist; the ``token`` of the entry is their key to it."""
    _where_check(where)
    if before < now.date() or not date_in_window(before, today=now.date()):
        raise NotBookable("before: " + window_message(today=now.date()))
    parsed = windows_parse(windows)
    with transaction.atomic():
        entry = WaitlistEntry.objects.create(
            clinic=where.clinic,
            service=where.service,
            practitioner=where.practitioner,
            discipline=where.discipline or (where.service.discipline if where.service else ""),
            latitude=where.latitude if where.clinic is None else None,
            longitude=where.longitude if where.clinic is None else None,
            radius_km=where.radius_km if where.clinic is None else None,
            before=before,
            windows=parsed,
            patient_name=patient.name,
            patient_email=patient.email,
            patient_phone=patient.phone,
            sms_consented_at=now if patient.sms_reminders else None,
            language=appointment_language(language),
            created_at=now,
        )
        outbox_put(
            kind=JOINED_KIND,
            payload={"entry_id": entry.pk},
            now=now,
            dedupe_key=f"{JOINED_KIND}:{entry.pk}",
            ref=f"waitlist:{entry.pk}",
        )
    return entry


def waitlist_leave(*, entry: WaitlistEntry, now: datetime) -> WaitlistEntry:
    """The patient leaves (from their link); leaving twice is leaving once.

    A time held for them is let go at once, and the waitlist hears of it as of any freed time (the outbox), so
    the next patient waiting is offered it without waiting for the offer to lapse.
    """
    with transaction.atomic():
        left = WaitlistEntry.objects.filter(
            pk=entry.pk, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        ).update(status=WaitlistStatus.LEFT, updated_at=now)
        offer = WaitlistOffer.objects.select_for_update().filter(entry_id=entry.pk, status=OfferStatus.OPEN).first()
        if left and offer is not None:
            WaitlistOffer.objects.filter(pk=offer.pk).update(status=OfferStatus.LAPSED)
            if offer.hold_id is not None:
                Hold.objects.filter(pk=offer.hold_id).delete()
            outbox_put(
                kind=TIME_FREED,
                payload={
                    "practitioner_id": offer.practitioner_id,
                    "service_id": offer.service_id,
                    "start": offer.start.isoformat(),
                },
                now=now,
            )
        entry.refresh_from_db()
    return entry


def waitlist_for_token(*, token: str) -> WaitlistEntry | None:
    if not token:
        return None
    return WaitlistEntry.objects.filter(token=token).first()


def waitlist_move_earlier_standing(*, appointment: Appointment) -> WaitlistEntry | None:
    """The appointment's "move me earlier" entry while it waits or has an offer."""
    return WaitlistEntry.objects.filter(
        appointment=appointment, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ).first()


def waitlist_move_earlier_join(*, appointment: Appointment, now: datetime) -> WaitlistEntry:
    """ "Move me earlier if a time opens", from the manage link: an entry for this appointment's clinic, practitioner
    and service, matching only times before it (by its day at the latest). Asking twice is asking once."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("clinic").get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED or not appointment.changeable_online(now=now):
            raise NotChangeable(_("This appointment can no longer be moved online."))
        standing = waitlist_move_earlier_standing(appointment=appointment)
        if standing is not None:
            return standing
        clinic_check(clinic=appointment.clinic)
        try:
            # A savepoint: a second request that won the race leaves its entry for us to answer.
            with transaction.atomic():
                return WaitlistEntry.objects.create(
                    clinic=appointment.clinic,
                    service_id=appointment.service_id,
                    practitioner_id=appointment.practitioner_id,
                    discipline=appointment.service.discipline,
                    appointment=appointment,
                    earlier_than=appointment.start,
                    before=appointment.start.astimezone(ZoneInfo(appointment.clinic.time_zone)).date(),
                    windows=[],
                    patient_name=appointment.patient_name,
                    patient_email=appointment.patient_email,
                    patient_phone=appointment.patient_phone,
                    sms_consented_at=appointment.sms_consented_at,
                    language=appointment.language,
                    created_at=now,
                )
        except IntegrityError:
            found = waitlist_move_earlier_standing(appointment=appointment)
            if found is None:
                raise
            return found


def joined_email_build(payload: dict[str, Any]) -> EmailMultiAlternatives | None:
    """The confirmation of joining: what the patient waits for, until when, their link and how to leave."""
    entry = (
        WaitlistEntry.objects.select_related("clinic__city", "service", "practitioner")
        .filter(pk=payload["entry_id"])
        .first()
    )
    if entry is None or entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        return None  # left (or booked) before the email went: nothing to confirm
    kwargs = {"token": entry.token}
    with translation.override(entry.language):
        context = {
            "entry": entry,
            "discipline": Discipline(entry.discipline).label if entry.discipline in Discipline.values else "",
            "url": absolute_reverse("booking:waitlist", language=entry.language, kwargs=kwargs),
            "leave_url": absolute_reverse("booking:waitlist_leave", language=entry.language, kwargs=kwargs),
        }
        if entry.clinic is not None:
            subject = _("You are on the waitlist — %(clinic)s") % {"clinic": entry.clinic.name}
        else:
            subject = _("You are on the waitlist for clinics near you")
        text = render_to_string("booking/email/waitlist_joined.txt", context)
    return EmailMultiAlternatives(subject=subject, body=text, to=[entry.patient_email])


def builders_register() -> None:
    from notifications.registry import builder_register

    builder_register(JOINED_KIND, joined_email_build)
