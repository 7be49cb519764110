"""The network team's inspection workspace, in the staff admin: the queue, the 50-point form, finishing.

Nothing here writes a score or a status itself: starting, recording a point, finishing and suspending are the
quality services (the form's rows go through ``point_record``; a computed point cannot be edited).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clinics.models import LISTED_STATUSES, NetworkStatus
from quality.complaints import clinics_due_early, complaint_triage
from quality.errors import InspectionError
from quality.models import (
    ClinicStatusChange,
    ClinicToInspect,
    Complaint,
    Inspection,
    InspectionPoint,
    InspectionStatus,
    Review,
    ReviewStatus,
)
from quality.rubric import CATEGORY_OF, POINTS
from quality.services import clinic_status_move, inspection_finish, inspection_start, point_record, review_publish

REINSPECT_AFTER = timedelta(days=365)


class PointForm(forms.ModelForm):
    link = forms.URLField(label=gettext_lazy("evidence link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = InspectionPoint
        fields = ["passed", "evidence", "link"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 2, "cols": 50})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.computed:
            for field in self.fields.values():
                field.disabled = True  # computed from PainHero's data: shown, never entered


class PointInline(admin.TabularInline):
    model = InspectionPoint
    form = PointForm
    fields = ["point", "category", "kind", "passed", "evidence", "link", "recorded_by", "recorded_at"]
    readonly_fields = ["point", "category", "kind", "recorded_by", "recorded_at"]
    extra = 0
    max_num = 0
    can_delete = False

    @admin.display(description=gettext_lazy("point"))
    def point(self, obj: InspectionPoint) -> str:
        point = POINTS.get(obj.point_id)
        return f"{obj.point_id}: {point.label}" if point else obj.point_id

    @admin.display(description=gettext_lazy("category"))
    def category(self, obj: InspectionPoint) -> str:
        category = CATEGORY_OF.get(obj.point_id)
        return str(category.name) if category else ""

    @admin.display(description=gettext_lazy("kind"))
    def kind(self, obj: InspectionPoint) -> str:
        point = POINTS.get(obj.point_id)
        if point is None:
            return ""
        kind = _("computed") if point.computed else _("inspector")
        return f"{kind}, {_('gate')}" if point.gate else kind


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["clinic", "status", "inspector", "started_at", "finished_at", "score", "gates_passed", "outcome"]
    list_filter = ["status", "outcome", "rubric_version"]
    list_select_related = ["clinic", "inspector"]
    search_fields = ["clinic__name"]
    readonly_fields = [
        "clinic",
        "rubric_version",
        "inspector",
        "status",
        "started_at",
        "finished_at",
        "score",
        "pass_mark",
        "gates_passed",
        "outcome",
    ]
    inlines = [PointInline]
    actions = ["finish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # started from the queue (inspection_start)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an inspection is a record: it is never deleted

    def save_model(self, request: HttpRequest, obj: Inspection, form: Any, change: bool) -> None:
        pass  # every field is read-only; the points go through point_record below

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        now = timezone.now()
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # for the admin's log
        for row in formset.forms:
            if not row.has_changed() or row.instance.computed:
                continue
            try:
                point_record(
                    inspection=row.instance.inspection,
                    point_id=row.instance.point_id,
                    passed=row.cleaned_data.get("passed"),
                    evidence=row.cleaned_data.get("evidence", ""),
                    link=row.cleaned_data.get("link", ""),
                    by=request.user,
                    now=now,
                )
            except InspectionError as error:
                messages.error(request, f"{row.instance.point_id}: {error.message}")

    @admin.action(description=gettext_lazy("Finish the selected inspections (derives the score, moves the clinic)"))
    def finish(self, request: HttpRequest, queryset: QuerySet[Inspection]) -> None:
        now = timezone.now()
        for inspection in queryset.filter(status=InspectionStatus.DRAFT).select_related("clinic"):
            try:
                done = inspection_finish(inspection=inspection, by=request.user, now=now)
            except InspectionError as error:
                messages.error(request, f"{inspection.clinic}: {error.message}")
                continue
            messages.success(
                request,
                _("%(clinic)s: score %(score)s, now %(status)s.")
                % {"clinic": done.clinic, "score": done.score, "status": done.get_outcome_display()},
            )


class DueFilter(admin.SimpleListFilter):
    title = gettext_lazy("needs")
    parameter_name = "needs"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("applicants", _("Applicants")),
            ("due", _("Re-inspection due (12 months)")),
            ("complaints", _("Re-inspection due early (two substantiated complaints)")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "applicants":
            return queryset.filter(network_status=NetworkStatus.APPLICANT)
        if self.value() == "due":
            cutoff = timezone.now() - REINSPECT_AFTER
            return queryset.filter(network_status__in=LISTED_STATUSES).filter(
                Q(last_inspected__isnull=True) | Q(last_inspected__lt=cutoff)
            )
        if self.value() == "complaints":
            early = clinics_due_early(now=timezone.now()).values("pk")
            return queryset.filter(network_status__in=LISTED_STATUSES, pk__in=early)
        return queryset


@admin.register(ClinicToInspect)
class InspectionQueueAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "network_status", "inspection_score", "last_inspected"]
    list_filter = [DueFilter, "network_status", "province"]
    list_select_related = ["city"]
    search_fields = ["name", "city__name"]
    actions = ["start", "suspend", "remove"]
    ordering = ["network_status", "name"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .annotate(last_inspected=Max("inspections__finished_at", filter=Q(inspections__status="finished")))
        )

    @admin.display(description=gettext_lazy("last inspected"), ordering="last_inspected")
    def last_inspected(self, obj: Any) -> Any:
        return obj.last_inspected

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None  # the list and its actions; a clinic's details are edited in Clinics

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Start (or open) an inspection"))
    def start(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseRedirect | None:
        started = [inspection_start(clinic=c, inspector=request.user, now=timezone.now()) for c in queryset]
        if len(started) == 1:
            return HttpResponseRedirect(reverse("admin:quality_inspection_change", args=[started[0].pk]))
        opened = ngettext("%(n)d inspection opened.", "%(n)d inspections opened.", len(started))
        messages.success(request, opened % {"n": len(started)})
        return None

    def _move(self, request: HttpRequest, queryset: QuerySet[Any], status: str) -> None:
        for clinic in queryset:
            try:
                clinic_status_move(
                    clinic=clinic, to_status=status, by=request.user, now=timezone.now(), reason=_("By network staff")
                )
            except InspectionError as error:
                messages.error(request, f"{clinic}: {error.message}")

    @admin.action(description=gettext_lazy("Suspend (booked patients are told; the portal stays open)"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._move(request, queryset, NetworkStatus.SUSPENDED)

    @admin.action(description=gettext_lazy("Remove from the network"))
    def remove(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._move(request, queryset, NetworkStatus.REMOVED)


@admin.register(ClinicStatusChange)
class ClinicStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["clinic", "from_status", "to_status", "at", "by", "score", "reason"]
    list_filter = ["to_status"]
    list_select_related = ["clinic", "by"]
    search_fields = ["clinic__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


REVIEW_FIELDS: tuple[str, ...] = ("clinic", "rating", "explained", "listened", "on_time", "clean_and_accessible")
REVIEW_FIELDS += ("recommend", "text", "status", "held_reason", "created_at")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Moderation: held reviews wait here with their reason; a moderator publishes them. None is deleted."""

    list_display = ["clinic", "rating", "status", "held_reason", "created_at"]
    list_filter = ["status"]
    list_select_related = ["clinic"]
    search_fields = ["clinic__name"]
    fields = REVIEW_FIELDS
    readonly_fields = REVIEW_FIELDS
    actions = ["publish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # held, never silently deleted

    @admin.action(description=gettext_lazy("Publish the selected held reviews"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        for review in queryset.filter(status=ReviewStatus.HELD):
            review_publish(review=review, now=timezone.now())


class ComplaintLateFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadlines")
    parameter_name = "deadlines"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("late", _("Late (acknowledgement or resolution)")), ("open", _("Not resolved yet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "late":
            return Complaint.objects.late(now=timezone.now()).filter(pk__in=queryset.values("pk"))
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        return queryset


class TriageForm(forms.ModelForm):
    substantiated = forms.TypedChoiceField(
        label=gettext_lazy("substantiated"),
        choices=[
            ("", "---------"),
            ("yes", gettext_lazy("Yes: substantiated")),
            ("no", gettext_lazy("No: not substantiated")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    triage_reason = forms.CharField(
        label=gettext_lazy("triage reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Why it is or is not substantiated. The clinic's inspection counts substantiated ones."),
    )

    class Meta:
        model = Complaint
        fields = ["substantiated", "triage_reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.substantiated is not None:
            self.initial["substantiated"] = "yes" if self.instance.substantiated else "no"


COMPLAINT_READONLY: tuple[str, ...] = ("clinic", "appointment", "topic", "text", "filed_at", "acknowledge_by")
COMPLAINT_READONLY += ("acknowledged_at", "resolve_by", "resolved_at", "response", "triaged_by", "triaged_at")


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Triage: network staff read each complaint and decide, with a reason, whether it is substantiated.

    Late ones (acknowledged after 2 business days, resolved after 30 days, or still waiting past either) are one
    filter away. The decision goes through ``complaint_triage``; nothing else here writes.
    """

    form = TriageForm
    list_display = ["clinic", "topic", "filed_at", "acknowledged_on_time", "resolved_on_time", "substantiated"]
    list_filter = [ComplaintLateFilter, "substantiated", "topic"]
    list_select_related = ["clinic"]
    search_fields = ["clinic__name"]
    readonly_fields = COMPLAINT_READONLY
    fields = (*COMPLAINT_READONLY, "substantiated", "triage_reason")

    @admin.display(description=gettext_lazy("acknowledged on time"), boolean=True)
    def acknowledged_on_time(self, obj: Complaint) -> bool | None:
        if obj.acknowledged_at is None:
            return None if obj.acknowledge_by >= timezone.now() else False
        return obj.acknowledged_at <= obj.acknowledge_by

    @admin.display(description=gettext_lazy("resolved on time"), boolean=True)
    def resolved_on_time(self, obj: Complaint) -> bool | None:
        if obj.resolved_at is None:
            return None if obj.resolve_by >= timezone.now() else False
        return obj.resolved_at <= obj.resolve_by

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Complaint, form: Any, change: bool) -> None:
        complaint_triage(
            complaint=obj,
            substantiated=bool(form.cleaned_data["substantiated"]),
            reason=form.cleaned_data["triage_reason"],
            by=request.user,
            now=timezone.now(),
        )
