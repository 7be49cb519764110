from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("how-we-inspect/", views.how_we_inspect, name="how_we_inspect"),
    # Behind the manage link (booking:manage is appointments/<token>/): the token is the patient's key.
    path("appointments/<str:token>/review/", views.review, name="review"),
]

from quality import complaint_views  # noqa: E402

urlpatterns += [
    path("appointments/<str:token>/complaint/", complaint_views.complaint, name="complaint"),
]
