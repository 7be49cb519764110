"""Management pages (schedules, calendar, practitioners, services, profile); kwargs are ``<thing>_id`` ints."""

from django.urls import path

from painhero import converters  # noqa: F401  (registers <id:...>)
from portal.views import calendar, catalog, interop, profile, schedules

CLINIC = "<id:clinic_id>/"
SCHEDULE = CLINIC + "schedules/<id:practitioner_id>/"  # one practitioner's schedule

urlpatterns = [
    path(CLINIC + "schedules/", schedules.schedules, name="schedules"),
    path(CLINIC + "schedules/closures/", schedules.closure_add, name="closure_add"),
    path(CLINIC + "schedules/closures/<id:closure_id>/remove/", schedules.closure_remove, name="closure_remove"),
    path(CLINIC + "schedules/rules/", schedules.rules_update, name="rules_update"),
    path(SCHEDULE, schedules.schedule, name="schedule"),
    path(SCHEDULE + "hours/", schedules.hours_set, name="hours_set"),
    path(SCHEDULE + "time-off/", schedules.time_off_add, name="time_off_add"),
    path(SCHEDULE + "time-off/<id:time_off_id>/remove/", schedules.time_off_remove, name="time_off_remove"),
    path(SCHEDULE + "slots/", schedules.slot_add, name="slot_add"),
    path(SCHEDULE + "openings/<id:opening_id>/remove/", schedules.posted_opening_remove, name="posted_opening_remove"),
    path(CLINIC + "calendar/", calendar.calendar, name="calendar"),
    path(CLINIC + "practitioners/", catalog.practitioners, name="practitioners"),
    path(CLINIC + "practitioners/new/", catalog.practitioner_add, name="practitioner_add"),
    path(CLINIC + "practitioners/<id:practitioner_id>/", catalog.practitioner_edit, name="practitioner_edit"),
    path(
        CLINIC + "practitioners/<id:practitioner_id>/retire/", catalog.practitioner_retire, name="practitioner_retire"
    ),
    path(CLINIC + "services/", catalog.services, name="services"),
    path(CLINIC + "services/new/", catalog.service_add, name="service_add"),
    path(CLINIC + "services/<id:service_id>/", catalog.service_edit, name="service_edit"),
    path(CLINIC + "services/<id:service_id>/retire/", catalog.service_retire, name="service_retire"),
    path(CLINIC + "profile/", profile.profile, name="profile"),
    path(CLINIC + "software/", interop.interop_page, name="interop"),
    path(CLINIC + "software/feed/", interop.feed_url_set, name="feed_url_set"),
    path(CLINIC + "software/feed/fetch/", interop.feed_fetch, name="feed_fetch"),
    path(CLINIC + "software/feed/mapping/", interop.feed_mapping_set, name="feed_mapping_set"),
    path(CLINIC + "software/tokens/", interop.api_token_create, name="api_token_create"),
    path(CLINIC + "software/tokens/<id:apitoken_id>/revoke/", interop.api_token_revoke, name="api_token_revoke"),
]
