"""Appointments and the short holds taken while a patient checks out.

Both count as "taken" for the availability engine (scheduling): an appointment
that is not cancelled, and a hold that has not expired.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Cos, Floor, Power, Radians, Sin
from django.utils.translation import gettext_lazy as _

from clinics.geo import EARTH_RADIUS_KM
from clinics.models import Clinic, Practitioner, Service
from painhero.bounds import STORED_END, STORED_START, stored_check


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


class AppointmentSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    PORTAL = "portal", _("Clinic portal")
    IMPORT = "import", _("Import")


def _manage_token() -> str:
    return secrets.token_urlsafe(32)


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def taking_time(self) -> AppointmentQuerySet:
        """Appointments that occupy their practitioner's time (everything but cancelled ones)."""
        return self.exclude(status=AppointmentStatus.CANCELLED)

    def overlapping(self, start: object, end: object) -> AppointmentQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class AppointmentSeries(models.Model):
    """Visits booked together in one step (a care plan's, DESIGN.md invariant 10): all or none were booked.

    Each visit is an ordinary ``Appointment`` that can be cancelled or moved alone; the series only ties them for
    the one confirmation email and "cancel the rest"."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointment_series")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("series of appointments")
        verbose_name_plural = _("series of appointments")

    def __str__(self) -> str:
        return f"series {self.pk}"

    def __repr__(self) -> str:
        return f"<AppointmentSeries {self.pk} clinic={self.clinic_id}>"


class Appointment(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    source = models.CharField(_("source"), max_length=20, choices=AppointmentSource.choices)
    # The patient's contact details live on the appointment until a patients app takes them over.
    patient_name = models.CharField(_("name"), max_length=120, default="")
    patient_email = models.EmailField(_("email"), default="")
    patient_phone = models.CharField(_("mobile phone"), max_length=20, default="", help_text=_("E.164"))
    first_visit = models.BooleanField(_("first visit"), default=True)
    # Health information: never logged, never put in an error message or an email subject.
    note = models.TextField(_("what hurts"), blank=True, default="")
    consented_at = models.DateTimeField(_("consented to the policy at"), null=True, blank=True)
    # When the patient asked, at booking, for text-message reminders at ``patient_phone`` (None: they did not).
    sms_consented_at = models.DateTimeField(_("agreed to text reminders at"), null=True, blank=True)
    # The language the patient booked in: every email, .ics and link sent to them is in it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    manage_token = models.CharField(max_length=64, unique=True, default=_manage_token, editable=False)
    # A video free consultation's own meeting room (booking.video): secret like the manage token, never logged.
    video_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # The series this visit was booked in (booking.series), if any; it stays an appointment of its own.
    series = models.ForeignKey(
        AppointmentSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start"]
        indexes = [models.Index(fields=["practitioner", "start"], name="appointment_practitioner_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="appointment_language_known",
            ),
            # Absolute bounds (painhero.bounds): nothing stored can overflow a page's date arithmetic.
            models.CheckConstraint(
                condition=models.Q(start__gte=STORED_START, end__lte=STORED_END), name="appointment_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} {self.start:%Y-%m-%d %H:%M}Z"

    def __repr__(self) -> str:
        # Never the patient's details or note: reprs end up in logs and error reports.
        return f"<Appointment {self.pk} {self.status} practitioner={self.practitioner_id} start={self.start}>"

    def clean(self) -> None:
        super().clean()
        stored_check(self.start, field="start")
        stored_check(self.end, field="end")

    def changeable_online(self, *, now: datetime, policy: ClinicBookingPolicy | None = None) -> bool:
        """Whether the patient may still cancel or move it online: booked, and before the clinic's window.

        ``policy``: the clinic's, when the caller has it already (one query less).
        """
        if self.status != AppointmentStatus.BOOKED:
            return False
        policy = policy or ClinicBookingPolicy.for_clinic(self.clinic_id)
        return policy.changeable_online(start=self.start, now=now)


def _hold_token() -> str:
    return secrets.token_urlsafe(24)


class HoldQuerySet(models.QuerySet["Hold"]):
    def active(self, now: object) -> HoldQuerySet:
        return self.filter(expires_at__gt=now)

    def overlapping(self, start: object, end: object) -> HoldQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Hold(models.Model):
    """A time set aside for a few minutes while one patient fills in the booking form."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="holds")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="holds")
    start = models.DateTimeField()
    end = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    token = models.CharField(max_length=64, unique=True, default=_hold_token)
    # Who holds it, to stop one patient hoarding times: a session key or an API client's key.
    owner_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [models.Index(fields=["practitioner", "start"], name="hold_practitioner_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="hold_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"hold {self.practitioner} {self.start:%Y-%m-%d %H:%M}Z"


# A reminder further ahead than two weeks reminds nobody of anything.
REMINDER_HOURS_MAX = 336


class ClinicBookingPolicy(models.Model):
    """What a clinic tells patients who book: the cancellation window, what to bring, its policy."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="booking_policy")
    cancellation_window_hours = models.PositiveSmallIntegerField(
        _("cancellation window (hours)"),
        default=24,
        help_text=_("Patients can cancel or reschedule online until this many hours before the appointment."),
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("reminder (hours before)"),
        default=24,
        help_text=_("Patients get a reminder this many hours before their appointment (0: no reminders)."),
    )
    what_to_bring = models.TextField(_("what to bring"), blank=True, default="")
    policy_text = models.TextField(_("cancellation policy"), blank=True, default="")

    class Meta:
        verbose_name = _("booking policy")
        verbose_name_plural = _("booking policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reminder_hours__lte=REMINDER_HOURS_MAX), name="booking_policy_reminder_hours_max"
            )
        ]

    def __str__(self) -> str:
        return f"policy {self.clinic_id}"

    @property
    def reminder_lead(self) -> timedelta | None:
        """How long before a visit its reminder goes; None: this clinic sends none."""
        return timedelta(hours=self.reminder_hours) if self.reminder_hours else None

    @property
    def cancellation_window(self) -> timedelta:
        return timedelta(hours=self.cancellation_window_hours)

    # The cancellation-window rule, in one place: every caller (the services that refuse a late change,
    # the manage and cancel pages through ``Appointment.changeable_online``, the checkout notice, the
    # reschedule list) asks these methods.
    @classmethod
    def for_clinic(cls, clinic_id: int) -> ClinicBookingPolicy:
        """The clinic's policy, or the default one (unsaved, 24 hours) for a clinic that never set one."""
        return cls.objects.filter(clinic_id=clinic_id).first() or cls(clinic_id=clinic_id)

    def changeable_until(self, start: datetime) -> datetime:
        """The last moment a patient may cancel or move a visit that starts at ``start`` online."""
        return start - self.cancellation_window

    def changeable_online(self, *, start: datetime, now: datetime) -> bool:
        """Whether a patient may still cancel or move, online, a visit that starts at ``start``."""
        return now <= self.changeable_until(start)


class EventKind(models.TextChoices):
    CREATED = "created", _("Booked")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    CONFIRMED = "confirmed", _("Confirmed by the patient")
    ARRIVED = "arrived", _("Arrived")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


class Actor(models.TextChoices):
    PATIENT = "patient", _("Patient")
    STAFF = "staff", _("Clinic staff")
    SYSTEM = "system", _("System")


class AppointmentEvent(models.Model):
    """One line of an appointment's history: what happened, when, by whom and from where."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.CharField(max_length=20, choices=Actor.choices)
    source = models.CharField(max_length=20, choices=AppointmentSource.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    old_start = models.DateTimeField(null=True, blank=True)
    new_start = models.DateTimeField(null=True, blank=True)
    # Why the patient cancelled, if they said: it may be health information, so never logged.
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.appointment_id} at {self.at:%Y-%m-%d %H:%M}Z"


class IdempotencyKey(models.Model):
    """A booking request seen before: (key, scope) is unique, so one key yields one appointment.

    A row without an appointment is a request still in flight (or one that died: see
    ``booking.idempotency``).
    """

    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["key", "scope"], name="idempotency_key_scope_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


# Longitudes per row of the waitlist's one-degree grid (-180 to 180 inclusive).
AREA_CELL_COLUMNS = 361


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a time")
    BOOKED = "booked", _("Booked")
    LEFT = "left", _("Left the waitlist")
    EXPIRED = "expired", _("Expired")
    # A "move me earlier" entry whose appointment was cancelled or moved by other means.
    ENDED = "ended", _("Ended: the appointment changed")


def _waitlist_token() -> str:
    return secrets.token_urlsafe(32)


class WaitlistEntry(models.Model):
    """A patient asking to be told when an earlier time opens: at one clinic (one service or practitioner,
    optionally), or at any in-network clinic within ``radius_km`` of a point offering ``discipline``."""

    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.CASCADE, related_name="waitlist")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(Practitioner, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    discipline = models.CharField(_("discipline"), max_length=30, blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    radius_km = models.PositiveSmallIntegerField(null=True, blank=True)
    # An area entry's point as a one-degree grid cell, and as a unit vector with the haversine its radius reaches
    # (``sin²(r / 2R)``): a freed time finds the entries around its clinic by the cells near it (an index seek,
    # see ``waitlist_area_cells``), then "is the clinic inside the circle" is the chord, plain arithmetic, as
    # for clinics (clinics/geo.py). All NULL for an entry at one clinic.
    area_cell = models.GeneratedField(
        expression=(Floor("latitude") + 90) * AREA_CELL_COLUMNS + Floor("longitude") + 180,
        output_field=models.IntegerField(),
        db_persist=True,
    )
    unit_x = models.GeneratedField(
        expression=Cos(Radians("latitude")) * Cos(Radians("longitude")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    unit_y = models.GeneratedField(
        expression=Cos(Radians("latitude")) * Sin(Radians("longitude")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    unit_z = models.GeneratedField(
        expression=Sin(Radians("latitude")), output_field=models.FloatField(), db_persist=True
    )
    reach_hav = models.GeneratedField(
        expression=Power(Sin(models.F("radius_km") / (2 * EARTH_RADIUS_KM)), 2),
        output_field=models.FloatField(),
        db_persist=True,
    )
    # The last day that still helps the patient (in the clinic's zone); the entry expires after it.
    before = models.DateField(_("needed by"))
    # Times of day that suit, on the clinic's clock: [{"from": "08:00", "to": "12:00"}, ...]; empty: any time.
    windows = models.JSONField(default=list, blank=True)
    patient_name = models.CharField(_("name"), max_length=120)
    patient_email = models.EmailField(_("email"))
    patient_phone = models.CharField(_("mobile phone"), max_length=20, help_text=_("E.164"))
    sms_consented_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    token = models.CharField(max_length=64, unique=True, default=_waitlist_token, editable=False)
    status = models.CharField(max_length=20, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    # "Move me earlier" (from the manage link): the appointment an accepted offer moves, and its start when the
    # patient asked; only times starting before it are offered (booking.waitlist_offers.waitlist_candidates).
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="move_earlier"
    )
    earlier_than = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["created_at", "pk"]
        indexes = [
            # The first waiting entry at a clinic (or in an area, by discipline): the matching of a freed time.
            models.Index(
                fields=["clinic", "created_at"],
                # Without the area entries (no clinic): a planner could otherwise read them all through it.
                condition=models.Q(status="waiting", clinic__isnull=False),
                name="waitlist_clinic_waiting",
            ),
            models.Index(
                fields=["discipline", "created_at"],
                condition=models.Q(status="waiting", clinic__isnull=True),
                name="waitlist_area_waiting",
            ),
            # The waiting area entries around a clinic: the cells near it, for its discipline or any, oldest first
            # within each (an entry near it for another discipline is never read).
            models.Index(
                fields=["area_cell", "discipline", "created_at"],
                condition=models.Q(status="waiting", area_cell__isnull=False),
                name="waitlist_area_cell_waiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(clinic__isnull=False)
                | models.Q(latitude__isnull=False, longitude__isnull=False, radius_km__isnull=False),
                name="waitlist_clinic_or_area",
            ),
            # Not both: an entry with a point is an area entry (its cell alone finds it, see area_cell).
            models.CheckConstraint(
                condition=models.Q(clinic__isnull=True) | models.Q(latitude__isnull=True, longitude__isnull=True),
                name="waitlist_clinic_or_area_not_both",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="waitlist_language_known",
            ),
            # A "move me earlier" entry is one clinic's, knows the start it must beat, and needs a time no later
            # than the appointment's day (a date compared with the start: midnight of that day, at most).
            models.CheckConstraint(
                condition=models.Q(appointment__isnull=True, earlier_than__isnull=True)
                | models.Q(
                    appointment__isnull=False,
                    earlier_than__isnull=False,
                    clinic__isnull=False,
                    before__lte=models.F("earlier_than"),
                ),
                name="waitlist_move_earlier_before_appointment",
            ),
            # One standing "move me earlier" per appointment: asking twice is asking once.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_move_earlier_one_per_appointment",
            ),
        ]

    def __str__(self) -> str:
        return f"waitlist {self.pk} {self.status}"

    def __repr__(self) -> str:
        return f"<WaitlistEntry {self.pk} {self.status} clinic={self.clinic_id}>"


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TAKEN = "taken", _("Taken")
    LAPSED = "lapsed", _("Lapsed")


class WaitlistOffer(models.Model):
    """A freed time held for one waiting patient for a few minutes: theirs alone until it lapses."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    hold = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        indexes = [models.Index(fields=["practitioner", "start"], name="waitlist_offer_time")]
        constraints = [
            # One standing offer per patient, and one per time: an offer never goes to two people at once.
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(status="open"), name="waitlist_offer_one_open_per_entry"
            ),
            models.UniqueConstraint(
                fields=["practitioner", "start"],
                condition=models.Q(status="open"),
                name="waitlist_offer_one_open_per_time",
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk} {self.status}"
