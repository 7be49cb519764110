"""Clinics, the practitioners who work there, and what patients can book."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Cos, Radians, Sin
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from painhero import formats
from places.models import City, Province


def _in_french() -> bool:
    return (get_language() or "en").startswith("fr")


class Discipline(models.TextChoices):
    PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
    CHIROPRACTIC = "chiropractic", _("Chiropractic")
    MASSAGE_THERAPY = "massage_therapy", _("Massage therapy")

    @classmethod
    def practitioner_title(cls, value: str) -> str:
        return str(
            {
                cls.PHYSIOTHERAPY: _("Physiotherapist"),
                cls.CHIROPRACTIC: _("Chiropractor"),
                cls.MASSAGE_THERAPY: _("Registered massage therapist"),
            }[cls(value)]
        )


class BilingualName(models.Model):
    """Reference data named in both official languages (techniques, languages, insurers)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name (English)"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_fr if _in_french() and self.name_fr else self.name


class Technique(BilingualName):
    """A treatment technique, e.g. Active Release Technique, Graston, dry needling."""

    description = models.TextField(blank=True)

    class Meta(BilingualName.Meta):
        verbose_name = _("technique")
        verbose_name_plural = _("techniques")


class Language(BilingualName):
    """A language care is offered in; ``slug`` is the ISO 639-1 code (en, fr, zh, pa, ...)."""

    class Meta(BilingualName.Meta):
        verbose_name = _("language")
        verbose_name_plural = _("languages")


class Insurer(BilingualName):
    """An insurer a clinic can bill directly (Sun Life, Manulife, Canada Life, ...)."""

    class Meta(BilingualName.Meta):
        verbose_name = _("insurer")
        verbose_name_plural = _("insurers")


class NetworkStatus(models.TextChoices):
    """Where a clinic is in its life with the network: applicant -> in the network (admitted) -> (probation)
    -> suspended -> removed. The quality app moves it, with a history row for every move."""

    APPLICANT = "applicant", _("Applicant")
    IN_NETWORK = "in_network", _("In the network")
    # Admitted but found short at a re-inspection: still listed and bookable while it fixes what it was told.
    PROBATION = "probation", _("On probation")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


# The statuses patients see and can book (DESIGN.md invariant 11): the one definition, used by ``in_network()``.
LISTED_STATUSES = (NetworkStatus.IN_NETWORK, NetworkStatus.PROBATION)


