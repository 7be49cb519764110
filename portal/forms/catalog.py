"""Forms for the clinic's catalogue: practitioners, services, and the clinic profile.

Choices of practitioners and services are limited to the member's clinic, so an id from another
clinic is refused with a message next to the field (never saved, never a 500).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinics.models import WEEKDAYS, Clinic, Insurer, Language, Practitioner, Service, Technique
from clinics.services import PROFILE_FIELDS, opening_hours_check, phone_normalize

from .schedules import blocks_parse

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

_NOT_HERE = gettext_lazy("%(value)s is not one of this clinic's choices.")


def _scoped(queryset: Any, label: str | StrPromise) -> forms.ModelMultipleChoiceField[Any]:
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        required=False,
        label=label,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _NOT_HERE, "invalid_pk_value": _NOT_HERE},
    )


class PractitionerForm(forms.ModelForm):
    class Meta:
        model = Practitioner
        fields = ["first_name", "last_name", "discipline", "credentials", "college", "registration_number", "bio"]

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["techniques"] = _scoped(Technique.objects.all(), gettext_lazy("Techniques"))
        self.fields["languages"] = _scoped(Language.objects.all(), gettext_lazy("Languages"))
        self.fields["services"] = _scoped(
            Service.objects.filter(clinic=clinic, is_active=True), gettext_lazy("Services offered")
        )
        if self.instance.pk:
            self.initial.update(
                techniques=list(self.instance.techniques.all()),
                languages=list(self.instance.languages.all()),
                services=list(self.instance.services.all()),
            )


class ServiceForm(forms.ModelForm):
    price = forms.DecimalField(label=gettext_lazy("Price ($, before tax)"), decimal_places=2, max_digits=8)

    class Meta:
        model = Service
        fields = ["name", "name_fr", "discipline", "kind", "delivery", "duration_minutes"]

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioners"] = _scoped(
            Practitioner.objects.filter(clinic=clinic, is_active=True), gettext_lazy("Who offers it")
        )
        if self.instance.pk:
            self.initial["price"] = Decimal(self.instance.price_cents) / 100
            self.initial["practitioners"] = list(self.instance.practitioners.all())

    def clean_price(self) -> Decimal:
        price = self.cleaned_data["price"]
        if price < 0:
            raise ValidationError(_("The price must not be below 0."))
        return price

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self._meta.fields or ()}
        data["price_cents"] = int(self.cleaned_data["price"] * 100)
        return data


class ProfileForm(forms.ModelForm):
    """The clinic's public profile; opening hours are typed like working hours, one field a weekday."""

    website = forms.URLField(label=gettext_lazy("website"), required=False, assume_scheme="https")

    class Meta:
        model = Clinic
        fields = list(PROFILE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["languages"] = _scoped(Language.objects.all(), gettext_lazy("Languages"))
        self.fields["insurers"] = _scoped(Insurer.objects.all(), gettext_lazy("Insurers billed directly"))
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"hours_{day}"] = forms.CharField(
                label=name, required=False, widget=forms.TextInput(attrs={"placeholder": "08:00-20:00"})
            )
        clinic = self.instance
        self.initial.update(languages=list(clinic.languages.all()), insurers=list(clinic.insurers.all()))
        by_day: dict[int, list[str]] = {}
        for hours in clinic.opening_hours.all():
            by_day.setdefault(hours.weekday, []).append(f"{hours.opens:%H:%M}-{hours.closes:%H:%M}")
        self.initial.update({f"hours_{d}": ", ".join(v) for d, v in by_day.items()})

    def hour_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{d}"] for d in range(7)]

    def clean_phone(self) -> str:
        return phone_normalize(value=self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours: list[tuple[int, time, time]] = []
        for day in range(7):
            try:
                hours += [(day, a, b) for a, b in blocks_parse(data.get(f"hours_{day}", ""))]
            except ValidationError as exc:
                self.add_error(f"hours_{day}", exc)
        try:
            opening_hours_check(hours)
        except ValidationError as exc:
            self.add_error(None, exc)
        data["opening_hours"] = hours
        return data

    def profile_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}
