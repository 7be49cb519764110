"""The clinic's waitlist: who waits for an earlier time, the offers standing, the times it filled."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from booking.waitlist_selectors import FILLED_PERIOD, waitlist_overview
from portal.access import DESK_ROLES, portal_view
from portal.models import Membership


@portal_view(roles=DESK_ROLES)
@require_GET
def waitlist(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    overview = waitlist_overview(clinic_id=clinic_id, now=timezone.now())
    context = {"membership": membership, "overview": overview, "period_days": FILLED_PERIOD.days}
    return render(request, "portal/waitlist.html", context)
