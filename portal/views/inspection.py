"""The clinic's own inspection report: the latest finished inspection, point by point, with what to fix.

Owners and the front desk see it (the people who run the clinic); a practitioner's login does not (404, as every
page a role may not see). Parse, access, one selector, render.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from portal.access import DESK_ROLES, portal_view
from portal.models import Membership
from portal.views.common import page
from quality.rubric import PASS_MARK
from quality.selectors import inspection_report


@require_GET
@portal_view(roles=DESK_ROLES)
def inspection(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    report = inspection_report(clinic=membership.clinic)
    failed = [
        (category, point)
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
