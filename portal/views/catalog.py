"""Practitioners and services: list, add, edit, retire (history kept), and who offers what."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics.models import Practitioner, Service
from painhero.http import client_ip
from portal.access import DESK_ROLES, access_practitioner, access_service, portal_view
from portal.forms.catalog import PractitionerForm, ServiceForm
from portal.models import Membership
from portal.services import catalog

from .common import clock, page


def _url(name: str, clinic_id: int) -> str:
    return reverse(f"portal:{name}", kwargs={"clinic_id": clinic_id})


# --- Practitioners ---------------------------------------------------------------------------------


@portal_view(roles=DESK_ROLES)
def practitioners(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    people = (
        Practitioner.objects.filter(clinic_id=clinic_id)
        .order_by("-is_active", "last_name", "first_name")
        .prefetch_related(
            "techniques", "languages", Prefetch("services", queryset=Service.objects.filter(is_active=True))
        )
    )
    return page(request, "portal/manage/practitioners.html", {"membership": membership, "practitioners": people})


def _practitioner_save(
    request: HttpRequest, membership: Membership, *, form: PractitionerForm, person: Practitioner | None
) -> HttpResponse | None:
    """Create or update from a valid form; None (with the error on the form) when the service refuses."""
    data = dict(form.cleaned_data)
    related = {name: data.pop(name) for name in ("techniques", "languages", "services")}
    ip = client_ip(request)
    try:
        if person is None:
            person = catalog.practitioner_add(actor=membership, **related, fields=data, ip=ip, now=clock())
            summary = _("Practitioner %(name)s added.") % {"name": person.full_name}
        else:
            catalog.practitioner_change(
                actor=membership, practitioner=person, **related, fields=data, ip=ip, now=clock()
            )
            summary = _("Practitioner %(name)s changed.") % {"name": person.full_name}
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, summary)
    return redirect(_url("practitioners", membership.clinic_id))


@portal_view(roles=DESK_ROLES)
def practitioner_add(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    form = PractitionerForm(request.POST or None, clinic=membership.clinic)
    if request.method == "POST" and form.is_valid():
        done = _practitioner_save(request, membership, form=form, person=None)
        if done is not None:
            return done
    status = 400 if request.method == "POST" else 200
    return page(
        request, "portal/manage/practitioner_form.html", {"membership": membership, "form": form}, status=status
    )


@portal_view(roles=DESK_ROLES)
def practitioner_edit(
    request: HttpRequest, clinic_id: int, practitioner_id: int, *, membership: Membership
) -> HttpResponse:
    person = access_practitioner(membership, practitioner_id)
    # The form validates a copy: the service compares against the saved values to record the change.
    form = PractitionerForm(request.POST or None, instance=copy.copy(person), clinic=membership.clinic)
    if request.method == "POST" and form.is_valid():
        done = _practitioner_save(request, membership, form=form, person=person)
        if done is not None:
            return done
    status = 400 if request.method == "POST" else 200
    context = {"membership": membership, "form": form, "practitioner": person}
    return page(request, "portal/manage/practitioner_form.html", context, status=status)


@portal_view(roles=DESK_ROLES)
@require_POST
def practitioner_retire(
    request: HttpRequest, clinic_id: int, practitioner_id: int, *, membership: Membership
) -> HttpResponse:
    person = access_practitioner(membership, practitioner_id)
    catalog.practitioner_retire(actor=membership, practitioner=person, ip=client_ip(request), now=clock())
    messages.success(
        request,
        _("%(name)s no longer appears to patients; booked visits and history are kept.") % {"name": person.full_name},
    )
    return redirect(_url("practitioners", clinic_id))


# --- Services --------------------------------------------------------------------------------------


@portal_view(roles=DESK_ROLES)
def services(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    rows = (
        Service.objects.filter(clinic_id=clinic_id)
        .order_by("-is_active", "discipline", "name")
        .annotate(booked=Count("appointments", filter=Q(appointments__status="booked")))
        .prefetch_related(Prefetch("practitioners", queryset=Practitioner.objects.filter(is_active=True)))
    )
    return page(request, "portal/manage/services.html", {"membership": membership, "services": rows})


def _service_save(
    request: HttpRequest, membership: Membership, *, form: ServiceForm, service: Service | None
) -> HttpResponse | None:
    """Create or update from a valid form; None (with the error on the form) when the service refuses."""
    data = form.service_fields()
    who = form.cleaned_data["practitioners"]
    ip = client_ip(request)
    try:
        if service is None:
            service = catalog.service_add(actor=membership, practitioners=who, fields=data, ip=ip, now=clock())
        else:
            catalog.service_change(
                actor=membership, service=service, practitioners=who, fields=data, ip=ip, now=clock()
            )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, _("Service %(name)s saved.") % {"name": service.name})
    return redirect(_url("services", membership.clinic_id))


@portal_view(roles=DESK_ROLES)
def service_add(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    form = ServiceForm(request.POST or None, clinic=membership.clinic)
    if request.method == "POST" and form.is_valid():
        done = _service_save(request, membership, form=form, service=None)
        if done is not None:
            return done
    status = 400 if request.method == "POST" else 200
    return page(request, "portal/manage/service_form.html", {"membership": membership, "form": form}, status=status)


@portal_view(roles=DESK_ROLES)
def service_edit(request: HttpRequest, clinic_id: int, service_id: int, *, membership: Membership) -> HttpResponse:
    service = access_service(membership, service_id)
    form = ServiceForm(request.POST or None, instance=copy.copy(service), clinic=membership.clinic)
    if request.method == "POST" and form.is_valid():
        done = _service_save(request, membership, form=form, service=service)
        if done is not None:
            return done
    status = 400 if request.method == "POST" else 200
    context = {"membership": membership, "form": form, "service": service}
    return page(request, "portal/manage/service_form.html", context, status=status)


@portal_view(roles=DESK_ROLES)
@require_POST
def service_retire(request: HttpRequest, clinic_id: int, service_id: int, *, membership: Membership) -> HttpResponse:
    service = access_service(membership, service_id)
    catalog.service_retire(actor=membership, service=service, ip=client_ip(request), now=clock())
    messages.success(request, _("Service %(name)s retired; booked visits are kept.") % {"name": service.name})
    return redirect(_url("services", clinic_id))
