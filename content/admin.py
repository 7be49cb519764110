"""Network staff edit guides here: Markdown in, a sanitized preview, publish/unpublish, and every save's revision.

Saves go through ``content.services.guide_save``, so an admin edit is recorded and marked, and a later
``content_load`` leaves it in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from content import markup
from content.models import Guide, GuideRevision, RevisionSource
from content.services import guide_save, guides_publish


class GuideRevisionInline(admin.TabularInline):
    model = GuideRevision
    fields = ["at", "by", "source", "changed"]
    readonly_fields = ["at", "by", "source", "changed"]
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-at", "-pk"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["slug", "kind", "title_en", "published", "edited_in_admin", "reviewed", "updated_at"]
    list_filter = ["kind", "published", "edited_in_admin"]
    search_fields = ["slug", "title_en", "title_fr", "summary_en", "summary_fr"]
    readonly_fields = ["edited_in_admin", "source_hash", "loaded_at", "updated_at", "preview_en", "preview_fr", "pages"]
    actions = ["publish", "unpublish"]
    inlines = [GuideRevisionInline]
    fieldsets = [
        (None, {"fields": ["kind", "slug", "published", "pages"]}),
        (
            _("English"),
            {"fields": ["title_en", "summary_en", "body_markdown_en", "preview_en", "reviewer_en",
                        "reviewer_credentials_en", "faq_en"]},
        ),
        (
            _("French"),
            {"fields": ["title_fr", "summary_fr", "body_markdown_fr", "preview_fr", "reviewer_fr",
                        "reviewer_credentials_fr", "faq_fr"]},
        ),
        (_("Both languages"), {"fields": ["techniques", "disciplines", "related", "reviewed", "sources"]}),
        (_("Loading"), {"fields": ["edited_in_admin", "source_hash", "loaded_at", "updated_at"]}),
    ]  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Guide | None = None) -> list[str]:
        # The slug is the guide's address and its file's name: fixed once the guide exists.
        return [*self.readonly_fields, "slug"] if obj is not None else list(self.readonly_fields)

    @admin.display(description=_("Preview (English)"))
    def preview_en(self, obj: Guide) -> SafeString:
        return self._preview(obj.body_markdown_en)

    @admin.display(description=_("Preview (French)"))
    def preview_fr(self, obj: Guide) -> SafeString:
        return self._preview(obj.body_markdown_fr)

    def _preview(self, text: str) -> SafeString:
        # Rendered and sanitized exactly as the page shows it (markup.render's allow-list), from the saved text.
        if not text:
            return SafeString("—")
        return format_html('<div class="guide-preview">{}</div>', SafeString(markup.render(text)))

    @admin.display(description=_("Pages"))
    def pages(self, obj: Guide) -> SafeString:
        if obj.pk is None:
            return SafeString("—")
        url = reverse("content:guide", kwargs={"slug": obj.slug})
        return format_html('<a href="{}">{}</a> · <a href="/fr{}">{}</a>', url, url, url, "/fr" + url)

    def save_model(self, request: HttpRequest, obj: Guide, form: Any, change: bool) -> None:
        guide_save(guide=obj, by=request.user, source=RevisionSource.ADMIN, now=timezone.now())  # type: ignore[arg-type]

    def _set_published(self, request: HttpRequest, queryset: QuerySet[Guide], published: bool) -> None:
        count = guides_publish(guides=queryset, published=published, by=request.user, now=timezone.now())  # type: ignore[arg-type]
        message = (
            ngettext("%(n)d guide published.", "%(n)d guides published.", count)
            if published
            else ngettext("%(n)d guide unpublished.", "%(n)d guides unpublished.", count)
        )
        self.message_user(request, message % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected guides"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Guide]) -> None:
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish the selected guides"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Guide]) -> None:
        self._set_published(request, queryset, False)
