"""The patient's details as a booking takes them (a later patients app may take them over).

``patient_details_parse`` is the one builder: the booking form, the JSON API and the clinic portal's form
all hand it what was typed and show its messages, so a detail refused in one place is refused in all,
with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from clinics import services as clinic_services

DEFAULT_PHONE_REGION = "CA"
NAME_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 254
NOTE_MAX_LENGTH = 2000
# The fields the builder reads, in the order their errors are reported.
PATIENT_FIELDS = ("name", "email", "phone", "note")


@dataclass(frozen=True)
class PatientDetails:
    name: str
    email: str
    phone: str  # E.164
    first_visit: bool = True
    note: str = ""  # health information: never logged, never in an error message
    sms_reminders: bool = False  # asked for text reminders at ``phone`` (recorded with the time, at booking)

    def __repr__(self) -> str:
        return f"PatientDetails(<{len(self.name)} chars>, note=<{len(self.note)} chars>)"


def phone_normalize(raw: str, *, region: str = DEFAULT_PHONE_REGION) -> str:
    """A mobile phone number as E.164 ("+14165550123"); ValueError with a readable message if it is not one."""
    try:
        return clinic_services.phone_normalize(value=raw, region=region)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


def patient_details_parse(
    *,
    name: str,
    email: str,
    phone: str,
    first_visit: bool = True,
    note: str = "",
    region: str = DEFAULT_PHONE_REGION,
    sms_reminders: bool = False,
) -> PatientDetails:
    """The details as typed, trimmed and checked: the phone as E.164, the email as an address.

    Raises one ``ValidationError`` whose ``message_dict`` has one message per bad field (``name``,
    ``email``, ``phone``, ``note``). The note is health information: its message never quotes it.
    """
    name, email, note = name.strip(), email.strip(), note.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter your full name.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("Keep the name to %(max)d characters.") % {"max": NAME_MAX_LENGTH}
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address.")
    try:
        phone = clinic_services.phone_normalize(value=phone, region=region)
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    else:
        if sms_reminders and not phone_takes_texts(phone):
            errors["phone"] = _(
                "This number cannot receive text messages: give a mobile number, or untick the text reminders."
            )
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note to %(max)d characters.") % {"max": NOTE_MAX_LENGTH}
    if errors:
        raise ValidationError({field: ValidationError(message, code="invalid") for field, message in errors.items()})
    return PatientDetails(
        name=name, email=email, phone=phone, first_visit=first_visit, note=note, sms_reminders=sms_reminders
    )


def phone_takes_texts(phone: str) -> bool:
    """Whether an E.164 number may be a mobile (Canadian numbers do not say: fixed line or mobile)."""
    number = phonenumbers.parse(phone, None)
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.number_type(number) in kinds
