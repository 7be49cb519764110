"""Writes on a clinic's own catalogue: its practitioners, its services, who offers what, and its profile.

Each function is one transaction. A change that can move open times (a practitioner retired, a
service's duration or offerings changed) rebuilds the clinic's precomputed next openings in the
same transaction, like the scheduling writes do (see scheduling/AVAILABILITY.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinics.models import Clinic, Insurer, Language, OpeningHours, Practitioner, Service, Technique

PRACTITIONER_FIELDS = ("first_name", "last_name", "discipline", "credentials", "college", "registration_number", "bio")
SERVICE_FIELDS = ("name", "name_fr", "discipline", "kind", "delivery", "duration_minutes", "price_cents")
PROFILE_FIELDS = (
    "address",
    "postal_code",
    "phone",
    "email",
    "website",
    "description",
    "wheelchair_accessible",
    "accessibility_notes",
)


def _refresh(clinic_id: int, now: datetime) -> None:
    # Imported here: scheduling's models import clinics' models, so a module-level import would be circular.
    from scheduling.cache import next_open_times_refresh

    next_open_times_refresh(clinic_ids=[clinic_id], now=now)


def _same_clinic(clinic: Clinic, objects: Iterable[Practitioner | Service], *, what: str) -> None:
    if any(obj.clinic_id != clinic.pk for obj in objects):
        raise ValidationError(_("Choose %(what)s of this clinic only.") % {"what": what})


def _apply(obj: Any, fields: Sequence[str], changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the allowed ``changes`` on ``obj``; answer {field: (old, new)} for the ones that differ."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationError(_("Unknown field: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    diff = {}
    for name, value in changes.items():
        old = getattr(obj, name)
        if old != value:
            diff[name] = (old, value)
            setattr(obj, name, value)
    return diff


# --- Practitioners --------------------------------------------------------------------------------


def practitioner_create(
    *,
    clinic: Clinic,
    now: datetime,
    techniques: Iterable[Technique] = (),
    languages: Iterable[Language] = (),
    services: Iterable[Service] = (),
    **fields: Any,
) -> Practitioner:
    services = list(services)
    _same_clinic(clinic, services, what=_("services"))
    practitioner = Practitioner(clinic=clinic)
    _apply(practitioner, PRACTITIONER_FIELDS, fields)
    practitioner.full_clean()
    with transaction.atomic():
        practitioner.save()
        practitioner.techniques.set(techniques)
        practitioner.languages.set(languages)
        practitioner.services.set(services)
        _refresh(clinic.pk, now)
    return practitioner


def practitioner_update(
    *,
    practitioner: Practitioner,
    now: datetime,
    techniques: Iterable[Technique] | None = None,
    languages: Iterable[Language] | None = None,
    services: Iterable[Service] | None = None,
    **fields: Any,
) -> dict[str, tuple[Any, Any]]:
    """Change a practitioner's details (and, when given, techniques, languages, services); the diff."""
    diff = _apply(practitioner, PRACTITIONER_FIELDS, fields)
    practitioner.full_clean()
    with transaction.atomic():
        practitioner.save()
        for name, values in (("techniques", techniques), ("languages", languages), ("services", services)):
            if values is None:
                continue
            values = list(values)
            if name == "services":
                _same_clinic(practitioner.clinic, values, what=_("services"))
            manager = getattr(practitioner, name)
            old = sorted(manager.values_list("pk", flat=True))
            new = sorted(v.pk for v in values)
            if old != new:
                manager.set(values)
                diff[name] = (old, new)
        _refresh(practitioner.clinic_id, now)
    return diff


def practitioner_retire(*, practitioner: Practitioner, now: datetime) -> None:
    """Stop offering the practitioner to patients; their appointments and history stay."""
    with transaction.atomic():
        Practitioner.objects.filter(pk=practitioner.pk).update(is_active=False)
        practitioner.is_active = False
        _refresh(practitioner.clinic_id, now)


# --- Services -------------------------------------------------------------------------------------


def _service_check(service: Service) -> None:
    if service.price_cents is not None and service.price_cents < 0:
        raise ValidationError({"price_cents": _("The price must not be below 0.")})
    service.full_clean(exclude=["practitioners"])


def service_create(
    *, clinic: Clinic, now: datetime, practitioners: Iterable[Practitioner] = (), **fields: Any
) -> Service:
    practitioners = list(practitioners)
    _same_clinic(clinic, practitioners, what=_("practitioners"))
    service = Service(clinic=clinic)
    _apply(service, SERVICE_FIELDS, fields)
    _service_check(service)
    with transaction.atomic():
        service.save()
        service.practitioners.set(practitioners)
        _refresh(clinic.pk, now)
    return service


