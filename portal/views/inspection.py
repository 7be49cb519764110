"""The clinic's own inspection report: the latest finished inspection, point by point, with what to fix.

Owners and the front desk see it (the people who run the clinic); a practitioner's login does not (404, as every
page a role may not see). Parse, access, one selector, render. A failed point shows its advice
(``Point.fix``) and, when the advice names a portal page this member may open, a link to it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from portal.access import ALL_ROLES, DESK_ROLES, OWNER_ONLY, portal_view
from portal.models import Membership
from portal.views.common import page
from portal.views.outcomes import OUTCOMES_ROLES
from quality.rubric import PASS_MARK
from quality.selectors import inspection_report


@dataclass(frozen=True)
class FixPage:
    url_name: str  # a ``portal:`` URL taking only ``clinic_id``
    name: Promise  # the page's name as the portal's navigation shows it
    roles: Collection[str]  # who may open it: the roles of its view's ``portal_view``


_PRACTITIONERS = FixPage("practitioners", _("Practitioners"), DESK_ROLES)
_PROFILE = FixPage("profile", _("Clinic profile"), OWNER_ONLY)
_COMPLAINTS = FixPage("complaints", _("Complaints"), OWNER_ONLY)
_REVIEWS = FixPage("reviews", _("Reviews"), DESK_ROLES)
_TODAY = FixPage("today", _("Today"), ALL_ROLES)
_SCHEDULES = FixPage("schedules", _("Schedules"), ALL_ROLES)
_SERVICES = FixPage("services", _("Services"), DESK_ROLES)
_OUTCOMES = FixPage("outcomes", _("Outcomes"), OUTCOMES_ROLES)
_CONSULTATIONS = FixPage("consultations", _("Consultations"), ALL_ROLES)

# The portal page each point's advice names, for the points whose fix is done in the portal.
FIX_PAGES: dict[str, FixPage] = {
    "credentials-register": _PRACTITIONERS,
    "credentials-restriction": _PRACTITIONERS,
    "credentials-listed": _PRACTITIONERS,
    "credentials-director": _PROFILE,
    "complaints-substantiated": _COMPLAINTS,
    "complaints-acknowledged": _COMPLAINTS,
    "complaints-resolved": _COMPLAINTS,
    "reviews-count": _TODAY,
    "reviews-adjusted": _REVIEWS,
    "reviews-recent": _TODAY,
    "reviews-replies": _REVIEWS,
    "ratings-on-time": _SCHEDULES,
    "ratings-clean": _PROFILE,
    "ratings-recommend": _REVIEWS,
    "outcomes-captured": _OUTCOMES,
    "outcomes-improved": _OUTCOMES,
    "outcomes-written-plan": _CONSULTATIONS,
    "experience-clinic-cancellations": _SCHEDULES,
    "experience-first-visit": _SCHEDULES,
    "experience-accessibility": _PROFILE,
    "experience-languages": _PRACTITIONERS,
    "cost-prices-published": _SERVICES,
    "cost-prices-charged": _SERVICES,
    "cost-cancellation-fees": _SCHEDULES,
    "cost-direct-billing": _PROFILE,
    "freshness-open-times": _SCHEDULES,
    "freshness-visits-closed": _TODAY,
    "freshness-profile": _PROFILE,
    "freshness-schedule": _SCHEDULES,
    "freshness-phone": _PROFILE,
}


@dataclass(frozen=True)
class FixLink:
    url: str
    name: Promise


def fix_link(point_id: str, membership: Membership) -> FixLink | None:
    """The portal page where ``membership`` can act on a failed point; None when there is none they may open."""
    target = FIX_PAGES.get(point_id)
    if target is None or membership.role not in target.roles:
        return None
    return FixLink(reverse(f"portal:{target.url_name}", kwargs={"clinic_id": membership.clinic_id}), target.name)


@require_GET
@portal_view(roles=DESK_ROLES)
def inspection(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    report = inspection_report(clinic=membership.clinic)
    failed = [
        (category, point, fix_link(point.point.id, membership))
        for category in report.categories
        for point in category.points
        if report.inspection is not None and point.passed is False
    ]
    pass_mark = report.inspection.pass_mark if report.inspection is not None else PASS_MARK
    return page(
        request,
        "portal/inspection.html",
        {"membership": membership, "report": report, "failed": failed, "pass_mark": pass_mark},
    )
