"""Admin for schedules. Saving here refreshes next open times after the commit, as the write services do."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from scheduling.cache import next_open_times_refresh, next_open_times_refresh_after_commit
from scheduling.models import (
    AvailabilityState,
    BookingRules,
    ClinicClosure,
    NextOpenTime,
    PostedOpening,
    ServiceBookingRules,
    TimeOff,
    WorkingHours,
)


def _clinic_id(obj: Any) -> int:
    if hasattr(obj, "clinic_id"):
        return obj.clinic_id
    if hasattr(obj, "service"):
        return obj.service.clinic_id
    return obj.practitioner.clinic_id


class RefreshingAdmin(admin.ModelAdmin):
    """Recompute the clinic's next openings once a change commits, as the services do.

    The whole clinic's: an edit may move a row from one practitioner to another.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            next_open_times_refresh_after_commit(clinic_ids=[_clinic_id(obj)], now=timezone.now())

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        clinic_id = _clinic_id(obj)
        with transaction.atomic():
            super().delete_model(request, obj)
            next_open_times_refresh_after_commit(clinic_ids=[clinic_id], now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        clinic_ids = {_clinic_id(obj) for obj in queryset}
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            next_open_times_refresh_after_commit(clinic_ids=clinic_ids, now=timezone.now())


@admin.register(WorkingHours)
class WorkingHoursAdmin(RefreshingAdmin):
    list_display = ["practitioner", "weekday", "start_time", "end_time", "valid_from", "valid_until"]
    list_filter = ["weekday"]
    search_fields = ["practitioner__last_name", "practitioner__clinic__name"]
    raw_id_fields = ["practitioner"]
    list_select_related = ["practitioner"]


@admin.register(TimeOff)
class TimeOffAdmin(RefreshingAdmin):
    list_display = ["practitioner", "kind", "start", "end", "reason"]
    list_filter = ["kind"]
    search_fields = ["practitioner__last_name", "reason"]
    raw_id_fields = ["practitioner"]
    list_select_related = ["practitioner"]
    date_hierarchy = "start"


@admin.register(ClinicClosure)
class ClinicClosureAdmin(RefreshingAdmin):
    list_display = ["clinic", "start_date", "end_date", "reason"]
    search_fields = ["clinic__name", "reason"]
    raw_id_fields = ["clinic"]
    list_select_related = ["clinic"]


@admin.register(PostedOpening)
class OpeningAdmin(RefreshingAdmin):
    list_display = ["practitioner", "start", "end", "posted_by", "created_at"]
    search_fields = ["practitioner__last_name", "practitioner__clinic__name"]
    raw_id_fields = ["practitioner", "posted_by"]
    list_select_related = ["practitioner", "posted_by"]
    date_hierarchy = "start"


@admin.register(BookingRules)
class BookingRulesAdmin(RefreshingAdmin):
    list_display = [
        "clinic",
        "min_notice_minutes",
        "horizon_days",
        "step_minutes",
        "buffer_minutes",
        "same_day_allowed",
        "open_on_holidays",
    ]
    list_filter = ["same_day_allowed", "open_on_holidays"]
    search_fields = ["clinic__name"]
    raw_id_fields = ["clinic"]
    list_select_related = ["clinic"]


@admin.register(ServiceBookingRules)
class ServiceBookingRulesAdmin(RefreshingAdmin):
    list_display = ["service", "min_notice_minutes", "horizon_days", "step_minutes", "buffer_minutes"]
    search_fields = ["service__name", "service__clinic__name"]
    raw_id_fields = ["service"]
    list_select_related = ["service"]


@admin.register(NextOpenTime)
class NextOpeningAdmin(admin.ModelAdmin):
    """Read-only: the precomputed table, for looking into what search shows."""

    list_display = ["clinic", "practitioner", "service", "discipline", "rank", "start", "bookable_until", "computed_at"]
    list_filter = ["discipline"]
    raw_id_fields = ["clinic", "practitioner", "service"]
    list_select_related = ["clinic", "practitioner", "service"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AvailabilityState)
class AvailabilityStateAdmin(admin.ModelAdmin):
    list_display = ["clinic", "computed_at", "fresh_until"]
    raw_id_fields = ["clinic"]
    actions = ["refresh_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Recompute next openings now")
    def refresh_now(self, request: HttpRequest, queryset: Any) -> None:
        ids = list(queryset.values_list("clinic_id", flat=True))
        next_open_times_refresh(clinic_ids=ids, now=timezone.now())
        self.message_user(request, f"Recomputed {len(ids)} clinics.")