def service_update(
    *, service: Service, now: datetime, practitioners: Iterable[Practitioner] | None = None, **fields: Any
) -> dict[str, tuple[Any, Any]]:
    diff = _apply(service, SERVICE_FIELDS, fields)
    _service_check(service)
    with transaction.atomic():
        service.save()
        if practitioners is not None:
            diff.update(offerings_set(service=service, practitioners=practitioners))
        _refresh(service.clinic_id, now)
    return diff


def service_retire(*, service: Service, now: datetime) -> None:
    """Patients can no longer book the service; booked appointments and history stay."""
    with transaction.atomic():
        Service.objects.filter(pk=service.pk).update(is_active=False)
        service.is_active = False
        _refresh(service.clinic_id, now)


def offerings_set(*, service: Service, practitioners: Iterable[Practitioner]) -> dict[str, tuple[Any, Any]]:
    """Who offers ``service`` (the caller refreshes next openings); the diff of practitioner ids."""
    practitioners = list(practitioners)
    _same_clinic(service.clinic, practitioners, what=_("practitioners"))
    with transaction.atomic():
        old = sorted(service.practitioners.values_list("pk", flat=True))
        new = sorted(p.pk for p in practitioners)
        if old == new:
            return {}
        service.practitioners.set(practitioners)
    return {"practitioners": (old, new)}


# --- The clinic's public profile ------------------------------------------------------------------


def phone_normalize(*, value: str, region: str = "CA") -> str:
    """A Canadian (or international) number as E.164, or a ValidationError saying why not."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a phone number, e.g. 416 555 0123.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This is not a valid phone number. Check the area code and the number of digits."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def opening_hours_check(blocks: Sequence[tuple[int, time, time]]) -> None:
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in blocks:
        if closes <= opens:
            raise ValidationError(_("The clinic must close after it opens (%(a)s).") % {"a": f"{opens:%H:%M}"})
        by_day.setdefault(weekday, []).append((opens, closes))
    for day in by_day.values():
        day.sort()
        for (_a, end), (start, _b) in itertools.pairwise(day):
            if start < end:
                raise ValidationError(_("Opening hours overlap on the same day."))


def clinic_profile_update(
    *,
    clinic: Clinic,
    now: datetime,
    opening_hours: Sequence[tuple[int, time, time]] | None = None,
    languages: Iterable[Language] | None = None,
    insurers: Iterable[Insurer] | None = None,
    **fields: Any,
) -> dict[str, tuple[Any, Any]]:
    """Change the clinic's public profile; ``opening_hours`` (weekday, opens, closes) replaces all rows."""
    if "phone" in fields:
        fields["phone"] = phone_normalize(value=fields["phone"])
    diff = _apply(clinic, PROFILE_FIELDS, fields)
    clinic.full_clean(exclude=["languages", "insurers"])
    if opening_hours is not None:
        opening_hours_check(opening_hours)
    with transaction.atomic():
        clinic.save()
        for name, values in (("languages", languages), ("insurers", insurers)):
            if values is None:
                continue
            values = list(values)
            manager = getattr(clinic, name)
            old = sorted(manager.values_list("pk", flat=True))
            new = sorted(v.pk for v in values)
            if old != new:
                manager.set(values)
                diff[name] = (old, new)
        if opening_hours is not None:
            old_hours = [
                f"{h.weekday} {h.opens:%H:%M}-{h.closes:%H:%M}" for h in OpeningHours.objects.filter(clinic=clinic)
            ]
            new_hours = [f"{d} {a:%H:%M}-{b:%H:%M}" for d, a, b in sorted(opening_hours)]
            if old_hours != new_hours:
                OpeningHours.objects.filter(clinic=clinic).delete()
                OpeningHours.objects.bulk_create(
                    OpeningHours(clinic=clinic, weekday=d, opens=a, closes=b) for d, a, b in opening_hours
                )
                diff["opening_hours"] = (old_hours, new_hours)
    return diff


def cancellation_window_set(*, clinic: Clinic, hours: int) -> int | None:
    """How long before a visit patients may still cancel online; answers the previous value (None: default)."""
    # booking's models import clinics' models: imported here to keep the dependency one way at import time.
    from booking.models import ClinicBookingPolicy

    if hours < 0:
        raise ValidationError(_("The cancellation window must not be below 0."))
    with transaction.atomic():
        policy = ClinicBookingPolicy.objects.select_for_update().filter(clinic=clinic).first()
        old = policy.cancellation_window_hours if policy else None
        if policy is None:
            ClinicBookingPolicy.objects.create(clinic=clinic, cancellation_window_hours=hours)
        elif old != hours:
            policy.cancellation_window_hours = hours
            policy.save(update_fields=["cancellation_window_hours"])
    return old
