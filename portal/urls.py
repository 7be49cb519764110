"""The clinic portal's URLs. Every clinic-scoped page lives under ``<id:clinic_id>/`` and is
reached only through ``portal.access`` (404 for another clinic's staff)."""

from django.urls import include, path

app_name = "portal"
urlpatterns = [
    path("", include("portal.urls_day")),  # sign-in, today, appointments, exports, feeds, activity, staff
    path("", include("portal.urls_manage")),  # schedules, openings, rules, practitioners, services, profile
]
