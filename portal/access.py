"""The tenant wall: every portal view fetches through these helpers.

A clinic the user is not staff of, an object of another clinic, or a role that may not see
something all answer 404: a 403 would confirm that the thing exists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from booking.models import Appointment
from clinics.models import Practitioner, Service

from .models import Membership, Role

ALL_ROLES: tuple[str, ...] = (Role.OWNER, Role.FRONT_DESK, Role.PRACTITIONER)
DESK_ROLES: tuple[str, ...] = (Role.OWNER, Role.FRONT_DESK)
OWNER_ONLY: tuple[str, ...] = (Role.OWNER,)


def access_membership(request: HttpRequest, clinic_id: int, *, roles: Collection[str] | None = None) -> Membership:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise Http404
    membership = (
        Membership.objects.select_related("clinic", "practitioner").filter(user=user, clinic_id=clinic_id).first()
    )
    if membership is None or (roles is not None and membership.role not in roles):
        raise Http404
    return membership


def portal_view(
    roles: Collection[str] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For views taking ``(request, clinic_id, ...)``: sign-in redirect, tenant check, ``membership=`` kwarg."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, clinic_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("portal:login"))
            membership = access_membership(request, clinic_id, roles=roles)
            request.portal_membership = membership  # type: ignore[attr-defined]  # for the header's nav
            return view(request, clinic_id, *args, membership=membership, **kwargs)

        return wrapped

    return decorator


def access_practitioner(membership: Membership, practitioner_id: int) -> Practitioner:
    """A practitioner of the membership's clinic; a practitioner-role user reaches only themselves."""
    queryset = Practitioner.objects.filter(clinic_id=membership.clinic_id)
    if membership.role == Role.PRACTITIONER:
        queryset = queryset.filter(pk=membership.practitioner_id or 0)  # the check constraint says it is set
    practitioner = queryset.filter(pk=practitioner_id).first()
    if practitioner is None:
        raise Http404
    return practitioner


def access_service(membership: Membership, service_id: int) -> Service:
    service = Service.objects.filter(clinic_id=membership.clinic_id, pk=service_id).first()
    if service is None:
        raise Http404
    return service


def appointments_visible(membership: Membership) -> models.QuerySet[Appointment]:
    """The appointments this member may see: the clinic's, or only their own for a practitioner."""
    queryset = Appointment.objects.filter(clinic_id=membership.clinic_id)
    if membership.role == Role.PRACTITIONER:
        queryset = queryset.filter(practitioner_id=membership.practitioner_id or 0)  # set for this role
    return queryset


def access_appointment(membership: Membership, appointment_id: int) -> Appointment:
    appointment = (
        appointments_visible(membership)
        .select_related("practitioner", "service", "clinic")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment
