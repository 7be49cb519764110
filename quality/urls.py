from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("how-we-inspect/", views.how_we_inspect, name="how_we_inspect"),
]
