"""The checkout form: the patient's details, checked by ``patient_details_parse`` (errors shown beside each)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from booking.patients import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PATIENT_FIELDS,
    PatientDetails,
    patient_details_parse,
)


class PatientForm(forms.Form):
    # The fields only carry what was typed (unstripped, so a blank name meets the builder's message, as in the
    # API); ``patient_details_parse`` judges the details.
    name = forms.CharField(label=_("Full name"), max_length=NAME_MAX_LENGTH, strip=False)
    email = forms.CharField(
        label=_("Email"),
        max_length=EMAIL_MAX_LENGTH,
        strip=False,
        widget=forms.EmailInput,
        help_text=_("We send the confirmation here."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=40, strip=False, help_text=_("e.g. 416 555 0123"))
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
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the clinic sees this."),
    )
    sms_reminders = forms.BooleanField(
        label=_("Text me a reminder before my appointment"),
        required=False,
        help_text=_("One text to the mobile number above, never between 9 p.m. and 8 a.m. Standard rates may apply."),
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            # A field its own checks refused (empty, too long) is judged as empty here, and keeps its first error.
            self._patient = patient_details_parse(
                name=data.get("name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                first_visit=data.get("first_visit", True),
                note=data.get("note", ""),
                sms_reminders=bool(data.get("sms_reminders")),
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                if name not in self.errors:
                    self.add_error(name, errors)
            return data
        # What is kept (and hashed for the idempotent replay) is what is booked: trimmed, the phone as E.164.
        data.update({name: getattr(self._patient, name) for name in PATIENT_FIELDS})
        return data

    def patient(self) -> PatientDetails:
        """The details ``clean`` built; call after ``is_valid()``."""
        return self._patient


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling? (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept private, with your appointment's history."),
    )
