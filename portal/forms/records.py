"""Forms of the records pages: the export's date range and the invitation of a new staff member."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinics.models import Practitioner
from painhero.bounds import date_check
from portal.models import Role

from .today import NOT_HERE_PRACTITIONER, ClinicScopedForm


class DateRangeForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    MAX_DAYS = 366

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_start(self) -> date:
        date_check(self.cleaned_data["start"], today=self.today)
        return self.cleaned_data["start"]

    def clean_end(self) -> date:
        date_check(self.cleaned_data["end"], today=self.today)
        return self.cleaned_data["end"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date):
            if end < start:
                raise ValidationError(_("The end date is before the start date."))
            if (end - start).days > self.MAX_DAYS:
                raise ValidationError(_("Export at most one year at a time."))
        return data


class InviteForm(ClinicScopedForm):
    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(),
        label=gettext_lazy("Practitioner (for the practitioner role)"),
        required=False,
        error_messages={"invalid_choice": NOT_HERE_PRACTITIONER},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.PRACTITIONER and not data.get("practitioner"):
            self.add_error("practitioner", _("Choose the practitioner this person is."))
        return data
