"""The patient's complaint page, reached from the appointment's manage link: the form, then where it stands.

The manage token is the key, as on the appointment's own pages (private, no-store, same-origin referrer).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from booking.selectors import appointment_for_token
from quality.complaints import TEXT_MAX, ComplaintError, complaint_file, complaint_for_appointment
from quality.models import ComplaintTopic


class ComplaintForm(forms.Form):
    topic = forms.ChoiceField(
        label=gettext_lazy("What is it about?"),
        choices=ComplaintTopic.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what your complaint is about.")},
    )
    text = forms.CharField(
        label=gettext_lazy("What happened?"),
        help_text=gettext_lazy(
            "In your own words: what happened, when, and what you would like the clinic to do. "
            "The clinic and PainHero's network team will read it."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TEXT_MAX,
        error_messages={"required": gettext_lazy("Say what happened, in your own words.")},
    )


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest, token: str) -> HttpResponse:
    appointment = appointment_for_token(token=token)
    if appointment is None:
        raise Http404
    now = timezone.now()
    existing = complaint_for_appointment(appointment=appointment)
    form = ComplaintForm(request.POST or None) if existing is None else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                complaint_file(
                    appointment=appointment,
                    topic=form.cleaned_data["topic"],
                    text=form.cleaned_data["text"],
                    now=now,
                )
            except ComplaintError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Your complaint is filed. We sent you a receipt by email."))
                return redirect("quality:complaint", token=token)
        else:
            status = 400
    elif request.method == "POST":
        status = 409  # already filed: the page shows where it stands
    context = {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "zone": ZoneInfo(appointment.clinic.time_zone),
        "complaint": existing,
        "form": form,
        "too_early": appointment.start > now,
    }
    return _private(render(request, "quality/complaint.html", context, status=status))
