"""A freed time, offered to the first waiting patient for ``OFFER_FOR``; passed to the next when it lapses.

1. Cancelling or moving an appointment writes a ``booking.time_freed`` outbox row in its transaction; the worker
   delivers it within one cycle, and delivering it is ``waitlist_offer_next``.
2. That finds the first waiting entry for the time (indexed: waiting entries of the clinic by age), holds the time
   for it with booking's own hold (the hold counts as taken, as every hold does, so a public booking of it meets
   a 409), and records the offer. The database allows one open offer per time and per entry.
3. The patient gets an email with a one-tap link (``/waitlist/<token>/``: the GET shows the offer, the POST books
   it through ``appointment_book``, with the hold and an idempotency key of the offer).
4. A ``booking.waitlist_lapse`` outbox row, held back until the offer's end, lapses it if still open and offers the
   time to the next entry (never again to one that had it).

Area entries ("any in-network clinic within r km offering a discipline") are matched by the one-degree grid cells
around the freed time's clinic (the index ``waitlist_area_cell_waiting``), then by the chord between the entry's
point and the clinic, in the database: the cost follows the entries near the clinic, not the whole waitlist. The
oldest entry of either kind is offered the time first.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.errors import BookingError, Busy, NotChangeable
from booking.models import (
    AREA_CELL_COLUMNS,
    Actor,
    Appointment,
    AppointmentSource,
    ClinicBookingPolicy,
    Hold,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from booking.patients import PatientDetails
from booking.services import TIME_FREED, appointment_book, appointment_reschedule, hold_create
from booking.waitlist import RADIUS_KM_MAX
from booking.waitlist_sms import OFFER_SMS_KIND, offer_sms_build, offer_sms_queue
from clinics.geo import bounding_box, unit_vector
from clinics.models import Clinic, Practitioner, Service
from notifications.outbox import outbox_put
from notifications.registry import Defer
from painhero.urls_abs import absolute_reverse
from scheduling.locking import PractitionerBusy, practitioner_lock

OFFER_FOR = timedelta(minutes=15)
OFFER_KIND = "booking.waitlist_offer"
LAPSE_KIND = "booking.waitlist_lapse"
# Entries looked at per freed time, oldest first; those whose windows do not suit are passed over.
CANDIDATES = 50


def windows_suit(windows: list[dict[str, str]], start: time, end: time) -> bool:
    if not windows:
        return True
    return any(time.fromisoformat(w["from"]) <= start and end <= time.fromisoformat(w["to"]) for w in windows)


def waitlist_candidates(
    *,
    clinic_id: int,
    practitioner_id: int,
    service_id: int,
    start: datetime,
    day: date,
    movable_after: datetime | None = None,
) -> QuerySet[WaitlistEntry]:
    """The oldest waiting entries a time could suit, read through the partial index ``waitlist_clinic_waiting``
    (clinic, created_at WHERE waiting): its cost does not grow with the length of the waitlist.

    A "move me earlier" entry suits only a time before its appointment, and only while the appointment can still
    be moved online (it starts after ``movable_after``: now plus the clinic's cancellation window)."""
    return (
        WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, clinic_id=clinic_id)
        .filter(before__gte=day)
        .filter(Q(service__isnull=True) | Q(service_id=service_id))
        .filter(Q(practitioner__isnull=True) | Q(practitioner_id=practitioner_id))
        .filter(Q(earlier_than__isnull=True) | Q(earlier_than__gt=max(start, movable_after or start)))
        .exclude(offers__practitioner_id=practitioner_id, offers__start=start)
        .order_by("created_at", "pk")[:CANDIDATES]
    )


def waitlist_area_cells(*, latitude: float, longitude: float) -> list[int]:
    """The grid cells (``WaitlistEntry.area_cell``) an area entry reaching this point could lie in: those the box
    of ``RADIUS_KM_MAX`` around it touches (a dozen or so in Canada)."""
    south, west, north, east = bounding_box(latitude, longitude, RADIUS_KM_MAX)
    return [
        (lat + 90) * AREA_CELL_COLUMNS + lng + 180
        for lat in range(math.floor(south), math.floor(north) + 1)
        for lng in range(math.floor(west), math.floor(east) + 1)
    ]


