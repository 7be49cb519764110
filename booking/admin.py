"""Appointments and holds are shown, not edited: every change to them goes through the booking services,
which take the locks, keep the audit events and queue the notifications (see LOCKING.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from booking.models import Appointment, ClinicBookingPolicy, Hold


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["start", "end", "status", "source", "clinic", "practitioner", "service", "created_at"]
    list_filter = ["status", "source", "first_visit", "clinic__province"]
    list_select_related = ["clinic", "practitioner", "service"]
    search_fields = ["clinic__name", "practitioner__last_name", "patient_email"]
    date_hierarchy = "start"
    show_full_result_count = False
    # The note (what hurts) is health information: it is read only through audited paths, never here.
    exclude = ["note"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancelling is a booking service (it frees the time and tells the patient)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["start", "end", "practitioner", "service", "expires_at", "created_at"]
    list_select_related = ["practitioner", "service"]
    search_fields = ["practitioner__last_name", "service__clinic__name"]
    date_hierarchy = "start"
    exclude = ["token", "owner_key"]  # secrets that let their holder book the held time


@admin.register(ClinicBookingPolicy)
class ClinicBookingPolicyAdmin(admin.ModelAdmin):
    list_display = ["clinic", "cancellation_window_hours", "reminder_hours"]
    list_select_related = ["clinic"]
    search_fields = ["clinic__name"]
    autocomplete_fields = ["clinic"]
