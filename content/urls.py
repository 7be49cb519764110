from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("guides/", views.index, name="index"),
    path("guides/search/", views.search, name="search"),
    path("guides/<slug:slug>/", views.guide, name="guide"),
]
