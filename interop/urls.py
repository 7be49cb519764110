from django.urls import path

from interop import views

app_name = "interop"

urlpatterns = [
    path("$bulk-publish", views.bulk_publish, name="bulk_publish"),
    path("Location.ndjson", views.locations_file, name="locations"),
    path("Schedule.ndjson", views.schedules_file, name="schedules"),
    path("Slot-<str:province>.ndjson", views.slots_file, name="slots"),
    path("metadata", views.metadata, name="metadata"),
    path("Location/<str:pk>", views.location_read, name="location"),
    path("Schedule", views.schedule_search, name="schedule_search"),
    path("Schedule/<str:pk>", views.schedule_read, name="schedule"),
    path("Slot", views.slot_search, name="slot_search"),
    path("Appointment/<str:pk>", views.appointment_read, name="appointment"),
]
