"""Records out of the portal: CSV export, practitioners' private calendar feeds, the activity trail, staff."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.ics import ics_feed
from booking.models import Appointment
from clinics.models import Practitioner
from painhero.converters import id_parse
from painhero.http import client_ip
from painhero.urls_abs import absolute_reverse
from portal.access import (
    ALL_ROLES,
    DESK_ROLES,
    OWNER_ONLY,
    access_practitioner,
    appointments_visible,
    portal_view,
)
from portal.forms.records import DateRangeForm, InviteForm
from portal.models import AuditEntry, CalendarFeed, Invitation, Membership, Role
from portal.services import records

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=180)
CSV_COLUMNS = ("start", "end", "status", "practitioner", "service", "patient", "email", "phone", "source", "id")


@portal_view(roles=DESK_ROLES)
@require_GET
def exports(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    today = timezone.now().astimezone(ZoneInfo(membership.clinic.time_zone)).date()
    form = DateRangeForm(initial={"start": today.replace(day=1), "end": today}, today=today)
    return render(request, "portal/exports.html", {"membership": membership, "form": form})


@portal_view(roles=DESK_ROLES)
@require_GET
def export_csv(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    zone = ZoneInfo(membership.clinic.time_zone)
    form = DateRangeForm(request.GET, today=timezone.now().astimezone(zone).date())
    if not form.is_valid():
        message = " ".join(
            f"{name}: {e}" if name != "__all__" else str(e) for name, errors in form.errors.items() for e in errors
        )
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    start = datetime.combine(form.cleaned_data["start"], time.min, zone)
    end = datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min, zone)
    rows = (
        appointments_visible(membership)
        .filter(start__gte=start, start__lt=end)
        .select_related("practitioner", "service")
        .order_by("start", "pk")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"appointments-{form.cleaned_data['start']}-{form.cleaned_data['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    # No "what hurts" note: an export leaves the portal and ends up in spreadsheets and inboxes.
    for a in rows.iterator(chunk_size=500):
        writer.writerow(
            [
                a.start.astimezone(zone).isoformat(),
                a.end.astimezone(zone).isoformat(),
                a.status,
                a.practitioner.full_name,
                a.service.name,
                _csv_safe(a.patient_name),
                _csv_safe(a.patient_email),
                a.patient_phone,
                a.source,
                a.pk,
            ]
        )
    records.appointments_export_record(
        actor=membership,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        ip=client_ip(request),
        now=timezone.now(),
    )
    return response


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula in a spreadsheet: a patient-typed name must stay text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@portal_view(roles=ALL_ROLES)
@require_GET
def feeds(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    practitioners = Practitioner.objects.filter(clinic_id=clinic_id, is_active=True).order_by("last_name")
    if membership.role == Role.PRACTITIONER:
        practitioners = practitioners.filter(pk=membership.practitioner_id or 0)
    # A GET only reads: a practitioner without an address yet is offered a button that creates one (POST).
    tokens = dict(CalendarFeed.objects.filter(practitioner__in=practitioners).values_list("practitioner_id", "token"))
    rows = [
        {
            "practitioner": p,
            "url": absolute_reverse("portal:feed", args=[tokens[p.pk]]) if p.pk in tokens else None,
        }
        for p in practitioners
    ]
    return render(request, "portal/feeds.html", {"membership": membership, "rows": rows})


@portal_view(roles=ALL_ROLES)
@require_POST
def feed_reissue(request: HttpRequest, clinic_id: int, practitioner_id: int, *, membership: Membership) -> HttpResponse:
    practitioner = access_practitioner(membership, practitioner_id)
    had_one = CalendarFeed.objects.filter(practitioner=practitioner).exists()
    records.calendar_feed_reissue(
        actor=membership, practitioner=practitioner, ip=client_ip(request), now=timezone.now()
    )
    if had_one:
        messages.success(request, _("The old address no longer works; use the new one."))
    else:
        messages.success(request, _("The calendar address is ready."))
    return redirect("portal:feeds", clinic_id)


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A practitioner's appointments as iCalendar (``booking.ics``, the events the patients' emails carry): the
    secret URL is the key. No patient information: the service, the clinic and its address."""
    found = CalendarFeed.objects.select_related("practitioner__clinic").filter(token=token).first()
    if found is None:
        raise Http404
    practitioner = found.practitioner
    now = timezone.now()
    appointments = (
        Appointment.objects.taking_time()
        .filter(practitioner=practitioner, start__gte=now - FEED_PAST, start__lt=now + FEED_FUTURE)
        .select_related("service", "clinic__city")
        .order_by("start")
    )
    body = ics_feed(
        name=f"PainHero · {practitioner.full_name}",
        appointments=appointments,
        first_date=(now - FEED_PAST * 2).date(),
        last_date=(now + FEED_FUTURE * 2).date(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view(roles=OWNER_ONLY)
@require_GET
def activity(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    entries = AuditEntry.objects.filter(clinic_id=clinic_id).select_related("user")
    staff = Membership.objects.filter(clinic_id=clinic_id).select_related("user").order_by("user__email")
    user_id = request.GET.get("user", "")
    if user_id:
        user_pk = id_parse(user_id)
        if user_pk is None:
            message = _("user: choose a staff member from the list (an account number such as 12).")
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        entries = entries.filter(user_id=user_pk)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {"membership": membership, "page": page, "staff": staff, "selected_user": user_id}
    return render(request, "portal/activity.html", context)


@portal_view(roles=OWNER_ONLY)
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    form = InviteForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation = records.staff_invite(
            actor=membership,
            email=data["email"],
            role=data["role"],
            practitioner=data.get("practitioner"),
            accept_url_for=lambda inv: absolute_reverse("portal:invitation", args=[inv.token]),
            ip=client_ip(request),
            now=timezone.now(),
        )
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("portal:staff", clinic_id)
    context = {
        "membership": membership,
        "form": form,
        "members": Membership.objects.filter(clinic_id=clinic_id).select_related("user", "practitioner"),
        "invitations": Invitation.objects.filter(clinic_id=clinic_id, accepted_at__isnull=True).order_by("-created_at"),
    }
    return render(request, "portal/staff.html", context, status=400 if form.errors else 200)
