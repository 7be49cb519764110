"""The clinic's public profile (owner only): address, phone, hours, languages, insurers, accessibility."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from clinics.models import Clinic
from painhero.http import client_ip
from portal.access import OWNER_ONLY, portal_view
from portal.forms.catalog import ProfileForm
from portal.models import Membership
from portal.services.profile import clinic_profile_save

from .common import clock, page


@portal_view(roles=OWNER_ONLY)
def profile(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    clinic = Clinic.objects.prefetch_related("languages", "insurers", "opening_hours").get(pk=membership.clinic_id)
    form = ProfileForm(request.POST or None, instance=copy.copy(clinic))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clinic_profile_save(
                actor=membership,
                clinic=clinic,
                opening_hours=data["opening_hours"],
                languages=data["languages"],
                insurers=data["insurers"],
                fields=form.profile_fields(),
                ip=client_ip(request),
                now=clock(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Clinic profile saved."))
            return redirect(reverse("portal:profile", kwargs={"clinic_id": clinic_id}))
    status = 400 if request.method == "POST" else 200
    return page(request, "portal/manage/profile.html", {"membership": membership, "form": form}, status=status)
