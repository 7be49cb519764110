"""The waitlist's pages: join at a clinic or near a search's point, and leave from the entry's link.

Each view parses (a form), fetches (an in-network clinic by slug, an entry by its private token: 404 otherwise),
calls ``waitlist_join`` or ``waitlist_leave``, renders. The GET of the leave page only asks; the POST leaves.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking.errors import BookingError
from booking.models import WaitlistStatus
from booking.views import _private
from booking.waitlist import WaitlistWhere, waitlist_for_token, waitlist_join, waitlist_leave
from booking.waitlist_forms import WaitlistAreaForm, WaitlistClinicForm, WaitlistJoinForm
from clinics.models import Clinic


def _today(clinic: Clinic | None) -> Any:
    zone = ZoneInfo(clinic.time_zone) if clinic is not None else timezone.get_default_timezone()
    return timezone.now().astimezone(zone).date()


def _join(request: HttpRequest, form: WaitlistJoinForm, where: WaitlistWhere) -> HttpResponse | None:
    """Join with a valid form; the redirect to the entry's page, or None with the refusal added to the form."""
    try:
        entry = waitlist_join(
            where=where,
            before=form.cleaned_data["before"],
            windows=form.windows_chosen(),
            patient=form.patient(),
            language=translation.get_language(),
            now=timezone.now(),
        )
    except BookingError as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, _("You are on the waitlist. We sent you an email with your link."))
    return redirect("booking:waitlist", token=entry.token)


@require_http_methods(["GET", "POST"])
def join_clinic(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = Clinic.objects.in_network().select_related("city").filter(slug=clinic_slug).first()
    if clinic is None:
        raise Http404(_("No clinic in the PainHero network has this address."))
    today = _today(clinic)
    initial = {key: request.GET[key] for key in ("service", "practitioner") if request.GET.get(key, "").isdigit()}
    form = WaitlistClinicForm(request.POST or None, clinic=clinic, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        where = WaitlistWhere(
            clinic=clinic, service=form.cleaned_data["service"], practitioner=form.cleaned_data["practitioner"]
        )
        if (joined := _join(request, form, where)) is not None:
            return joined
    context = {"form": form, "clinic": clinic}
    return _private(render(request, "booking/waitlist_join.html", context, status=400 if form.is_bound else 200))


@require_http_methods(["GET", "POST"])
def join_area(request: HttpRequest) -> HttpResponse:
    """From a search: the point (lat, lng), its name (place) and the discipline come in the link's query."""
    today = _today(None)
    if request.method == "POST":
        form = WaitlistAreaForm(request.POST, today=today)
    else:
        initial = {key: request.GET[key] for key in ("lat", "lng", "place", "discipline") if key in request.GET}
        if request.GET.get("radius_km", "").isdigit():
            initial["radius_km"] = request.GET["radius_km"]
        form = WaitlistAreaForm(initial=initial, today=today)
        # The point comes from the search: without a good one there is nothing to wait near.
        probe = WaitlistAreaForm({"lat": request.GET.get("lat", ""), "lng": request.GET.get("lng", "")}, today=today)
        probe.is_valid()
        if "lat" in probe.errors or "lng" in probe.errors:
            message = _("This link has no place to look around. Start from a search, then ask to be told.")
            return render(request, "booking/problem.html", {"message": message}, status=400)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        where = WaitlistWhere(
            latitude=data["lat"], longitude=data["lng"], radius_km=data["radius_km"], discipline=data["discipline"]
        )
        if (joined := _join(request, form, where)) is not None:
            return joined
    place = (form["place"].value() or "").strip()
    return _private(
        render(
            request, "booking/waitlist_join.html", {"form": form, "place": place}, status=400 if form.is_bound else 200
        )
    )


@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, token: str) -> HttpResponse:
    """Ask first (the GET changes nothing: a mail client may prefetch the link); the POST leaves."""
    entry = waitlist_for_token(token=token)
    if entry is None:
        raise Http404
    if request.method == "POST":
        waitlist_leave(entry=entry, now=timezone.now())
        messages.success(request, _("You have left the waitlist. We will not write about it again."))
        return redirect("booking:waitlist", token=token)
    context = {"entry": entry, "active": entry.status in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)}
    return _private(render(request, "booking/waitlist_leave.html", context))
