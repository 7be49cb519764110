"""Admin: the clinics' feed subscriptions (until the portal has a page for them), and what imports made (read
only: an import or the opening's own removal changes those)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from interop.models import ApiToken, FeedSubscription, ImportedOpening


@admin.register(ImportedOpening)
class ImportedOpeningAdmin(admin.ModelAdmin):
    list_display = ("clinic", "practitioner", "start", "end", "slot_id", "source")
    list_filter = ("source",)
    list_select_related = ("clinic", "practitioner")
    search_fields = ("slot_id", "source", "clinic__slug")
    readonly_fields = ("clinic", "source", "practitioner", "opening", "start", "end", "slot_id", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportedOpening | None = None) -> bool:
        return False


@admin.register(FeedSubscription)
class FeedSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("clinic", "manifest_url", "last_polled_at", "last_ok", "next_poll_at")
    list_select_related = ("clinic",)
    raw_id_fields = ("clinic",)
    search_fields = ("clinic__slug", "manifest_url")
    readonly_fields = ("last_polled_at", "last_ok", "last_message", "last_skipped")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The clinics' FHIR API tokens: names and dates only (the secret was shown once, to the clinic)."""

    list_display = ("clinic", "name", "created_at", "revoked_at")
    list_select_related = ("clinic",)
    search_fields = ("clinic__slug", "name")
    exclude = ("token_hash",)
    readonly_fields = ("clinic", "name", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
