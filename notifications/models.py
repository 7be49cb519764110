"""The outbox: messages written in the same transaction as the change they announce.

A rolled-back change leaves no row, so nothing is sent; a committed one always has
a row, which a task (enqueued on commit) or the periodic sweep delivers at least once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def undelivered(self) -> OutboxQuerySet:
        return self.filter(sent_at__isnull=True)

    def due(self, now: object) -> OutboxQuerySet:
        """Undelivered and not claimed by a worker right now (a claim lapses if the worker died)."""
        return self.undelivered().filter(models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now))


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

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_undelivered")
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
