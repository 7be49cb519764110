"""Working hours, time off, closures, posted openings, booking rules, and the precomputed next openings."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinics.models import WEEKDAYS, Clinic, Practitioner, Service
from painhero.bounds import STORED_END, STORED_FIRST, STORED_LAST, STORED_START, stored_check

DEFAULT_NOTICE_MINUTES = 120
DEFAULT_HORIZON_DAYS = 60
DEFAULT_STEP_MINUTES = 15
DEFAULT_BUFFER_MINUTES = 0
MAX_HORIZON_DAYS = 365


class WorkingHours(models.Model):
    """One block of a practitioner's weekly hours at their clinic; the gap between two blocks is a break."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)], help_text=_("0 = Monday, 6 = Sunday")
    )
    start_time = models.TimeField(_("starts"), help_text=_("Wall-clock time in the clinic's time zone."))
    end_time = models.TimeField(_("ends"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: until further notice."))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["practitioner", "weekday", "start_time"]
        indexes = [models.Index(fields=["practitioner", "weekday"], name="workinghours_practitioner_day")]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="workinghours_weekday_range"),
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")), name="workinghours_order"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="workinghours_validity_order",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__gte=STORED_FIRST, valid_from__lte=STORED_LAST)
                & (models.Q(valid_until__isnull=True) | models.Q(valid_until__lte=STORED_LAST)),
                name="workinghours_validity_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner}: {WEEKDAYS[self.weekday]} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def overlapping_blocks(self) -> models.QuerySet[WorkingHours]:
        """Other blocks of the same practitioner and weekday whose times and validity overlap this one."""
        others = WorkingHours.objects.filter(
            practitioner_id=self.practitioner_id,
            weekday=self.weekday,
            start_time__lt=self.end_time,
            end_time__gt=self.start_time,
        ).exclude(pk=self.pk)
        if self.valid_until is not None:
            others = others.filter(valid_from__lte=self.valid_until)
        return others.filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=self.valid_from))

    def clean(self) -> None:
        # Overlap between rows is not a check constraint; PostgreSQL could use an exclusion constraint,
        # SQLite cannot, so the write service checks it inside its transaction (see AVAILABILITY.md).
        super().clean()
        stored_check(self.valid_from, field="valid_from")
        stored_check(self.valid_until, field="valid_until")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The block must end after it starts.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity must not be before its start.")})
        if self.practitioner_id and self.start_time and self.end_time and self.valid_from:
            clash = self.overlapping_blocks().first()
            if clash is not None:
                raise ValidationError(
                    _("These hours overlap another block on the same day (%(block)s).")
                    % {"block": f"{clash.start_time:%H:%M}-{clash.end_time:%H:%M}"}
                )


class TimeOffKind(models.TextChoices):
    TIME_OFF = "time_off", _("Time off")
    BLOCKED = "blocked", _("Blocked time")


