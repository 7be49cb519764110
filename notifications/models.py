"""The outbox: messages written in the same transaction as the change they announce.

A rolled-back change leaves no row, so nothing is sent; a committed one always has
a row, which a task (enqueued on commit) or the periodic sweep delivers at least once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    # A once-only message (one with a dedupe key) being handed to the provider; a sender that dies here leaves
    # it so, and it is never sent again (a reminder twice is worse than a reminder missed after a crash).
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # Nothing to send any more when its time came (e.g. a reminder for a visit since cancelled or moved).
    SKIPPED = "skipped", _("Not needed")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")
    FAILED = "failed", _("Failed")


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def undelivered(self) -> OutboxQuerySet:
        return self.filter(sent_at__isnull=True)

    def due(self, now: object) -> OutboxQuerySet:
        """Undelivered, not claimed by a worker right now (a claim lapses if the worker died), not held back for
        later (``not_before``), and not lost in flight (a once-only message whose sender died while sending)."""
        return (
            self.undelivered()
            .filter(status=MessageStatus.PENDING)
            .filter(models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now))
            .filter(models.Q(not_before__isnull=True) | models.Q(not_before__lte=now))
        )

    def about(self, ref: str) -> OutboxQuerySet:
        """The messages about one thing ("appointment:12"), newest first."""
        return self.filter(ref=ref).order_by("-created_at", "-pk")


class OutboxMessage(models.Model):
    # What to send, e.g. "booking.created"; a builder registered for it renders the email at delivery.
    kind = models.CharField(max_length=60)
    # Identifiers only (never patient details or health information): the builder reads the rest.
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True, default="")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(max_length=20, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    # One message per key, ever (a unique constraint): a reminder queued twice is one row, sent once.
    dedupe_key = models.CharField(max_length=160, null=True, blank=True)
    # Not to be delivered before this moment (a reminder's time, the end of quiet hours).
    not_before = models.DateTimeField(null=True, blank=True)
    # What the message is about, for the pages that list them ("appointment:12"); identifiers only.
    ref = models.CharField(max_length=60, blank=True, default="", db_index=True)
    # The provider's id for the message (an SMS's), which its delivery status callback quotes.
    provider_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    status_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_undelivered"),
            models.Index(
                fields=["not_before"], condition=models.Q(sent_at__isnull=True), name="outbox_undelivered_not_before"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=models.Q(dedupe_key__isnull=False), name="outbox_dedupe_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class WorkerHeartbeat(models.Model):
    """A background worker saying it is alive; see notifications/worker.py (``manage.py task_worker``)."""

    # The id django-tasks records in each task row it claims (DBTaskResult.worker_ids).
    worker_id = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        indexes = [models.Index(fields=["beat_at"], name="worker_heartbeat_beat_at")]

    def __str__(self) -> str:
        return self.worker_id
