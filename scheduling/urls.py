from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("clinics/<slug:city_slug>/<slug:clinic_slug>/open-times/", views.week, name="week"),
]
