"""Health guides (treatments, conditions, comparisons, answers), one row per slug with both languages.

The text is written in Markdown (``body_markdown_*``); ``body_html_*`` and the folded ``search_*`` columns are
derived from it by ``content.services.guide_save``, the one writer, which also records a ``GuideRevision``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from content.catalog import Kind

# Reviewed dates are bounded like every date the site stores (DESIGN.md, invariant 7).
REVIEWED_MIN = dt.date(2000, 1, 1)
REVIEWED_MAX = dt.date(2100, 1, 1)
# The fields each language has, as ``<name>_en`` and ``<name>_fr``.
TRANSLATED = ("title", "summary", "body_markdown", "body_html", "reviewer", "reviewer_credentials", "faq", "search")


def _in_french() -> bool:
    return (get_language() or "en").startswith("fr")


class GuideQuerySet(models.QuerySet["Guide"]):
    def published(self) -> GuideQuerySet:
        return self.filter(published=True)


class Guide(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    summary_en = models.CharField(_("summary (English)"), max_length=300)
    summary_fr = models.CharField(_("summary (French)"), max_length=300)
    body_markdown_en = models.TextField(_("body (English, Markdown)"))
    body_markdown_fr = models.TextField(_("body (French, Markdown)"))
    # Rendered from the Markdown and sanitized by content.markup; never edited by hand.
    body_html_en = models.TextField(editable=False, default="")
    body_html_fr = models.TextField(editable=False, default="")
    techniques = models.JSONField(_("technique slugs"), default=list, blank=True)
    disciplines = models.JSONField(_("disciplines"), default=list, blank=True)
    related = models.JSONField(_("related guide slugs"), default=list, blank=True)
    reviewed = models.DateField(_("last reviewed"))
    reviewer_en = models.CharField(_("reviewer (English)"), max_length=200)
    reviewer_fr = models.CharField(_("reviewer (French)"), max_length=200)
    reviewer_credentials_en = models.CharField(_("reviewer credentials (English)"), max_length=300)
    reviewer_credentials_fr = models.CharField(_("reviewer credentials (French)"), max_length=300)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    faq_en = models.JSONField(_("FAQ (English)"), default=list, blank=True)
    faq_fr = models.JSONField(_("FAQ (French)"), default=list, blank=True)
    published = models.BooleanField(_("published"), default=True)
    # Accent-free, lower-case title, summary and body text: the site search matches on it (both databases).
    search_en = models.TextField(editable=False, default="")
    search_fr = models.TextField(editable=False, default="")
    # The SHA-256 of the two files the guide was last loaded from; "" for a guide made in the admin.
    source_hash = models.CharField(max_length=64, editable=False, default="")
    loaded_at = models.DateTimeField(null=True, editable=False)
    # Set by an edit in the admin, cleared by a forced load: while set, content_load leaves the guide alone.
    edited_in_admin = models.BooleanField(_("edited in the admin"), default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "slug"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="guide_kind_known"),
            models.CheckConstraint(condition=Q(slug__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"), name="guide_slug_shape"),
            models.CheckConstraint(
                condition=~Q(title_en="") & ~Q(title_fr="") & ~Q(summary_en="") & ~Q(summary_fr=""),
                name="guide_titles_in_both_languages",
            ),
            models.CheckConstraint(
                condition=~Q(body_markdown_en="") & ~Q(body_markdown_fr=""), name="guide_body_in_both_languages"
            ),
            models.CheckConstraint(
                condition=Q(reviewed__gte=REVIEWED_MIN, reviewed__lt=REVIEWED_MAX), name="guide_reviewed_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def _local(self, name: str) -> Any:
        return getattr(self, f"{name}_fr" if _in_french() else f"{name}_en")

    # The visitor's language's version of each translated field.
    @property
    def title(self) -> str:
        return str(self._local("title"))

    @property
    def summary(self) -> str:
        return str(self._local("summary"))

    @property
    def body_html(self) -> str:
        return str(self._local("body_html"))

    @property
    def reviewer(self) -> str:
        return str(self._local("reviewer"))

    @property
    def reviewer_credentials(self) -> str:
        return str(self._local("reviewer_credentials"))

    @property
    def faq(self) -> list[dict[str, str]]:
        return list(self._local("faq"))


class RevisionSource(models.TextChoices):
    LOAD = "load", _("Loaded from the guide files")
    ADMIN = "admin", _("Edited in the admin")


class GuideRevision(models.Model):
    """One save of a guide: who, when, from where, which fields changed and what they said before."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("by")
    )
    source = models.CharField(_("source"), max_length=10, choices=RevisionSource.choices)
    changed = models.JSONField(_("fields changed"), default=list)
    # The changed fields' values before this save (the derived HTML and search text left out).
    before = models.JSONField(_("values before"), default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.CheckConstraint(condition=Q(source__in=RevisionSource.values), name="guide_revision_source_known"),
        ]

    def __str__(self) -> str:
        return f"{self.guide.slug} @ {self.at:%Y-%m-%d %H:%M}"
