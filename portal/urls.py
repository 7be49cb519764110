"""The clinic portal's URLs. Every clinic-scoped page lives under ``<id:clinic_id>/`` and is
reached only through ``portal.access`` (404 for another clinic's staff)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("portal.urls_day")),  # sign-in, today, appointments, exports, feeds, activity, staff
    path("", include("portal.urls_manage")),  # schedules, openings, rules, practitioners, services, profile
]

# Care plans written after a free consultation (portal/views/careplans.py).
from painhero import converters  # noqa: E402, F401  (registers <id:...>)
from portal.views import careplans as _careplans  # noqa: E402

urlpatterns += [
    path("<id:clinic_id>/consultations/", _careplans.consultations, name="consultations"),
    path(
        "<id:clinic_id>/consultations/<id:appointment_id>/care-plan/",
        _careplans.careplan_new,
        name="careplan_new",
    ),
    path("<id:clinic_id>/care-plans/<id:plan_id>/", _careplans.careplan_detail, name="careplan_detail"),
    path("<id:clinic_id>/care-plans/<id:plan_id>/send/", _careplans.careplan_send_view, name="careplan_send"),
]

# The clinic's reviews and its public replies (portal/views/reviews.py).
from portal.views import reviews as _reviews  # noqa: E402

urlpatterns += [
    path("<id:clinic_id>/reviews/", _reviews.reviews, name="reviews"),
    path("<id:clinic_id>/reviews/<id:review_id>/reply/", _reviews.review_reply, name="review_reply"),
]

# Complaints about the clinic's visits: read, acknowledge, answer (portal/views/complaints.py).
from portal.views import complaints as _complaints  # noqa: E402

urlpatterns += [
    path("<id:clinic_id>/complaints/", _complaints.complaints, name="complaints"),
    path("<id:clinic_id>/complaints/<id:complaint_id>/", _complaints.complaint_detail, name="complaint_detail"),
]

# Outcomes: a visit's check-in recorded by its practitioner, and the clinic's shares (portal/views/outcomes.py).
from portal.views import outcomes as _outcomes  # noqa: E402

urlpatterns += [
    path(
        "<id:clinic_id>/appointments/<id:appointment_id>/check-in/",
        _outcomes.appointment_checkin,
        name="appointment_checkin",
    ),
    path("<id:clinic_id>/outcomes/", _outcomes.outcomes, name="outcomes"),
]

# The clinic's waitlist: who waits, the offers standing, the times it filled (portal/views/waitlist.py).
from portal.views import waitlist as _waitlist  # noqa: E402

urlpatterns += [path("<id:clinic_id>/waitlist/", _waitlist.waitlist, name="waitlist")]

# The clinic's own inspection report (portal/views/inspection.py).
from portal.views import inspection as _inspection  # noqa: E402

urlpatterns += [path("<id:clinic_id>/inspection/", _inspection.inspection, name="inspection")]
