"""My PainHero's pages: sign in with a link sent by email, the patient's own space, the download and deletion.

Nothing changes on a GET (invariant 8): the link in the email opens a page with a "Sign in" button, which POSTs
the token; a mail scanner that follows the link signs nobody in and spends nothing. The token travels in the
query string of that one page (log lines keep parameter names only, painhero/redact.py) and in the form's body;
the page sends a Referer to this site only, and is never cached.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.emails import manage_url
from booking.errors import Busy
from booking.models import AppointmentStatus, ClinicBookingPolicy
from painhero.http import client_ip
from patients.account import PatientAccount
from patients.account_services import (
    TooManySignInRequests,
    accesses_for,
    account_delete,
    account_export,
    appointments_for,
    intake_open_for_patient,
    intakes_for,
    sign_in_confirm,
    sign_in_request,
)
from patients.answers import region_labels
from patients.careplan_reads import careplan_open_for_account, careplans_for_account
from patients.models import Intake, Reader, TriageLevel
from patients.rules import MESSAGES, QUESTIONS_BY_ID

SESAME = settings.SESAME_TOKEN_NAME


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your email"),
        max_length=254,
        help_text=gettext_lazy("The address you booked with or gave with your answers."),
        error_messages={
            "required": gettext_lazy("Enter your email address."),
            "invalid": gettext_lazy("Enter an email address like name@example.com."),
        },
    )


def _private(response: HttpResponse) -> HttpResponse:
    """Personal information or a secret on the page: never cached, never sent on as a Referer."""
    response["Cache-Control"] = "private, no-store"
    # Same-origin, not no-referrer: Chromium would then post the sign-in button with "Origin: null" (a CSRF
    # 403); our own log lines keep a Referer's parameter names only (painhero/redact.py).
    response["Referrer-Policy"] = "same-origin"
    return response


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """A My PainHero page: private (not cached, no Referer) and kept out of indexes (``private_page``)."""
    return _private(render(request, template, {**(context or {}), "private_page": True}, status=status))


def _account(request: HttpRequest) -> PatientAccount | None:
    """The signed-in patient's account; None for a visitor or a staff user (who is no patient here)."""
    user = request.user
    if not user.is_authenticated:
        return None
    return PatientAccount.objects.filter(user_id=user.pk).first()


def _sign_in_redirect() -> HttpResponse:
    return HttpResponseRedirect(reverse("patients:my_sign_in"))


# --- Sign-in ----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if _account(request) is not None:
            return HttpResponseRedirect(reverse("patients:my_home"))
        return _render(request, "patients/my/sign_in.html", {"form": SignInForm()})
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _render(request, "patients/my/sign_in.html", {"form": form}, status=400)
    try:
        sign_in_request(
            email=form.cleaned_data["email"],
            language=get_language() or settings.LANGUAGE_CODE,
            ip=client_ip(request),
            now=timezone.now(),
        )
    except TooManySignInRequests as error:
        response = _render(request, "patients/my/too_many.html", {"message": error.message}, status=429)
        response["Retry-After"] = "3600"
        return response
    # The same answer whether the address is known or not (no enumeration).
    return HttpResponseRedirect(reverse("patients:my_sent"))


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    context = {"minutes": settings.SESAME_MAX_AGE // 60}
    return _render(request, "patients/my/sent.html", context)


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    """GET: the page behind the emailed link, with a button (nothing is checked or spent). POST: sign in."""
    if request.method == "GET":
        token = request.GET.get(SESAME, "")
        return _render(request, "patients/my/link.html", {"token": token, "token_name": SESAME})
    account = sign_in_confirm(token=request.POST.get(SESAME, ""), now=timezone.now())
    if account is None:
        return _render(request, "patients/my/link_invalid.html", status=400)
    login(request, account.user, backend="sesame.backends.ModelBackend")
    # Health information on the pages behind it: a short, sliding session, like the portal's.
    request.session.set_expiry(settings.PATIENT_SESSION_AGE)
    return HttpResponseRedirect(reverse("patients:my_home"))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("patients:my_sign_in"))


# --- The space --------------------------------------------------------------------------------------------------


def _appointment_row(appointment: Any, *, now: Any) -> dict[str, Any]:
    zone = ZoneInfo(appointment.clinic.time_zone)
    return {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "zone": zone,
        "status": AppointmentStatus(appointment.status).label,
        "manage_url": manage_url(appointment),
        # A completed visit can be reviewed, and a visit whose time has passed complained about (quality's pages).
        "reviewable": appointment.status == AppointmentStatus.COMPLETED,
        "past": appointment.start <= now,
    }


READER_LABELS = dict(Reader.choices)
# The access report in words a patient reads: the reader's role and the page the read came from (the record keeps
# the role's and the page's names; those not listed here are shown as recorded). The roles are the portal's
# (portal.models.Role, above this app), with the same words.
ROLE_LABELS = {
    "owner": gettext_lazy("Owner"),
    "front_desk": gettext_lazy("Front desk"),
    "practitioner": gettext_lazy("Practitioner"),
}
WHERE_LABELS = {
    "patients:answer": gettext_lazy("your answer page"),
    "patients:consult": gettext_lazy("your answer page"),
    "patients:consultations": gettext_lazy("the free consultations page"),
    "patients:clearance": gettext_lazy("your answer page"),
    "patients:my_intake": gettext_lazy("My PainHero"),
    "patients:my_care_plan": gettext_lazy("your care plan in My PainHero"),
    "patients:care_plan": gettext_lazy("your care plan's page"),
    "patients:checkin": gettext_lazy("your check-in page"),
    "patients:checkin_thanks": gettext_lazy("your check-in page"),
    "patients:my_download": gettext_lazy("your download from My PainHero"),
    "portal:appointment_consultation": gettext_lazy("the consultation's page in the clinic's portal"),
    "api-v1:intake_get": gettext_lazy("the API, with your intake's secret link"),
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    if account is None:
        return _sign_in_redirect()
    now = timezone.now()
    appointments = list(appointments_for(account.email))
    upcoming = [a for a in appointments if a.start > now and a.status == AppointmentStatus.BOOKED]
    past = [a for a in appointments if a not in upcoming]
    context = {
        "account": account,
        "upcoming": [_appointment_row(a, now=now) for a in upcoming],
        "past": [_appointment_row(a, now=now) for a in reversed(past)],
        "intakes": list(intakes_for(account.email)),
        "care_plans": careplans_for_account(account),
        "accesses": [
            {
                "access": access,
                "reader": READER_LABELS.get(access.reader, access.reader),
                "role": ROLE_LABELS.get(access.role, access.role),
                "where": WHERE_LABELS.get(access.where, access.where),
            }
            for access in accesses_for(account.email)
        ],
    }
    return _render(request, "patients/my/home.html", context)


def _answer_rows(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) in the question set's order, in the reader's language."""
    rows: list[tuple[str, str]] = []
    for question_id, question in QUESTIONS_BY_ID.items():
        if question_id not in answers:
            continue
        value = answers[question_id]
        if question_id == "region":
            shown = ", ".join(region_labels(list(value)))
        elif question_id == "activities":
            shown = "; ".join(f"{item.get('name', '')}: {item.get('score', '')}/10" for item in value)
        elif question.type == "yes_no":
            shown = _("Yes") if value else _("No")
        elif question.choices:
            shown = str(question.choices.get(value, value))
        else:
            shown = str(value)
        rows.append((str(question.text), shown))
    return rows


@require_GET
def intake_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    account = _account(request)
    if account is None:
        return _sign_in_redirect()
    intake: Intake | None = intake_open_for_patient(
        account=account, public_id=public_id, where="patients:my_intake", now=timezone.now()
    )
    if intake is None:
        raise Http404
    context = {
        "intake": intake,
        "level": TriageLevel(intake.triage).label,
        "reasons": [MESSAGES[c] for c in intake.reasons if c in MESSAGES],
        "rows": _answer_rows(intake.answers),
    }
    return _render(request, "patients/my/intake.html", context)


@require_GET
def care_plan_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One of the patient's care plans: the plan, its visits and the progress chart (the read recorded)."""
    account = _account(request)
    if account is None:
        return _sign_in_redirect()
    now = timezone.now()
    found = careplan_open_for_account(account=account, public_id=public_id, where="patients:my_care_plan", now=now)
    if found is None:
        raise Http404
    context = {
        "plan": found.plan,
        "phases": found.phases,
        "visits": [_appointment_row(a, now=now) for a in found.appointments],
        "progress": found.progress,
    }
    return _render(request, "patients/my/care_plan.html", context)


@require_GET
def download(request: HttpRequest) -> HttpResponse:
    """Everything held about the patient, as a JSON file (a read: the intakes' reads are recorded)."""
    account = _account(request)
    if account is None:
        return _sign_in_redirect()
    now = timezone.now()
    data = account_export(account=account, now=now)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="my-painhero-{now:%Y-%m-%d}.json"'
    return _private(response)


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    if account is None:
        return _sign_in_redirect()
    now = timezone.now()
    if request.method == "GET":
        appointments = list(appointments_for(account.email).filter(status=AppointmentStatus.BOOKED, start__gt=now))
        rows = []
        for appointment in appointments:
            row = _appointment_row(appointment, now=now)
            policy = ClinicBookingPolicy.for_clinic(appointment.clinic_id)
            row["too_late"] = not policy.changeable_online(start=appointment.start, now=now)
            rows.append(row)
        context = {"upcoming": rows, "intake_count": intakes_for(account.email).count()}
        return _render(request, "patients/my/delete.html", context)
    try:
        deletion = account_delete(account=account, now=now, ip=client_ip(request))
    except Busy as error:  # a practitioner's calendar is locked by a booking right now: nothing was changed
        response = _render(request, "patients/my/too_many.html", {"message": error.message, "busy": True}, status=503)
        response["Retry-After"] = "5"
        return response
    logout(request)
    context = {
        "cancelled": len(deletion.cancelled),
        "kept": [_appointment_row(a, now=now) for a in deletion.kept_too_late],
    }
    return _render(request, "patients/my/deleted.html", context)