class ClinicQuerySet(models.QuerySet["Clinic"]):
    def in_network(self) -> ClinicQuerySet:
        """Clinics patients can find and book: admitted ones and those on probation."""
        return self.filter(network_status__in=LISTED_STATUSES)

    def within_box(self, *, south: float, west: float, north: float, east: float) -> ClinicQuerySet:
        """Clinics inside a latitude/longitude box: the indexed prefilter of a radius search."""
        return self.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(max_length=180, unique=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="clinics", verbose_name=_("city"))
    address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=7)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    time_zone = models.CharField(_("time zone"), max_length=64, help_text=_("IANA name, e.g. America/St_Johns"))
    phone = models.CharField(_("phone"), max_length=20, help_text=_("E.164, e.g. +14165550123"))
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    accessibility_notes = models.CharField(_("accessibility notes"), max_length=300, blank=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="clinics", verbose_name=_("languages"))
    insurers = models.ManyToManyField(
        Insurer, blank=True, related_name="clinics", verbose_name=_("insurers billed directly")
    )
    network_status = models.CharField(
        _("network status"), max_length=20, choices=NetworkStatus.choices, default=NetworkStatus.APPLICANT
    )
    # Filled by the 50-point inspection (quality app); shown to patients and used for ranking.
    inspection_score = models.PositiveSmallIntegerField(
        _("inspection score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The point as a unit vector (x, y, z) on the sphere, kept by the database: a radius search then
    # needs only arithmetic (the chord between two points), where the trigonometry of a haversine
    # would run once per nearby clinic (on SQLite as Python functions, the cost of a city search).
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

    objects = ClinicQuerySet.as_manager()

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]
        indexes = [
            # The radius search: the box on latitude/longitude, then the exact test on the unit vector, both in
            # the index (a city holds thousands of candidates). PostgreSQL reads it alone; SQLite still reads
            # each candidate's row, as it takes a generated column (the unit vector) from the row. The
            # zone too: "available today" ends at midnight on the clinic's clock, and looking up each clinic
            # of a dense circle for it was a fifth of counting the matches (Toronto at 50,000 clinics). The id
            # last: SQLite's index entries carry it anyway (the rowid), PostgreSQL's do not, and without it each
            # search's read of the circle's ids went to the table (a bitmap scan of 600 pages near Toronto at
            # 10,000 clinics, 4.9 -> 2.7 ms).
            models.Index(
                fields=["latitude", "longitude", "network_status", "unit_x", "unit_y", "unit_z", "time_zone", "id"],
                name="clinic_box_zone_idx",
            ),
            # Each city's count of in-network clinics (the autocomplete, city pages), read from this index alone:
            # a big city has thousands, and checking each one's row cost more than the rest of the answer.
            models.Index(fields=["city", "network_status", "id"], name="clinic_city_status_idx"),
            # "By score" near a point walks this in score order, a latitude range per score (SQLite's skip-scan;
            # see directory/selectors.py), and stops at the page: the box index would have every clinic of a
            # dense circle looked up and sorted (5,062 within 25 km of Toronto at 50,000 clinics).
            models.Index(
                fields=["inspection_score", "latitude", "longitude", "network_status", "unit_x", "unit_y", "unit_z"],
                name="clinic_score_box_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90), name="clinic_latitude_range"
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180), name="clinic_longitude_range"
            ),
            models.CheckConstraint(
                condition=models.Q(inspection_score__isnull=True) | models.Q(inspection_score__lte=100),
                name="clinic_inspection_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


class OpeningHours(models.Model):
    """The clinic's public opening hours: one row per open block of a weekday (0 = Monday)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)], help_text=_("0 = Monday, 6 = Sunday")
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_hours_weekday_range"),
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.opens:%H:%M}-{self.closes:%H:%M}"


class PractitionerQuerySet(models.QuerySet["Practitioner"]):
    def names(self) -> dict[int, str]:
        """Each practitioner's display name by id, in one query of two columns (the one name lookup)."""
        return {pk: f"{first} {last}" for pk, first, last in self.values_list("pk", "first_name", "last_name")}


class Practitioner(models.Model):
    """A practitioner as they work at one clinic (someone at two clinics has two records)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="practitioners")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices, db_index=True)
    credentials = models.CharField(_("credentials"), max_length=80, blank=True, help_text=_("e.g. PT, MScPT"))
    college = models.CharField(_("regulatory college"), max_length=160, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    techniques = models.ManyToManyField(Technique, blank=True, related_name="practitioners")
    languages = models.ManyToManyField(Language, blank=True, related_name="practitioners")
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Retired practitioners keep their history."))

    objects = PractitionerQuerySet.as_manager()

    class Meta:
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        ordering = ["last_name", "first_name"]
        # "Has an active physiotherapist", checked for each clinic of a search area: from the index alone.
        indexes = [models.Index(fields=["clinic", "discipline", "is_active"], name="practitioner_clinic_disc")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def title(self) -> str:
        return Discipline.practitioner_title(self.discipline)


class ServiceKind(models.TextChoices):
    INITIAL = "initial", _("Initial assessment")
    FOLLOW_UP = "follow_up", _("Follow-up")
    TREATMENT = "treatment", _("Treatment")
    CONSULTATION = "consultation", _("Consultation")
    # 15-20 minutes by phone or video, free, with no obligation: a talk that builds the care plan, not a treatment.
    FREE_CONSULTATION = "free_consultation", _("Free consultation")


# How long a free consultation lasts (issue 12), checked by the model and the database alike.
FREE_CONSULTATION_MINUTES = (15, 20)


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Online")
    PHONE = "phone", _("By phone")


# A free consultation happens at a distance: a video call ("virtual") or a phone call.
REMOTE_DELIVERIES = (Delivery.VIRTUAL, Delivery.PHONE)


class Service(models.Model):
    """Something a patient can book at a clinic: a discipline, a duration and a price."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices, default=ServiceKind.TREATMENT)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    price_cents = models.PositiveIntegerField(_("price (cents)"), help_text=_("Before tax, in Canadian cents."))
    practitioners = models.ManyToManyField(
        Practitioner, blank=True, related_name="services", verbose_name=_("practitioners who offer it")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["discipline", "kind", "duration_minutes"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="service_duration_range",
            ),
            models.CheckConstraint(condition=models.Q(price_cents__gte=0), name="service_price_not_negative"),
            # A free consultation is free, remote and 15-20 minutes long, whoever writes the row.
            models.CheckConstraint(
                condition=~models.Q(kind=ServiceKind.FREE_CONSULTATION)
                | models.Q(
                    price_cents=0,
                    delivery__in=REMOTE_DELIVERIES,
                    duration_minutes__gte=FREE_CONSULTATION_MINUTES[0],
                    duration_minutes__lte=FREE_CONSULTATION_MINUTES[1],
                ),
                name="service_free_consultation_terms",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_fr if _in_french() and self.name_fr else self.name

    @property
    def price(self) -> str:
        return formats.price(self.price_cents)

    @property
    def is_free_consultation(self) -> bool:
        return self.kind == ServiceKind.FREE_CONSULTATION

    def clean(self) -> None:
        super().clean()
        if self.kind != ServiceKind.FREE_CONSULTATION:
            return
        errors: dict[str, object] = {}
        if self.price_cents:
            errors["price_cents"] = _("A free consultation costs nothing: set the price to 0.")
        if self.delivery not in REMOTE_DELIVERIES:
            errors["delivery"] = _("A free consultation happens by phone or video, not in person.")
        low, high = FREE_CONSULTATION_MINUTES
        if self.duration_minutes is not None and not low <= self.duration_minutes <= high:
            errors["duration_minutes"] = _("A free consultation lasts %(low)d to %(high)d minutes.") % {
                "low": low,
                "high": high,
            }
        if errors:
            raise ValidationError(errors)
