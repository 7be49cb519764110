"""The patient's details as a booking takes them (a later patients app may take them over)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from clinics import services as clinic_services

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
        return clinic_services.phone_normalize(value=raw, region=region)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