class TimeOff(models.Model):
    """A range a practitioner cannot be booked: time off (holiday, illness, training) or a blocked time."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="time_off")
    kind = models.CharField(_("kind"), max_length=20, choices=TimeOffKind.choices, default=TimeOffKind.TIME_OFF)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["start"]
        indexes = [models.Index(fields=["practitioner", "end"], name="timeoff_practitioner_end")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="timeoff_end_after_start"),
            models.CheckConstraint(
                condition=models.Q(start__gte=STORED_START, end__lte=STORED_END), name="timeoff_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner}: {self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}Z"

    def clean(self) -> None:
        super().clean()
        stored_check(self.start, field="start")
        stored_check(self.end, field="end")


class ClinicClosure(models.Model):
    """Days the whole clinic is closed (renovation, a local holiday), in the clinic's zone, inclusive."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("clinic closure")
        verbose_name_plural = _("clinic closures")
        ordering = ["start_date"]
        indexes = [models.Index(fields=["clinic", "end_date"], name="closure_clinic_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="closure_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__gte=STORED_FIRST, end_date__lte=STORED_LAST), name="closure_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic}: {self.start_date}-{self.end_date}"

    def clean(self) -> None:
        super().clean()
        stored_check(self.start_date, field="start_date")
        stored_check(self.end_date, field="end_date")


class PostedOpening(models.Model):
    """An extra opening the clinic posts ("Dr. Chen has 15:30 free today"), outside or despite the weekly hours."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="openings")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("posted opening")
        verbose_name_plural = _("posted openings")
        ordering = ["start"]
        indexes = [models.Index(fields=["practitioner", "end"], name="opening_practitioner_end")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="opening_end_after_start"),
            models.CheckConstraint(
                condition=models.Q(start__gte=STORED_START, end__lte=STORED_END), name="opening_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner}: {self.start:%Y-%m-%d %H:%M}Z"

    def clean(self) -> None:
        super().clean()
        stored_check(self.start, field="start")
        stored_check(self.end, field="end")


class BookingRules(models.Model):
    """How far ahead and how close to the time patients may book at a clinic (defaults when absent)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="booking_rules")
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), default=DEFAULT_NOTICE_MINUTES, validators=[MaxValueValidator(60 * 24 * 30)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booking horizon (days)"),
        default=DEFAULT_HORIZON_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HORIZON_DAYS)],
    )
    step_minutes = models.PositiveSmallIntegerField(
        _("start-time step (minutes)"),
        default=DEFAULT_STEP_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer between appointments (minutes)"), default=DEFAULT_BUFFER_MINUTES, validators=[MaxValueValidator(120)]
    )
    same_day_allowed = models.BooleanField(_("same-day booking allowed"), default=True)
    open_on_holidays = models.BooleanField(
        _("open on statutory holidays"), default=False, help_text=_("Closed on the province's holidays unless set.")
    )

    class Meta:
        verbose_name = _("booking rules")
        verbose_name_plural = _("booking rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(horizon_days__gte=1), name="bookingrules_horizon_min"),
            models.CheckConstraint(condition=models.Q(step_minutes__gte=5), name="bookingrules_step_min"),
        ]

    def __str__(self) -> str:
        return str(_("Booking rules of %(clinic)s") % {"clinic": self.clinic})


