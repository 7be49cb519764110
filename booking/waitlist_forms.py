"""The waitlist's forms: join at one clinic, or in an area from a search; leaving needs no fields.

The forms only read what was typed; ``patient_details_parse`` judges the patient's details (the booking form's
words) and ``waitlist_join`` the rest, so the page, the API and any later caller refuse the same things.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from booking.patients import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PatientDetails, patient_details_parse
from booking.waitlist import RADIUS_KM_MAX
from clinics.models import Clinic, Discipline, Practitioner, Service
from painhero.bounds import date_check

# Times of day a patient can tick, on the clinic's clock; none ticked: any time.
WINDOWS = {
    "morning": ("07:00", "12:00"),
    "afternoon": ("12:00", "17:00"),
    "evening": ("17:00", "22:00"),
}
RADIUS_CHOICES_KM = [5, 10, 25, 50, RADIUS_KM_MAX]


def _within_now(km: int) -> str:
    return gettext("Within %(km)d km") % {"km": km}


_within = lazy(_within_now, str)


class _DateInput(forms.DateInput):
    input_type = "date"


class WaitlistJoinForm(forms.Form):
    before = forms.DateField(
        label=_("Needed by"),
        widget=_DateInput,
        help_text=_("The last day an earlier time still helps you. We stop looking after it."),
        error_messages={
            "required": _("Enter the last day an earlier time still helps you."),
            "invalid": _("Enter a date, for example 2027-01-15."),
        },
    )
    windows = forms.MultipleChoiceField(
        label=_("Times of day that suit you"),
        required=False,
        choices=[
            ("morning", _("Mornings (7 a.m. to noon)")),
            ("afternoon", _("Afternoons (noon to 5 p.m.)")),
            ("evening", _("Evenings (5 p.m. to 10 p.m.)")),
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none for any time of day."),
    )
    name = forms.CharField(label=_("Full name"), max_length=NAME_MAX_LENGTH, strip=False)
    email = forms.CharField(
        label=_("Email"),
        max_length=EMAIL_MAX_LENGTH,
        strip=False,
        widget=forms.EmailInput,
        help_text=_("We email you here when a time opens."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=40, strip=False, help_text=_("e.g. 416 555 0123"))
    sms_reminders = forms.BooleanField(
        label=_("Text me too when a time opens"),
        required=False,
        help_text=_("One text to the mobile number above, never between 9 p.m. and 8 a.m. Standard rates may apply."),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        autocomplete = {"name": "name", "email": "email", "phone": "tel"}
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["phone"].widget.input_type = "tel"
        self.fields["before"].widget.attrs["min"] = today.isoformat()

    def clean_before(self) -> date:
        value: date = self.cleaned_data["before"]
        if value < self.today:
            raise ValidationError(_("Pick today or a later day."))
        date_check(value, today=self.today)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self._patient = patient_details_parse(
                name=data.get("name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                sms_reminders=bool(data.get("sms_reminders")),
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                if name not in self.errors:
                    self.add_error(name, errors)
        return data

    def patient(self) -> PatientDetails:
        """The details ``clean`` built; call after ``is_valid()``."""
        return self._patient

    def windows_chosen(self) -> list[dict[str, str]]:
        return [{"from": WINDOWS[key][0], "to": WINDOWS[key][1]} for key in self.cleaned_data.get("windows", [])]


class _ServiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class _PractitionerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class WaitlistClinicForm(WaitlistJoinForm):
    """At one clinic, optionally for one of its services or practitioners."""

    service = _ServiceChoice(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("Any service")
    )
    practitioner = _PractitionerChoice(
        label=_("Practitioner"), queryset=Practitioner.objects.none(), required=False, empty_label=_("Anyone")
    )
    field_order = ["service", "practitioner", "before", "windows", "name", "email", "phone", "sms_reminders"]

    def __init__(self, *args: Any, clinic: Clinic, today: date, **kwargs: Any) -> None:
        super().__init__(*args, today=today, **kwargs)
        # The clinic's own only: another clinic's id in the form is "not one of the choices".
        service_field = cast(forms.ModelChoiceField, self.fields["service"])
        practitioner_field = cast(forms.ModelChoiceField, self.fields["practitioner"])
        service_field.queryset = Service.objects.filter(clinic=clinic, is_active=True).order_by("name")
        practitioner_field.queryset = Practitioner.objects.filter(clinic=clinic, is_active=True).order_by(
            "last_name", "first_name"
        )


class WaitlistAreaForm(WaitlistJoinForm):
    """Any in-network clinic within a radius of a point (the search's), optionally for one discipline."""

    lat = forms.FloatField(widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(widget=forms.HiddenInput, min_value=-180, max_value=180)
    place = forms.CharField(widget=forms.HiddenInput, required=False, max_length=120)
    radius_km = forms.TypedChoiceField(
        label=_("How far you would travel"),
        choices=[(km, _within(km)) for km in RADIUS_CHOICES_KM],
        coerce=int,
        initial=25,
    )
    discipline = forms.ChoiceField(
        label=_("Kind of care"),
        choices=[("", _("Any kind of care")), *Discipline.choices],
        required=False,
    )
    field_order = ["discipline", "radius_km", "before", "windows", "name", "email", "phone", "sms_reminders"]
