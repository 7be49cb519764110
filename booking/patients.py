"""The patient's details as a booking takes them (a later patients app may take them over)."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _

DEFAULT_PHONE_REGION = "CA"
NOTE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class PatientDetails:
    name: str
    email: str
    phone: str  # E.164
    first_visit: bool = True
    note: str = ""  # health information: never logged, never in an error message

    def __repr__(self) -> str:
        return f"PatientDetails(<{len(self.name)} chars>, note=<{len(self.note)} chars>)"


def phone_normalize(raw: str, *, region: str = DEFAULT_PHONE_REGION) -> str:
    """A mobile phone number as E.164 ("+14165550123"); ValueError with a readable message if it is not one."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError(_("Enter a phone number, e.g. 416 555 0123.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("This is not a valid phone number; check the area code and the number of digits."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
