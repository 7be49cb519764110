"""Admin: what feed imports made (read only: an import or the opening's own removal changes these)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from interop.models import ImportedOpening


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
