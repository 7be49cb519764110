"""The patient's check-in page behind the emailed link: GET shows the one-minute form (nothing is spent), POST
records it and spends the link, then a thank-you page shows the progress chart.

The link's token is in the path (painhero/redact.py keeps it out of log lines); the pages are private (not
cached, no Referer sent on). After the POST the browser keeps, in its session, which check-in it just recorded:
that alone opens the thank-you page, so a reload asks for nothing and the spent link opens nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from patients.outcomes_checkins import (
    CheckInError,
    checkin_done_open,
    checkin_open_for_patient,
    checkin_record_by_patient,
)
from patients.outcomes_forms import CheckInForm

DONE_KEY = "outcome_checkin_done"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return _private(render(request, template, {**context, "private_page": True}, status=status))


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    found = checkin_open_for_patient(token=token, where="patients:checkin", now=now)
    if found is None:
        return _render(request, "patients/outcomes/checkin_invalid.html", {}, status=404)
    clinic_id = found.appointment.clinic_id if found.appointment else None
    if request.method == "GET":
        form = CheckInForm(intake=found.intake, clinic_id=clinic_id)
        return _render(request, "patients/outcomes/checkin.html", {"form": form, "checkin": found})
    form = CheckInForm(request.POST, intake=found.intake, clinic_id=clinic_id)
    if not form.is_valid():
        return _render(request, "patients/outcomes/checkin.html", {"form": form, "checkin": found}, status=422)
    try:
        recorded = checkin_record_by_patient(token=token, raw=form.cleaned_data, now=now)
    except CheckInError as error:
        form.add_error(error.field or None, error.message)
        return _render(request, "patients/outcomes/checkin.html", {"form": form, "checkin": found}, status=422)
    if recorded is None:  # spent by another tab a moment ago
        return _render(request, "patients/outcomes/checkin_invalid.html", {}, status=404)
    request.session[DONE_KEY] = recorded.pk
    return HttpResponseRedirect(reverse("patients:checkin_thanks"))


@require_GET
def checkin_thanks(request: HttpRequest) -> HttpResponse:
    progress = checkin_done_open(
        checkin_id=request.session.get(DONE_KEY), where="patients:checkin_thanks", now=timezone.now()
    )
    if progress is None:
        return _render(request, "patients/outcomes/checkin_invalid.html", {}, status=404)
    return _render(request, "patients/outcomes/checkin_thanks.html", {"progress": progress})
