from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.hooks import catalogue_changed
from clinics.models import WEEKDAYS, Clinic, Insurer, Language, OpeningHours, Practitioner, Service, Technique


class BilingualNameAdmin(admin.ModelAdmin):
    list_display = ["name", "name_fr", "slug"]
    search_fields = ["name", "name_fr", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Technique)
class TechniqueAdmin(BilingualNameAdmin):
    pass


@admin.register(Language)
class LanguageAdmin(BilingualNameAdmin):
    prepopulated_fields = {}  # the slug is an ISO 639 code, not derived from the name


@admin.register(Insurer)
class InsurerAdmin(BilingualNameAdmin):
    pass


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class PractitionerInline(admin.TabularInline):
    model = Practitioner
    fields = ["first_name", "last_name", "discipline", "credentials", "registration_number", "is_active"]
    extra = 0
    show_change_link = True


class ServiceInline(admin.TabularInline):
    model = Service
    fields = ["name", "name_fr", "discipline", "kind", "delivery", "duration_minutes", "price_cents", "is_active"]
    extra = 0
    show_change_link = True


# What the next openings are computed on and carry (their place, their days on the clinic's clock).
PLACE_FIELDS = {"latitude", "longitude", "time_zone"}


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "city",
        "province",
        "network_status",
        "inspection_score",
        "wheelchair_accessible",
        "phone",
        "updated_at",
    ]
    list_filter = ["network_status", "province", ("practitioners__discipline", admin.ChoicesFieldListFilter)]
    list_filter += ["wheelchair_accessible", "languages", "insurers"]
    list_select_related = ["city"]
    search_fields = ["name", "slug", "city__name", "city__name_fr", "postal_code", "phone", "email"]
    autocomplete_fields = ["city", "languages", "insurers"]
    prepopulated_fields = {"slug": ["name"]}
    # Trust is derived, never typed (DESIGN.md invariant 11): the score and the status come from inspections
    # (quality.services), which also keep the status history.
    readonly_fields = ["network_status", "inspection_score", "created_at", "updated_at"]
    inlines = [OpeningHoursInline, PractitionerInline, ServiceInline]
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "network_status", "inspection_score", "description"]}),
        (
            _("Location"),
            {"fields": ["city", "address", "postal_code", "province", "latitude", "longitude", "time_zone"]},
        ),
        (_("Contact"), {"fields": ["phone", "email", "website"]}),
        (
            _("For patients"),
            {"fields": ["languages", "insurers", "wheelchair_accessible", "accessibility_notes"]},
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Clinic, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # The next openings and open days carry the clinic's place, and its days are cut on its clock: a move or a
        # new zone has them recomputed (after this save commits), or the clinic would be searched for where it was.
        if change and PLACE_FIELDS & set(form.changed_data):
            catalogue_changed(clinic_ids=[obj.pk], now=timezone.now())


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "discipline", "credentials", "clinic", "college", "is_active"]
    list_display_links = ["last_name", "first_name"]
    list_filter = ["discipline", "is_active", "clinic__province", "languages", "techniques"]
    list_select_related = ["clinic"]
    search_fields = ["first_name", "last_name", "registration_number", "clinic__name"]
    autocomplete_fields = ["clinic", "techniques", "languages"]
    show_full_result_count = False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "clinic", "discipline", "kind", "delivery", "duration_minutes", "price", "is_active"]
    list_filter = ["discipline", "kind", "delivery", "is_active", "clinic__province"]
    list_select_related = ["clinic"]
    search_fields = ["name", "name_fr", "clinic__name"]
    autocomplete_fields = ["clinic", "practitioners"]
    show_full_result_count = False

    @admin.display(description=_("price"), ordering="price_cents")
    def price(self, obj: Service) -> str:
        return obj.price


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["clinic", "day", "opens", "closes"]
    list_filter = ["weekday", "clinic__province"]
    list_select_related = ["clinic"]
    search_fields = ["clinic__name"]
    autocomplete_fields = ["clinic"]
    show_full_result_count = False

    @admin.display(description=_("weekday"), ordering="weekday")
    def day(self, obj: OpeningHours) -> str:
        return str(WEEKDAYS[obj.weekday])

    def get_queryset(self, request: HttpRequest) -> QuerySet[OpeningHours]:
        return super().get_queryset(request).order_by("clinic__name", "weekday", "opens")