def waitlist_area_candidates(
    *, clinic: Clinic, practitioner_id: int, discipline: str, start: datetime, day: date
) -> QuerySet[WaitlistEntry]:
    """The oldest waiting area entries whose circle holds ``clinic`` and whose discipline (or any) it offers.

    Read through ``waitlist_area_cell_waiting`` (area_cell, discipline, created_at WHERE waiting, with a cell):
    the cells near the clinic, then the chord ``|p - c|² / 4 <= sin²(r / 2R)`` on the entry's stored unit vector.
    """
    x, y, z = unit_vector(clinic.latitude, clinic.longitude)
    hav = ((F("unit_x") - x) * (F("unit_x") - x) + (F("unit_y") - y) * (F("unit_y") - y)) + (F("unit_z") - z) * (
        F("unit_z") - z
    )
    return (
        # No ``clinic__isnull``: a planner could then read every area entry through the clinic's index; a point
        # (so a cell) is an area entry's alone (the constraint ``waitlist_clinic_or_area_not_both``).
        WaitlistEntry.objects.filter(
            status=WaitlistStatus.WAITING,
            area_cell__in=waitlist_area_cells(latitude=clinic.latitude, longitude=clinic.longitude),
        )
        .filter(before__gte=day)
        .filter(Q(discipline="") | Q(discipline=discipline))
        .alias(hav=hav / 4)
        .filter(hav__lte=F("reach_hav"))
        .exclude(offers__practitioner_id=practitioner_id, offers__start=start)
        .order_by("created_at", "pk")[:CANDIDATES]
    )


def waitlist_offer_next(
    *, practitioner_id: int, service_id: int, start: datetime, now: datetime
) -> WaitlistOffer | None:
    """Offer this time to the first waiting entry it suits; None if nobody waits for it or it is no longer open."""
    practitioner = Practitioner.objects.select_related("clinic").filter(pk=practitioner_id).first()
    service = Service.objects.filter(pk=service_id).first()
    if practitioner is None or service is None or start <= now:
        return None
    zone = ZoneInfo(practitioner.clinic.time_zone)
    local_start = start.astimezone(zone)
    local_end = (start + timedelta(minutes=service.duration_minutes)).astimezone(zone)
    candidates = waitlist_candidates(
        clinic_id=practitioner.clinic_id,
        practitioner_id=practitioner_id,
        service_id=service_id,
        start=start,
        day=local_start.date(),
        movable_after=now + ClinicBookingPolicy.for_clinic(practitioner.clinic_id).cancellation_window,
    )
    clinic = practitioner.clinic
    if Clinic.objects.in_network().filter(pk=clinic.pk).exists():
        area = waitlist_area_candidates(
            clinic=clinic,
            practitioner_id=practitioner_id,
            discipline=service.discipline,
            start=start,
            day=local_start.date(),
        )
        # Both lists are oldest first: merged, the oldest entry of either kind comes first.
        merged: Iterator[WaitlistEntry] = heapq.merge(candidates, area, key=lambda entry: (entry.created_at, entry.pk))
    else:
        merged = iter(candidates)
    for entry in merged:
        if not windows_suit(entry.windows, local_start.time(), local_end.time()):
            continue
        return _offer(entry=entry, practitioner=practitioner, service=service, start=start, now=now)
    return None


