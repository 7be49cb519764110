"""The public "How we inspect" page, and the patient's review form behind the manage link."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from booking.models import AppointmentStatus
from booking.selectors import appointment_for_token
from quality.errors import InspectionError, ReviewNotAllowed
from quality.forms import ReviewForm
from quality.models import Review
from quality.ratings import C, M
from quality.rubric import GATES, PASS_MARK, POINT_COUNT, RUBRIC, RUBRIC_VERSION
from quality.services import review_create


def how_we_inspect(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "quality/how_we_inspect.html",
        {
            "rubric": RUBRIC,
            "rubric_version": RUBRIC_VERSION,
            "pass_mark": PASS_MARK,
            "point_count": POINT_COUNT,
            "gate_count": len(GATES),
            "prior_weight": M,
            "network_mean": C,
            "computed_count": sum(1 for c in RUBRIC for p in c.points if p.computed),
        },
    )


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, token: str) -> HttpResponse:
    """The form (GET changes nothing); the POST writes the one review of this completed visit."""
    appointment = appointment_for_token(token=token)
    if appointment is None:
        raise Http404
    existing = Review.objects.filter(appointment=appointment).first()
    context: dict[str, object] = {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "zone": ZoneInfo(appointment.clinic.time_zone),
        "review": existing,
        "just_written": request.GET.get("written") == "1",
    }
    status = 200
    if existing is None and appointment.status != AppointmentStatus.COMPLETED:
        context["refused"] = ReviewNotAllowed().message
        status = 403
    elif existing is None:
        form = ReviewForm(request.POST or None)
        context["form"] = form
        if request.method == "POST":
            if form.is_valid():
                try:
                    review_create(
                        appointment=appointment,
                        rating=form.cleaned_data["rating"],
                        subratings=form.subratings(),
                        text=form.cleaned_data["text"],
                        now=timezone.now(),
                    )
                except InspectionError as error:
                    form.add_error(None, error.message)
                else:
                    return _private(redirect(f"{request.path}?written=1"))
            status = 409 if form.non_field_errors() else 400
    return _private(render(request, "quality/review.html", context, status=status))


def _private(response: HttpResponse) -> HttpResponse:
    # The address is the manage link's key: as booking's manage pages, kept out of caches and other sites' logs.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
