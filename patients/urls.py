from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("what-hurts/", views.intake, name="intake"),
    path("what-hurts/answer/<uuid:public_id>/", views.answer, name="answer"),
    path("what-hurts/answer/<uuid:public_id>/clearance/", views.clearance, name="clearance"),
    path("what-hurts/answer/<uuid:public_id>/consult/", views.consult, name="consult"),
    path("what-hurts/answer/<uuid:public_id>/consultations/", views.consultations, name="consultations"),
]