def _offer(
    *, entry: WaitlistEntry, practitioner: Practitioner, service: Service, start: datetime, now: datetime
) -> WaitlistOffer | None:
    try:
        with transaction.atomic():
            # The entry first: a second worker offering it something else meanwhile finds it taken.
            if not WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
                status=WaitlistStatus.OFFERED, updated_at=now
            ):
                return None
            hold = hold_create(
                practitioner=practitioner,
                service=service,
                start=start,
                now=now,
                owner_key=f"waitlist:{entry.pk}",
                hold_for=OFFER_FOR,
            )
            offer = WaitlistOffer.objects.create(
                entry=entry,
                practitioner=practitioner,
                service=service,
                start=start,
                end=hold.end,
                hold=hold,
                expires_at=hold.expires_at,
                created_at=now,
            )
            outbox_put(kind=OFFER_KIND, payload={"offer_id": offer.pk}, now=now, dedupe_key=f"{OFFER_KIND}:{offer.pk}")
            offer_sms_queue(offer=offer, entry=entry, zone=ZoneInfo(practitioner.clinic.time_zone), now=now)
            outbox_put(
                kind=LAPSE_KIND,
                payload={"offer_id": offer.pk},
                now=now,
                dedupe_key=f"{LAPSE_KIND}:{offer.pk}",
                not_before=offer.expires_at,
            )
    except (BookingError, IntegrityError):
        # The time is taken (booked, held by someone, or already offered): nobody is offered it.
        return None
    return offer


def waitlist_offer_lapse(*, offer_id: int, now: datetime) -> WaitlistOffer | None:
    """End an offer not taken in time, free its hold, and offer the time to the next entry; the next offer."""
    with transaction.atomic():
        offer = WaitlistOffer.objects.select_for_update().filter(pk=offer_id, status=OfferStatus.OPEN).first()
        if offer is None:
            return None
        if offer.expires_at > now:
            raise Defer(offer.expires_at)
        WaitlistOffer.objects.filter(pk=offer.pk).update(status=OfferStatus.LAPSED)
        WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.WAITING, updated_at=now
        )
        if offer.hold_id is not None:
            Hold.objects.filter(pk=offer.hold_id).delete()
    return waitlist_offer_next(
        practitioner_id=offer.practitioner_id, service_id=offer.service_id, start=offer.start, now=now
    )


def waitlist_offer_standing(*, entry: WaitlistEntry, now: datetime) -> WaitlistOffer | None:
    """The entry's open offer, if it has not lapsed."""
    return (
        WaitlistOffer.objects.select_related("practitioner", "service")
        .filter(entry=entry, status=OfferStatus.OPEN, expires_at__gt=now)
        .first()
    )


def waitlist_offer_accept(*, entry: WaitlistEntry, now: datetime, ip: str | None = None) -> Appointment:
    """Book the offered time for the entry's patient through the one booking service (the hold, an idempotency key
    of the offer: accepting twice books once)."""
    if entry.appointment_id is not None:
        return _move_earlier_accept(entry=entry, now=now, ip=ip)
    offer = WaitlistOffer.objects.filter(entry=entry).exclude(status=OfferStatus.LAPSED).order_by("-pk").first()
    if offer is not None and offer.status == OfferStatus.TAKEN and offer.appointment is not None:
        return offer.appointment
    if offer is None or offer.expires_at <= now or offer.hold is None:
        raise NotChangeable(_("This offer has lapsed: the time went to the next patient waiting."))
    patient = PatientDetails(
        name=entry.patient_name,
        email=entry.patient_email,
        phone=entry.patient_phone,
        sms_reminders=entry.sms_consented_at is not None,
    )
    booked = appointment_book(
        practitioner=offer.practitioner,
        service=offer.service,
        start=offer.start,
        patient=patient,
        now=now,
        source=AppointmentSource.WEB,
        hold=offer.hold,
        hold_token=offer.hold.token,
        idempotency_key=f"waitlist-offer:{offer.pk}",
        idempotency_scope="waitlist",
        ip=ip,
        language=entry.language,
    )
    with transaction.atomic():
        WaitlistOffer.objects.filter(pk=offer.pk).update(status=OfferStatus.TAKEN, appointment=booked.appointment)
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.BOOKED, updated_at=now)
    return booked.appointment


def _move_earlier_accept(*, entry: WaitlistEntry, now: datetime, ip: str | None) -> Appointment:
    """Move the entry's appointment to the offered time, in one transaction: the offer taken, the hold consumed by
    the one reschedule service (old time freed, the lock and the constraint as for every move). Taking it twice
    moves once."""
    lapsed = NotChangeable(_("This offer has lapsed: the time went to the next patient waiting."))
    offer = WaitlistOffer.objects.filter(entry=entry).exclude(status=OfferStatus.LAPSED).order_by("-pk").first()
    if offer is None or entry.appointment_id is None:
        raise lapsed
    appointment = Appointment.objects.select_related("service", "practitioner").get(pk=entry.appointment_id)
    try:
        return _move(offer_id=offer.pk, entry=entry, appointment=appointment, now=now, ip=ip)
    except PractitionerBusy:
        raise Busy from None


