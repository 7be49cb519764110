from django.urls import path

from booking import views, waitlist_views

app_name = "booking"
urlpatterns = [
    path("book/", views.start, name="start"),
    path("book/hold/", views.hold, name="hold"),
    path("appointments/<str:token>/", views.manage, name="manage"),
    path("appointments/<str:token>/cancel/", views.cancel, name="cancel"),
    path("appointments/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<str:token>/confirm/", views.confirm, name="confirm"),
    # The same page at a shorter address, for text messages (one segment is 160 characters).
    path("c/<str:token>/", views.confirm, name="confirm_short"),
    # The two join pages come before the token's page: "join" is never a token (tokens are 43 characters).
    path("waitlist/join/", waitlist_views.join_area, name="waitlist_join_area"),
    path("waitlist/join/<slug:clinic_slug>/", waitlist_views.join_clinic, name="waitlist_join"),
    path("waitlist/<str:token>/", views.waitlist, name="waitlist"),
    # The offer's text message links here (short, for one segment); it answers with the offer page.
    path("w/<str:token>/", views.waitlist_short, name="waitlist_short"),
    path("appointments/<str:token>/earlier/", views.move_earlier, name="move_earlier"),
    path("waitlist/<str:token>/leave/", waitlist_views.leave, name="waitlist_leave"),
]
