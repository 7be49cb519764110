"""The therapist's way to a care plan: the free consultations, a plan written from one (a template to start from,
the phases), its preview, and "Send to patient". Parse, access, one service, render.

Writing and reading a plan is reading and writing health information: only the practitioner who held the
consultation may (``portal.selectors.health_note_visible``, the one rule); every read of the intake beside the form
goes into its audit trail (``patients.consultation.appointment_intakes_open``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.models import Appointment
from clinics.models import Practitioner, Service
from patients.careplan_models import MAX_PHASES, TEXT_MAX, CarePlan, CarePlanTemplate, Condition, OutcomeMeasure
from patients.careplans import (
    CarePlanError,
    PhaseInput,
    careplan_save,
    careplan_send,
    consultations_for,
    templates_for,
)
from patients.consultation import appointment_intakes_open, intake_answer_lines
from patients.models import Reader
from portal.access import ALL_ROLES, access_appointment, appointments_visible, portal_view
from portal.models import Membership, Role
from portal.selectors import health_note_visible
from portal.services.outcomes import careplan_progress_read
from portal.views.common import clock, page


class PlanForm(forms.Form):
    condition = forms.ChoiceField(label=gettext_lazy("Condition"), choices=Condition.choices)
    impression = forms.CharField(
        label=gettext_lazy("Working impression"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )
    goals = forms.CharField(
        label=gettext_lazy("Goals"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX, required=False
    )
    home_exercises = forms.CharField(
        label=gettext_lazy("Home exercises"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )
    outcome_measures = forms.MultipleChoiceField(
        label=gettext_lazy("Outcome measures to track"),
        choices=OutcomeMeasure.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cost_estimate = forms.DecimalField(
        label=gettext_lazy("Cost estimate for the whole plan ($)"),
        min_value=Decimal(0),
        max_value=Decimal(100000),
        decimal_places=2,
    )
    insurance_note = forms.CharField(
        label=gettext_lazy("What insurance commonly covers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX,
        required=False,
    )


class PhaseForm(forms.Form):
    visits_per_week = forms.IntegerField(label=gettext_lazy("Visits a week"), min_value=1, max_value=7)
    weeks = forms.IntegerField(label=gettext_lazy("Weeks"), min_value=1, max_value=36)
    service = forms.ModelChoiceField(label=gettext_lazy("Service"), queryset=Service.objects.none())
    practitioner = forms.ModelChoiceField(label=gettext_lazy("Practitioner"), queryset=Practitioner.objects.none())

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(clinic_id=clinic_id, is_active=True)  # type: ignore[attr-defined]
        self.fields["practitioner"].queryset = Practitioner.objects.filter(clinic_id=clinic_id)  # type: ignore[attr-defined]


PhaseFormSet = forms.formset_factory(
    PhaseForm, extra=0, min_num=1, max_num=MAX_PHASES, validate_min=True, validate_max=True
)


def _may_write(membership: Membership, appointment: Appointment) -> None:
    if not health_note_visible(actor=membership, appointment=appointment):
        raise Http404


def _access_plan(membership: Membership, plan_id: int) -> CarePlan:
    """A plan of this clinic, for the practitioner who wrote it (404 for anyone else)."""
    plan = get_object_or_404(
        CarePlan.objects.select_related("clinic", "practitioner", "consultation", "intake"),
        pk=plan_id,
        clinic_id=membership.clinic_id,
    )
    if membership.role != Role.PRACTITIONER or plan.practitioner_id != membership.practitioner_id:
        raise Http404
    return plan


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view(roles=ALL_ROLES)
@require_GET
def consultations(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    """Upcoming and recent free consultations; the answers are read on each one's consultation page (audited)."""
    rows = consultations_for(appointments=appointments_visible(membership), now=clock())
    return _private(page(request, "portal/careplans/consultations.html", {"membership": membership, "rows": rows}))


