"""Management pages (schedules, calendar, practitioners, services, profile); kwargs are ``<thing>_id`` ints."""

from django.urls import path

from painhero import converters  # noqa: F401  (registers <id:...>)
from portal.manage import calendar, catalog, profile, schedules

C = "<id:clinic_id>/"
P = C + "schedules/<id:practitioner_id>/"

urlpatterns = [
    path(C + "schedules/", schedules.schedules, name="schedules"),
    path(C + "schedules/closures/", schedules.closure_add, name="closure_add"),
    path(C + "schedules/closures/<id:closure_id>/remove/", schedules.closure_remove, name="closure_remove"),
    path(C + "schedules/rules/", schedules.rules_update, name="rules_update"),
    path(P, schedules.schedule, name="schedule"),
    path(P + "hours/", schedules.hours_set, name="hours_set"),
    path(P + "time-off/", schedules.time_off_add, name="time_off_add"),
    path(P + "time-off/<id:time_off_id>/remove/", schedules.time_off_remove, name="time_off_remove"),
    path(P + "slots/", schedules.slot_add, name="slot_add"),
    path(P + "openings/<id:opening_id>/remove/", schedules.posted_opening_remove, name="posted_opening_remove"),
    path(C + "calendar/", calendar.calendar, name="calendar"),
    path(C + "practitioners/", catalog.practitioners, name="practitioners"),
    path(C + "practitioners/new/", catalog.practitioner_add, name="practitioner_add"),
    path(C + "practitioners/<id:practitioner_id>/", catalog.practitioner_edit, name="practitioner_edit"),
    path(C + "practitioners/<id:practitioner_id>/retire/", catalog.practitioner_retire, name="practitioner_retire"),
    path(C + "services/", catalog.services, name="services"),
    path(C + "services/new/", catalog.service_add, name="service_add"),
    path(C + "services/<id:service_id>/", catalog.service_edit, name="service_edit"),
    path(C + "services/<id:service_id>/retire/", catalog.service_retire, name="service_retire"),
    path(C + "profile/", profile.profile, name="profile"),
]
