"""The clinic's public profile (owner only): address, phone, hours, languages, insurers, accessibility."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from clinics.models import Clinic
from clinics.services import clinic_profile_update
from portal.access import OWNER_ONLY, audit_record, portal_view
from portal.forms.catalog import ProfileForm
from portal.models import Membership
from scheduling.services import next_open_times_refresh

from .common import changes_json, clock, page


@portal_view(roles=OWNER_ONLY)
def profile(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    clinic = Clinic.objects.prefetch_related("languages", "insurers", "opening_hours").get(pk=membership.clinic_id)
    form = ProfileForm(request.POST or None, instance=copy.copy(clinic))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                diff = clinic_profile_update(
                    clinic=clinic,
                    now=clock(),
                    opening_hours=data["opening_hours"],
                    languages=data["languages"],
                    insurers=data["insurers"],
                    **form.profile_fields(),
                )
                if "opening_hours" in diff:  # the posted hours bound open times: search's must follow at once
                    next_open_times_refresh(clinic_ids=[clinic.pk], now=clock())
                audit_record(
                    membership=membership,
                    action="clinic.profile_update",
                    obj=clinic,
                    summary=_("Clinic profile saved."),
                    changes=changes_json(diff),
                    request=request,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Clinic profile saved."))
            return redirect(reverse("portal:profile", kwargs={"clinic_id": clinic_id}))
    status = 400 if request.method == "POST" else 200
    return page(request, "portal/manage/profile.html", {"membership": membership, "form": form}, status=status)
