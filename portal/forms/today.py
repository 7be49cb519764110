"""Forms of the day-to-day portal pages. Every choice of a clinic's object is limited to that clinic:
an id from another clinic is a form error that says so, not a lookup."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.patients import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PatientDetails, patient_details_parse
from clinics.models import Practitioner, Service
from painhero.bounds import date_check
from painhero.converters import id_parse
from portal.models import Membership, Role


def _parse_slot(raw: str) -> tuple[int, datetime]:
    """A chosen time is "<practitioner id>|<ISO start with offset>" (what the open-times list posts)."""
    pid, _sep, start_raw = raw.partition("|")
    try:
        start = parse_datetime(start_raw.replace(" ", "+"))
    except ValueError:
        start = None
    practitioner_id = id_parse(pid)
    if practitioner_id is None or start is None or start.tzinfo is None:
        raise ValidationError(_("Choose one of the open times."))
    return practitioner_id, start


class ClinicScopedForm(forms.Form):
    def __init__(self, *args: Any, membership: Membership, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        # Today at the clinic, for the sane date window (painhero.bounds) every date here must fall in.
        self.today = (now or timezone.now()).astimezone(ZoneInfo(membership.clinic.time_zone)).date()
        clinic_id = membership.clinic_id
        if "service" in self.fields:
            field = self.fields["service"]
            field.queryset = Service.objects.filter(clinic_id=clinic_id, is_active=True)  # type: ignore[attr-defined]
        if "practitioner" in self.fields:
            practitioners = Practitioner.objects.filter(clinic_id=clinic_id, is_active=True)
            if membership.role == Role.PRACTITIONER:
                practitioners = practitioners.filter(pk=membership.practitioner_id or 0)
            self.fields["practitioner"].queryset = practitioners  # type: ignore[attr-defined]

    def slot_clean(self, data: dict[str, Any]) -> None:
        """Turn the chosen "practitioner_id|start" slot into ``practitioner`` and ``start`` (or a field error)."""
        if not data.get("slot"):
            return
        try:
            pid, start = _parse_slot(data["slot"])
            date_check(start, today=self.today)
            data["practitioner"] = self.practitioner_for(pid)
            data["start"] = start
        except ValidationError as exc:
            self.add_error("slot", exc)

    def practitioner_for(self, pid: int) -> Practitioner:
        practitioner = Practitioner.objects.filter(clinic_id=self.membership.clinic_id, pk=pid, is_active=True).first()
        if practitioner is None:
            raise ValidationError(_("This practitioner does not work at this clinic."))
        return practitioner


_NOT_HERE_SERVICE = gettext_lazy("This service is not offered at this clinic.")
NOT_HERE_PRACTITIONER = gettext_lazy("This practitioner does not work at this clinic.")


class OpenTimesForm(ClinicScopedForm):
    """What the front desk looks up while the patient is on the phone."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        label=gettext_lazy("Service"),
        error_messages={"invalid_choice": _NOT_HERE_SERVICE},
    )
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(),
        label=gettext_lazy("Practitioner"),
        required=False,
        empty_label=gettext_lazy("Anyone"),
        error_messages={"invalid_choice": NOT_HERE_PRACTITIONER},
    )
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        date_check(day, today=self.today)
        return day


class AppointmentCreateForm(ClinicScopedForm):
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        label=gettext_lazy("Service"),
        error_messages={"invalid_choice": _NOT_HERE_SERVICE},
    )
    slot = forms.CharField(label=gettext_lazy("Time"), error_messages={"required": gettext_lazy("Choose a time.")})
    # As in the public form (booking/forms.py): the fields only carry what was typed, unstripped, and
    # ``patient_details_parse`` judges the details, so the desk meets the same refusals with the same words.
    name = forms.CharField(label=gettext_lazy("Patient's name"), max_length=NAME_MAX_LENGTH, strip=False)
    email = forms.CharField(
        label=gettext_lazy("Patient's email"), max_length=EMAIL_MAX_LENGTH, strip=False, widget=forms.EmailInput
    )
    phone = forms.CharField(label=gettext_lazy("Patient's mobile phone"), max_length=40, strip=False)
    first_visit = forms.BooleanField(label=gettext_lazy("First visit at this clinic"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            # A field its own checks refused (empty, too long) is judged as empty here, and keeps its first error.
            self._patient = patient_details_parse(
                name=data.get("name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                first_visit=data.get("first_visit", False),
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                if name not in self.errors:
                    self.add_error(name, errors)
        else:
            data.update(name=self._patient.name, email=self._patient.email, phone=self._patient.phone)
        self.slot_clean(data)
        service = data.get("service")
        practitioner = data.get("practitioner")
        if service and practitioner and not service.practitioners.filter(pk=practitioner.pk).exists():
            self.add_error("slot", _("%(name)s does not offer this service.") % {"name": practitioner.full_name})
        return data

    def patient(self) -> PatientDetails:
        """The details ``clean`` built; call after ``is_valid()``."""
        return self._patient


class MoveForm(ClinicScopedForm):
    slot = forms.CharField(label=gettext_lazy("New time"), error_messages={"required": gettext_lazy("Choose a time.")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.slot_clean(data)
        return data
