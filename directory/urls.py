from django.urls import path, register_converter

from clinics.models import Discipline
from directory import views

app_name = "directory"


class DisciplineConverter:
    """A discipline in a URL, written with hyphens ("massage-therapy").

    It is tried before the clinic slug, so ``/clinics/toronto/physiotherapy/`` is the
    city's physiotherapy page and any other slug is a clinic profile.
    """

    regex = "|".join(value.replace("_", "-") for value in Discipline.values)

    def to_python(self, value: str) -> str:
        return value.replace("-", "_")

    def to_url(self, value: str) -> str:
        return str(value).replace("_", "-")


register_converter(DisciplineConverter, "discipline")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("clinics/", views.city_index, name="city_index"),
    path("clinics/<slug:city_slug>/", views.city, name="city"),
    path("clinics/<slug:city_slug>/<discipline:discipline>/", views.city, name="city_discipline"),
    path("clinics/<slug:city_slug>/<slug:clinic_slug>/", views.detail, name="detail"),
    path("clinics/<slug:city_slug>/<slug:clinic_slug>/reviews/", views.reviews, name="reviews"),
]
