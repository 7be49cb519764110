from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from places.models import City, search_names_for


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "name_fr", "province", "population", "time_zone", "slug", "geonameid"]
    list_filter = ["province", "time_zone"]
    search_fields = ["name", "name_fr", "slug", "search_names"]
    ordering = ["-population", "name"]
    readonly_fields = ["geonameid", "search_names"]
    prepopulated_fields = {"slug": ["name"]}
    show_full_result_count = False  # a COUNT(*) per page is wasted on thousands of cities

    def save_model(self, request: HttpRequest, obj: City, form: Any, change: bool) -> None:
        # A renamed city must be found by its new name; its old names and alternate spellings stay findable.
        obj.search_names = search_names_for(obj.name, obj.name_fr, *obj.search_names.split("|"))
        super().save_model(request, obj, form, change)
