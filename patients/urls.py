from django.urls import path

from patients import account_views, careplan_views, outcomes_views, views

app_name = "patients"

urlpatterns = [
    path("what-hurts/", views.intake, name="intake"),
    path("what-hurts/answer/<uuid:public_id>/", views.answer, name="answer"),
    path("what-hurts/answer/<uuid:public_id>/clearance/", views.clearance, name="clearance"),
    path("what-hurts/answer/<uuid:public_id>/consult/", views.consult, name="consult"),
    path("what-hurts/answer/<uuid:public_id>/consultations/", views.consultations, name="consultations"),
]

# My PainHero (patients/account_views.py): the patient's own space, behind a magic-link sign-in.
urlpatterns += [
    path("my/", account_views.home, name="my_home"),
    path("my/sign-in/", account_views.sign_in, name="my_sign_in"),
    path("my/sign-in/sent/", account_views.sent, name="my_sent"),
    path("my/sign-in/link/", account_views.link, name="my_link"),
    path("my/sign-out/", account_views.sign_out, name="my_sign_out"),
    path("my/intakes/<uuid:public_id>/", account_views.intake_detail, name="my_intake"),
    path("my/care-plans/<uuid:public_id>/", account_views.care_plan_detail, name="my_care_plan"),
    path("my/download/", account_views.download, name="my_download"),
    path("my/delete/", account_views.delete, name="my_delete"),
]

# Care plans (patients/careplan_views.py): the patient's page behind the plan's emailed link.
urlpatterns += [
    path("care-plan/<str:token>/", careplan_views.care_plan, name="care_plan"),
    path("care-plan/<str:token>/cancel-rest/", careplan_views.care_plan_cancel_rest, name="care_plan_cancel_rest"),
]

# Outcome check-ins (patients/outcomes_views.py): the emailed one-time link and its thank-you page.
urlpatterns += [
    path("check-in/thanks/", outcomes_views.checkin_thanks, name="checkin_thanks"),
    path("check-in/<str:token>/", outcomes_views.checkin, name="checkin"),
]
