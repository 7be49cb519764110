from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry, CalendarFeed, Invitation, Membership, Organization, OrganizationClinic


class OrganizationClinicInline(admin.TabularInline):
    model = OrganizationClinic
    raw_id_fields = ["clinic"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [OrganizationClinicInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "role", "practitioner"]
    list_filter = ["role"]
    search_fields = ["user__email", "clinic__name"]
    raw_id_fields = ["user", "clinic", "practitioner"]
    list_select_related = ["user", "clinic", "practitioner"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "clinic", "role", "expires_at", "accepted_at"]
    search_fields = ["email", "clinic__name"]
    raw_id_fields = ["clinic", "practitioner", "invited_by"]
    exclude = ["token"]  # the token is a password: not shown


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: a trail that can be edited is not a trail."""

    list_display = ["at", "clinic", "user", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["clinic__name", "user__email", "summary"]
    list_select_related = ["clinic", "user"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "created_at"]
    raw_id_fields = ["practitioner"]
    exclude = ["token"]
