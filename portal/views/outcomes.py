"""Outcomes in the portal: the practitioner records a visit's check-in (the patient answers aloud), and the clinic's
Outcomes page shows its shares. Parse, access, one service, render.

The check-in is health information: only the practitioner of the visit reaches it (another clinic's visit, a
colleague's, the desk or the owner: 404, ``portal.selectors.health_note_visible``), every read and the write are
recorded (``portal.services.outcomes``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from painhero.http import client_ip
from patients.outcomes import CheckInError
from patients.outcomes_forms import CheckInForm
from portal.access import access_appointment, portal_view
from portal.models import Membership, Role
from portal.selectors import health_note_visible
from portal.services.outcomes import (
    checkin_refusal,
    checkin_staff_read,
    checkin_staff_record,
    clinic_outcomes_read,
)
from portal.views.common import clock, page

# The shares are of the clinic's own patients: those who treat them and the owner who answers for the care.
OUTCOMES_ROLES: tuple[str, ...] = (Role.OWNER, Role.PRACTITIONER)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view(roles=(Role.PRACTITIONER,))
@require_http_methods(["GET", "POST"])
def appointment_checkin(
    request: HttpRequest, clinic_id: int, appointment_id: int, *, membership: Membership
) -> HttpResponse:
    appointment = access_appointment(membership, appointment_id)
    if not health_note_visible(actor=membership, appointment=appointment):
        raise Http404
    now = clock()
    intake, recorded = checkin_staff_read(actor=membership, appointment=appointment, now=now)
    context: dict[str, Any] = {
        "membership": membership,
        "appointment": appointment,
        "intake": intake,
        "recorded": recorded,
        "refusal": checkin_refusal(appointment=appointment, now=now),
        "form": None,
    }
    if intake is None or recorded is not None:
        status = 409 if request.method == "POST" else 200
        return _private(page(request, "portal/outcomes/checkin.html", context, status=status))
    data = request.POST if request.method == "POST" else None
    form = CheckInForm(data, intake=intake, clinic_id=appointment.clinic_id)
    context["form"] = form
    if request.method == "GET":
        return _private(page(request, "portal/outcomes/checkin.html", context))
    if not form.is_valid():
        return _private(page(request, "portal/outcomes/checkin.html", context, status=422))
    try:
        checkin_staff_record(
            actor=membership,
            appointment=appointment,
            intake=intake,
            raw=form.cleaned_data,
            ip=client_ip(request),
            now=now,
        )
    except CheckInError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _private(page(request, "portal/outcomes/checkin.html", context, status=error.status))
    messages.success(request, _("Check-in recorded."))
    return HttpResponseRedirect(reverse("portal:appointment_checkin", args=[clinic_id, appointment.pk]))


@portal_view(roles=OUTCOMES_ROLES)
@require_GET
def outcomes(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    context = {"membership": membership, "outcomes": clinic_outcomes_read(actor=membership, now=clock())}
    return _private(page(request, "portal/outcomes/page.html", context))
