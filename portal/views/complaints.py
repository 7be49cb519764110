"""The clinic's complaints: the list with each one's deadlines, and one complaint's page to acknowledge and answer it.

Owners only: a complaint can hold health information and names staff, and the owner answers for the clinic.
Acknowledging and answering go through ``quality.complaints.complaint_answer``, with an audit row (no text in it)
written in the same transaction.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from painhero.http import client_ip
from portal.access import OWNER_ONLY, portal_view
from portal.models import Membership
from portal.services.audit import audit_record
from portal.views.common import clock, page
from quality.complaints import TEXT_MAX, ComplaintError, complaint_answer
from quality.models import Complaint


class AnswerForm(forms.Form):
    response = forms.CharField(
        label=gettext_lazy("Your answer to the patient"),
        help_text=gettext_lazy(
            "The patient reads it when you mark the complaint resolved. Say what you found and what you will do. "
            "PainHero's network team reads it too."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TEXT_MAX,
        required=False,
    )


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view(roles=OWNER_ONLY)
@require_GET
def complaints(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    rows = Complaint.objects.filter(clinic_id=clinic_id).select_related("appointment")[:200]
    now = clock()
    late = set(Complaint.objects.filter(clinic_id=clinic_id).late(now=now).values_list("pk", flat=True))
    context = {"membership": membership, "rows": rows, "late": late, "now": now}
    return _private(page(request, "portal/complaints.html", context))


@portal_view(roles=OWNER_ONLY)
@require_http_methods(["GET", "POST"])
def complaint_detail(
    request: HttpRequest, clinic_id: int, complaint_id: int, *, membership: Membership
) -> HttpResponse:
    complaint = get_object_or_404(
        Complaint.objects.select_related("appointment__practitioner", "appointment__service"),
        pk=complaint_id,
        clinic_id=clinic_id,
    )
    form = AnswerForm(request.POST or None, initial={"response": complaint.response})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in {"acknowledge", "save", "resolve"}:
            form.add_error(None, _("Choose Acknowledge, Save the answer or Send and mark resolved."))
            status = 400
        elif form.is_valid():
            try:
                with transaction.atomic():
                    done = complaint_answer(
                        complaint=complaint,
                        now=clock(),
                        response=form.cleaned_data["response"] if action != "acknowledge" else complaint.response,
                        resolve=action == "resolve",
                    )
                    audit_record(
                        actor=membership,
                        action=f"complaint.{action}",
                        obj=done,
                        summary=_("Complaint of %(date)s: %(action)s")
                        % {"date": done.filed_at.date().isoformat(), "action": action},
                        ip=client_ip(request),
                    )
            except ComplaintError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(
                    request,
                    {
                        "acknowledge": _("Acknowledged. The patient sees it on their complaint's page."),
                        "save": _("Your answer is saved. The patient reads it when you mark the complaint resolved."),
                        "resolve": _("Resolved. We sent the patient your answer."),
                    }[action],
                )
                return redirect("portal:complaint_detail", clinic_id=clinic_id, complaint_id=complaint.pk)
        else:
            status = 400
    context = {"membership": membership, "complaint": complaint, "form": form, "now": clock()}
    return _private(page(request, "portal/complaint_detail.html", context, status=status))
