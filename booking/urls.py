from django.urls import path

from booking import views

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
    path("waitlist/<str:token>/", views.waitlist, name="waitlist"),
    # The offer's text message links here (short, for one segment); it answers with the offer page.
    path("w/<str:token>/", views.waitlist_short, name="waitlist_short"),
    path("appointments/<str:token>/earlier/", views.move_earlier, name="move_earlier"),
]
