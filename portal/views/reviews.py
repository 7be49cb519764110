"""The clinic's Reviews page: every review of the clinic (held ones with their reason) and its one public reply
to each. Parse, access, one service, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from painhero.http import client_ip
from portal.access import DESK_ROLES, portal_view
from portal.models import Membership
from portal.services.reviews import review_reply_write
from portal.views.common import clock, page
from quality.errors import InspectionError
from quality.models import Review
from quality.selectors import reviews_for_clinic_staff
from quality.services import REPLY_MAX


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your public reply"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REPLY_MAX,
        help_text=gettext_lazy("Shown under the review on your clinic's page. You can edit it; the review stays."),
    )


def access_review(membership: Membership, review_id: int) -> Review:
    """A review of the membership's clinic; another clinic's is a 404."""
    review = Review.objects.filter(clinic_id=membership.clinic_id, pk=review_id).select_related("reply").first()
    if review is None:
        raise Http404
    return review


def _rows(reviews: list[Review], *, bound: tuple[int, ReplyForm] | None = None) -> list[dict[str, Any]]:
    rows = []
    for review in reviews:
        reply = getattr(review, "reply", None)
        form = (
            bound[1]
            if bound and bound[0] == review.pk
            else ReplyForm(initial={"text": reply.text if reply else ""}, prefix=f"r{review.pk}")
        )
        rows.append({"review": review, "reply": reply, "form": form})
    return rows


@require_GET
@portal_view(roles=DESK_ROLES)
def reviews(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    found = reviews_for_clinic_staff(clinic_id=membership.clinic_id)
    return page(request, "portal/reviews.html", {"membership": membership, "rows": _rows(found)})


@require_POST
@portal_view(roles=DESK_ROLES)
def review_reply(request: HttpRequest, clinic_id: int, review_id: int, *, membership: Membership) -> HttpResponse:
    review = access_review(membership, review_id)
    form = ReplyForm(request.POST, prefix=f"r{review.pk}")
    if form.is_valid():
        try:
            review_reply_write(
                actor=membership, review=review, text=form.cleaned_data["text"], ip=client_ip(request), now=clock()
            )
        except InspectionError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, _("Your reply is published under the review."))
            listing = reverse("portal:reviews", kwargs={"clinic_id": membership.clinic_id})
            return redirect(f"{listing}#review-{review.pk}")
    found = reviews_for_clinic_staff(clinic_id=membership.clinic_id)
    context = {"membership": membership, "rows": _rows(found, bound=(review.pk, form))}
    return page(request, "portal/reviews.html", context, status=400)
