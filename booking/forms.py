"""The checkout form: the patient's details, validated field by field (errors shown beside each)."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.patients import NOTE_MAX_LENGTH, PatientDetails, phone_normalize


class PatientForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=120)
    email = forms.EmailField(label=_("Email"), help_text=_("We send the confirmation here."))
    phone = forms.CharField(label=_("Mobile phone"), max_length=40, help_text=_("e.g. 416 555 0123"))
    first_visit = forms.TypedChoiceField(
        label=_("Have you been to this clinic before?"),
        choices=[("1", _("No, this is my first visit")), ("0", _("Yes, I am a returning patient"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    note = forms.CharField(
        label=_("What hurts? (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the clinic sees this."),
    )
    consent = forms.BooleanField(
        label=_("I accept the clinic's cancellation policy and PainHero's privacy notice."),
        error_messages={"required": _("Please accept the policy and privacy notice to book.")},
    )
    # One token per form shown: sending the form twice books once (see booking/idempotency.py).
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))
        autocomplete = {"name": "name", "email": "email", "phone": "tel"}
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["phone"].widget.input_type = "tel"

    def clean_phone(self) -> str:
        try:
            return phone_normalize(self.cleaned_data["phone"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def patient(self) -> PatientDetails:
        data = self.cleaned_data
        return PatientDetails(
            name=data["name"].strip(),
            email=data["email"].strip(),
            phone=data["phone"],
            first_visit=data["first_visit"],
            note=data["note"].strip(),
        )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling? (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept private, with your appointment's history."),
    )