class ServiceBookingRules(models.Model):
    """A service's own rules where they differ from its clinic's; an empty field means "as the clinic"."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="booking_rules")
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), null=True, blank=True)
    horizon_days = models.PositiveSmallIntegerField(
        _("booking horizon (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HORIZON_DAYS)],
    )
    step_minutes = models.PositiveSmallIntegerField(
        _("start-time step (minutes)"), null=True, blank=True, validators=[MinValueValidator(5)]
    )
    buffer_minutes = models.PositiveSmallIntegerField(_("buffer (minutes)"), null=True, blank=True)
    same_day_allowed = models.BooleanField(_("same-day booking allowed"), null=True, blank=True)

    class Meta:
        verbose_name = _("service booking rules")
        verbose_name_plural = _("service booking rules")

    def __str__(self) -> str:
        return str(_("Booking rules of %(service)s") % {"service": self.service})


class NextOpenTime(models.Model):
    """Precomputed: the next few open starts of each practitioner for each service they offer.

    Rebuilt per clinic by ``next_open_times_refresh``; a row stops counting at ``bookable_until`` (the
    minimum notice, or the day before when same-day booking is off; inclusive), so reads stay right as time
    passes; the worker deletes rows past it (``next_open_times_prune``).
    """

    # The (clinic, discipline, start) index serves lookups by clinic: no separate one (fewer index writes).
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+", db_index=False)
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    discipline = models.CharField(max_length=20)
    start = models.DateTimeField()
    end = models.DateTimeField()
    bookable_until = models.DateTimeField()
    rank = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    # The clinic's place, copied when the row is written (and rewritten when the clinic moves: ``cache``'s
    # refresh, which the admin asks for), so the soonest walk tests the search's box inside its index and looks
    # up only the clinics inside it. At night in Toronto the walk passes the whole country's evening first.
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("next open time")
        verbose_name_plural = _("next open times")
        indexes = [
            # bookable_until too, so "has a time before ..." (the availability filters) is read from the index
            # alone: each clinic's first rows are often past their notice, and checking each in the table was
            # most of the cost of counting a dense area's matches.
            models.Index(
                fields=["clinic", "discipline", "start", "bookable_until"], name="nextopening_clinic_disc_until"
            ),
            # For "soonest first" across many clinics: walk starts in order, stop after a page of clinics.
            # (covering: the walk reads no table rows; a row outside the search's box is passed over in the index)
            models.Index(
                fields=["discipline", "start", "bookable_until", "clinic", "latitude", "longitude"],
                name="nextopening_discipline_start",
            ),
            models.Index(
                fields=["start", "bookable_until", "clinic", "latitude", "longitude"], name="nextopening_start"
            ),
            # The worker's prune (``cache.next_open_times_prune``) finds the rows past their notice here.
            models.Index(fields=["bookable_until"], name="nextopening_until"),
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id}/{self.practitioner_id}/{self.service_id} #{self.rank} {self.start:%Y-%m-%d %H:%M}Z"


class OpenDay(models.Model):
    """Precomputed with the next openings: a practitioner's last bookable moment of each day (clinic time) on which
    they have next openings of a discipline, beside the clinic's place.

    "Has an open time today" near a point is then one range of one index, tested inside it (``openday_box``),
    where the next openings answer it only with a look into each nearby clinic's rows: at 50,000 clinics the
    circle near Toronto holds 5,000 clinics and counting "available today" looked into 2,800 of them. Written by
    whoever writes the practitioner's next openings, in the same transaction (``next_open_times_refresh``, the
    demo), from the same rows (``cache.open_days_compute``). A day counts while ``last_until`` is not past, as its
    rows do. The place is a copy; the search still tests the clinic's own (a clinic moved since is not found at
    its old place, and its next refresh writes the new one: the admin asks for it when it saves a move).
    """

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+", db_index=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    discipline = models.CharField(max_length=20)
    # Midnight at the end of the day (clinic time) as an instant: one value per day, whatever the zone, and the
    # search's "today" is the end of today in each zone (``directory.selectors._day_ends``).
    day_end = models.DateTimeField()
    # The latest ``bookable_until`` among that day's next openings of the practitioner and discipline.
    last_until = models.DateTimeField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    # The place as a unit vector (``clinics.geo.unit_vector``), as the clinic stores it; plain columns, not
    # generated ones: SQLite reads a generated column from the table row, which would make each entry of the
    # index a table lookup.
    unit_x = models.FloatField()
    unit_y = models.FloatField()
    unit_z = models.FloatField()

    class Meta:
        verbose_name = _("open day")
        verbose_name_plural = _("open days")
        constraints = [
            # Also the index a practitioner's refresh deletes its rows by.
            models.UniqueConstraint(fields=["practitioner", "discipline", "day_end"], name="openday_unique"),
            models.CheckConstraint(condition=models.Q(last_until__lt=models.F("day_end")), name="openday_in_day"),
        ]
        indexes = [
            # "Available today" near a point: one day, the box, then the notice and the exact circle, all in the
            # index (the clinic is looked up only for the entries that pass).
            models.Index(
                fields=[
                    "discipline",
                    "day_end",
                    "latitude",
                    "longitude",
                    "last_until",
                    "unit_x",
                    "unit_y",
                    "unit_z",
                    "clinic",
                ],
                name="openday_box",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id}/{self.practitioner_id} {self.discipline} until {self.last_until:%Y-%m-%d %H:%M}Z"


class AvailabilityState(models.Model):
    """When a clinic's next openings were computed and when they need topping up (time passing)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="+")
    computed_at = models.DateTimeField()
    fresh_until = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("availability state")
        verbose_name_plural = _("availability states")

    def __str__(self) -> str:
        return f"{self.clinic_id} fresh until {self.fresh_until:%Y-%m-%d %H:%M}Z"

    def is_fresh(self, now: datetime) -> bool:
        return self.fresh_until > now
