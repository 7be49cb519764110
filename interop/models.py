"""What a SMART Scheduling Links import made, so a later import of the same feed can tell its own openings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic, Practitioner
from scheduling.models import PostedOpening

SOURCE_LENGTH = 500


class ImportedOpening(models.Model):
    """A posted opening made from a feed's free Slot (one per practitioner and time, whichever Slots name it).

    Removing the opening (by hand in the portal, or when it vanishes from the feed) removes this row with it.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("manifest URL"), max_length=SOURCE_LENGTH)
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+")
    opening = models.OneToOneField(PostedOpening, on_delete=models.CASCADE, related_name="imported_from")
    start = models.DateTimeField()
    end = models.DateTimeField()
    slot_id = models.CharField(_("feed's Slot id"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("imported opening")
        verbose_name_plural = _("imported openings")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "practitioner", "start", "end"], name="importedopening_one_per_time"
            ),
        ]
        indexes = [models.Index(fields=["clinic", "source"], name="importedopening_clinic_source")]

    def __str__(self) -> str:
        return f"{self.source} {self.slot_id} -> {self.opening_id}"


class FeedSubscription(models.Model):
    """A clinic's own SMART Scheduling Links feed, polled by ``manage.py smart_poll``, and its saved mapping."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="feed_subscription")
    manifest_url = models.CharField(_("manifest URL"), max_length=SOURCE_LENGTH)
    location_id = models.CharField(_("feed's Location id"), max_length=64, blank=True)
    # The feed's Schedule id -> one of the clinic's practitioner ids; unmapped Schedules map by discipline.
    schedule_map = models.JSONField(_("Schedule to practitioner"), default=dict, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(default=False)
    # What the last poll said: counts, or why the feed could not be read; skipped lines (file:line [id] why).
    last_message = models.TextField(blank=True)
    last_skipped = models.JSONField(default=list, blank=True)
    # The feed's Schedules at the last poll ([{"id", "discipline", "location"}]), for the portal's mapping form;
    # and the booked times that left the feed and were kept (flagged to the clinic).
    last_schedules = models.JSONField(default=list, blank=True)
    # The feed's Locations at the last poll ([{"id", "name"}]), for the form's choice of the clinic's Location.
    last_locations = models.JSONField(default=list, blank=True)
    last_kept_booked = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("feed subscription")
        verbose_name_plural = _("feed subscriptions")

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.manifest_url}"


class FeedFile(models.Model):
    """One stored version of a published NDJSON file (``Location``, ``Schedule``, ``Slot-<province>``).

    Written once, by ``manage.py smart_publish`` (``interop.feed_store``), and then served as it is by the feed's
    GETs, which write nothing. ``version`` is what the file was made from (``feed.data_version``), ``etag``
    that and the moment it was made: two files of the same data made at two moments differ (the past drops out).
    """

    name = models.CharField(max_length=20)
    version = models.CharField(max_length=32)
    etag = models.CharField(max_length=40)
    path = models.CharField(max_length=200, unique=True)
    size = models.BigIntegerField()
    lines = models.PositiveIntegerField()
    made_at = models.DateTimeField()

    class Meta:
        verbose_name = _("published feed file")
        verbose_name_plural = _("published feed files")
        constraints = [
            models.UniqueConstraint(fields=["name", "etag"], name="feedfile_one_per_version"),
            models.CheckConstraint(condition=models.Q(size__gte=0), name="feedfile_size_not_negative"),
        ]
        indexes = [models.Index(fields=["name", "-made_at"], name="feedfile_name_newest")]

    def __str__(self) -> str:
        return f"{self.name} {self.etag} {self.made_at:%Y-%m-%d %H:%M}Z"


class ApiToken(models.Model):
    """A clinic staff member's key to the FHIR API's Appointment reads: one clinic only, hashed at rest.

    The secret is shown once, when it is made; only its SHA-256 is kept (a leaked database leaks no key).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.name}"