def _move(
    *, offer_id: int, entry: WaitlistEntry, appointment: Appointment, now: datetime, ip: str | None
) -> Appointment:
    lapsed = NotChangeable(_("This offer has lapsed: the time went to the next patient waiting."))
    with transaction.atomic():
        # The practitioners' lock first, as every write that moves time takes it; then the offer, read again.
        offer = WaitlistOffer.objects.get(pk=offer_id)
        practitioner_lock(appointment.practitioner_id, offer.practitioner_id)
        offer = (
            WaitlistOffer.objects.select_for_update(of=("self",))
            .select_related("hold", "practitioner")
            .get(pk=offer_id)
        )
        if offer.status == OfferStatus.TAKEN:
            return appointment
        if offer.status != OfferStatus.OPEN or offer.expires_at <= now or offer.hold is None:
            raise lapsed
        # Taken before the move, so the move (which ends "move me earlier" entries) does not end this one.
        WaitlistOffer.objects.filter(pk=offer.pk).update(status=OfferStatus.TAKEN, appointment=appointment)
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.BOOKED, updated_at=now)
        return appointment_reschedule(
            appointment=appointment,
            start=offer.start,
            practitioner=offer.practitioner,
            now=now,
            actor=Actor.PATIENT,
            source=AppointmentSource.WEB,
            ip=ip,
            hold=offer.hold,
            hold_token=offer.hold.token,
        )


def offer_email_build(payload: dict[str, Any]) -> EmailMultiAlternatives | None:
    now = timezone.now()
    offer = (
        WaitlistOffer.objects.select_related("entry__appointment", "practitioner__clinic__city", "service")
        .filter(pk=payload["offer_id"], status=OfferStatus.OPEN, expires_at__gt=now)
        .first()
    )
    if offer is None:
        return None
    entry, clinic = offer.entry, offer.practitioner.clinic
    zone = ZoneInfo(clinic.time_zone)
    with translation.override(entry.language), timezone.override(zone):
        context = {
            "offer": offer,
            "clinic": clinic,
            "zone": zone,
            "url": absolute_reverse("booking:waitlist", language=entry.language, kwargs={"token": entry.token}),
            "moves": entry.appointment,
        }
        subject = _("An earlier time is held for you — %(clinic)s") % {"clinic": clinic.name}
        text = render_to_string("booking/email/waitlist_offer.txt", context)
    return EmailMultiAlternatives(subject=subject, body=text, to=[entry.patient_email])


class _Run:
    """What the outbox "sends" for a row that is work rather than a message."""

    def __init__(self, work: Any) -> None:
        self.work = work

    def send(self) -> None:
        self.work()


def builders_register() -> None:
    from notifications.registry import builder_register

    def freed(payload: dict[str, Any]) -> _Run:
        return _Run(
            lambda: waitlist_offer_next(
                practitioner_id=payload["practitioner_id"],
                service_id=payload["service_id"],
                start=datetime.fromisoformat(payload["start"]),
                now=timezone.now(),
            )
        )

    def lapse(payload: dict[str, Any]) -> _Run:
        now = timezone.now()
        offer = WaitlistOffer.objects.filter(pk=payload["offer_id"]).first()
        if offer is not None and offer.status == OfferStatus.OPEN and offer.expires_at > now:
            raise Defer(offer.expires_at)
        return _Run(lambda: waitlist_offer_lapse(offer_id=payload["offer_id"], now=now))

    builder_register(TIME_FREED, freed)
    builder_register(LAPSE_KIND, lapse)
    builder_register(OFFER_KIND, offer_email_build)
    builder_register(OFFER_SMS_KIND, offer_sms_build)