def _initial_from(template: CarePlanTemplate | None, *, appointment: Appointment) -> tuple[dict[str, Any], list[Any]]:
    if template is None:
        return {"outcome_measures": list(OutcomeMeasure.values)}, [
            {"visits_per_week": 1, "weeks": 1, "practitioner": appointment.practitioner_id}
        ]
    plan = {
        "condition": template.condition,
        "goals": template.goals,
        "home_exercises": template.home_exercises,
        "outcome_measures": template.outcome_measures,
        "insurance_note": template.insurance_note,
    }
    phases = [
        {"visits_per_week": per_week, "weeks": weeks, "practitioner": appointment.practitioner_id}
        for per_week, weeks in template.phases
    ]
    return plan, phases


@portal_view(roles=(Role.PRACTITIONER,))
@require_http_methods(["GET", "POST"])
def careplan_new(request: HttpRequest, clinic_id: int, appointment_id: int, *, membership: Membership) -> HttpResponse:
    appointment = access_appointment(membership, appointment_id)
    _may_write(membership, appointment)
    templates = templates_for(clinic=membership.clinic, language=request.LANGUAGE_CODE)
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("template", "")), None)
    error = ""
    if request.method == "POST":
        form = PlanForm(request.POST)
        phases = PhaseFormSet(request.POST, prefix="phase", form_kwargs={"clinic_id": membership.clinic_id})
        if form.is_valid() and phases.is_valid():
            data = form.cleaned_data
            try:
                plan = careplan_save(
                    consultation=appointment,
                    plan=None,
                    condition=data["condition"],
                    impression=data["impression"],
                    goals=data["goals"],
                    home_exercises=data["home_exercises"],
                    outcome_measures=list(data["outcome_measures"]),
                    cost_estimate_cents=int(data["cost_estimate"] * 100),
                    insurance_note=data["insurance_note"],
                    phases=[PhaseInput(**row) for row in phases.cleaned_data if row],
                    now=clock(),
                )
            except CarePlanError as exc:
                error = exc.message
            else:
                return HttpResponseRedirect(reverse("portal:careplan_detail", args=[clinic_id, plan.pk]))
    else:
        initial, initial_phases = _initial_from(chosen, appointment=appointment)
        form = PlanForm(initial=initial)
        phases = PhaseFormSet(initial=initial_phases, prefix="phase", form_kwargs={"clinic_id": membership.clinic_id})
    intakes = appointment_intakes_open(
        appointment=appointment,
        user_id=membership.user_id,
        role=membership.role,
        where="portal:careplan_new",
        now=clock(),
        reader=Reader.STAFF,
    )
    context = {
        "membership": membership,
        "appointment": appointment,
        "templates": templates,
        "chosen": chosen,
        "form": form,
        "phases": phases,
        "error": error,
        "intake_lines": [line for intake in intakes[-1:] for line in intake_answer_lines(intake)],
    }
    status = 422 if request.method == "POST" else 200
    return _private(page(request, "portal/careplans/new.html", context, status=status))


@portal_view(roles=(Role.PRACTITIONER,))
@require_GET
def careplan_detail(request: HttpRequest, clinic_id: int, plan_id: int, *, membership: Membership) -> HttpResponse:
    plan = _access_plan(membership, plan_id)
    progress = careplan_progress_read(actor=membership, plan=plan, where="portal:careplan_detail", now=clock())
    context = {
        "membership": membership,
        "plan": plan,
        "phases": list(plan.phases.select_related("service")),
        "progress": progress,
    }
    return _private(page(request, "portal/careplans/detail.html", context))


@portal_view(roles=(Role.PRACTITIONER,))
@require_POST
def careplan_send_view(request: HttpRequest, clinic_id: int, plan_id: int, *, membership: Membership) -> HttpResponse:
    from django.contrib import messages

    plan = _access_plan(membership, plan_id)
    try:
        careplan_send(plan=plan, now=clock())
    except CarePlanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan is on its way to the patient by email."))
    return HttpResponseRedirect(reverse("portal:careplan_detail", args=[clinic_id, plan.pk]))
