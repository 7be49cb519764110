"""Sign-in, Today, appointments, exports, calendar feeds, activity and staff (``portal.urls`` includes it)."""

from urllib.parse import urlsplit

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse
from django.urls import path, reverse_lazy

from painhero import converters  # noqa: F401  (registers <id:...>)
from painhero.urls_abs import site_url

from . import auth
from .views import consultation, records, today


class _PasswordResetView(auth.RateLimitedPasswordResetView):
    """The link in the email points at SITE_URL, never at the Host header the request happened to send
    (Django's form reads the request; its ``extra_email_context`` has the last word on these names)."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        parts = urlsplit(site_url())
        self.extra_email_context = {"protocol": parts.scheme, "domain": parts.netloc, "site_name": parts.netloc}
        return super().form_valid(form)


_reset = {
    "password_reset": _PasswordResetView.as_view(
        template_name="portal/password_reset.html",
        email_template_name="portal/email/password_reset.txt",
        subject_template_name="portal/email/password_reset_subject.txt",
        success_url=reverse_lazy("portal:password_reset_done"),
    ),
    "password_reset_done": auth_views.PasswordResetDoneView.as_view(template_name="portal/password_reset_done.html"),
    "password_reset_confirm": auth_views.PasswordResetConfirmView.as_view(
        template_name="portal/password_reset_confirm.html", success_url=reverse_lazy("portal:password_reset_complete")
    ),
    "password_reset_complete": auth_views.PasswordResetCompleteView.as_view(
        template_name="portal/password_reset_complete.html"
    ),
}

urlpatterns = [
    path("", today.home, name="home"),
    path("sign-in/", auth.sign_in, name="login"),
    path("sign-in/code/", auth.sign_in_code, name="sign_in_code"),
    path("sign-out/", auth_views.LogoutView.as_view(next_page=reverse_lazy("portal:login")), name="logout"),
    path("password/reset/", _reset["password_reset"], name="password_reset"),
    path("password/reset/sent/", _reset["password_reset_done"], name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", _reset["password_reset_confirm"], name="password_reset_confirm"),
    path("password/reset/done/", _reset["password_reset_complete"], name="password_reset_complete"),
    path("invitations/<str:token>/", auth.invitation_accept_view, name="invitation"),
    path("account/", auth.account, name="account"),
    path("switch/", today.switch, name="switch"),
    path("feeds/<str:token>.ics", records.feed, name="feed"),
    path("<id:clinic_id>/", today.today, name="today"),
    path("<id:clinic_id>/open-times/", today.open_times, name="open_times"),
    path("<id:clinic_id>/appointments/new/", today.appointment_new, name="appointment_new"),
    path(
        "<id:clinic_id>/appointments/<id:appointment_id>/status/",
        today.appointment_status,
        name="appointment_status",
    ),
    path("<id:clinic_id>/appointments/<id:appointment_id>/move/", today.appointment_move, name="appointment_move"),
    path(
        "<id:clinic_id>/appointments/<id:appointment_id>/consultation/",
        consultation.appointment_consultation,
        name="appointment_consultation",
    ),
    path("<id:clinic_id>/exports/", records.exports, name="exports"),
    path("<id:clinic_id>/exports/appointments.csv", records.export_csv, name="export_csv"),
    path("<id:clinic_id>/feeds/", records.feeds, name="feeds"),
    path("<id:clinic_id>/feeds/<id:practitioner_id>/reissue/", records.feed_reissue, name="feed_reissue"),
    path("<id:clinic_id>/activity/", records.activity, name="activity"),
    path("<id:clinic_id>/staff/", records.staff, name="staff"),
]
