"""Small factories for tests: each makes a valid object with sensible defaults; override what matters."""

from __future__ import annotations

import itertools
from typing import Any

from clinics.models import Clinic, Discipline, Insurer, Language, NetworkStatus, Practitioner, Service, Technique
from places.models import City, search_names_for

_seq = itertools.count(1)


def make_city(**fields: Any) -> City:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "name": "Toronto",
        "name_fr": "Toronto",
        "slug": f"city-{n}",
        "province": "ON",
        "latitude": 43.70011,
        "longitude": -79.4163,
        "population": 2_600_000,
        "time_zone": "America/Toronto",
    }
    defaults.update(fields)
    defaults.setdefault("search_names", search_names_for(defaults["name"], defaults["name_fr"]))
    return City.objects.create(**defaults)


def make_clinic(*, city: City | None = None, **fields: Any) -> Clinic:
    n = next(_seq)
    city = city or make_city()
    defaults: dict[str, Any] = {
        "name": f"Clinic {n}",
        "slug": f"clinic-{n}",
        "address": f"{n} King Street West",
        "postal_code": "M5H 1A1",
        "province": city.province,
        "latitude": city.latitude,
        "longitude": city.longitude,
        "time_zone": city.time_zone,
        "phone": "+14165550100",
        "network_status": NetworkStatus.IN_NETWORK,
        "inspection_score": 90,
    }
    defaults.update(fields)
    return Clinic.objects.create(city=city, **defaults)


def make_practitioner(*, clinic: Clinic, **fields: Any) -> Practitioner:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "first_name": "Alex",
        "last_name": f"Chen {n}",
        "discipline": Discipline.PHYSIOTHERAPY,
        "credentials": "PT",
    }
    defaults.update(fields)
    return Practitioner.objects.create(clinic=clinic, **defaults)


def make_service(*, clinic: Clinic, practitioners: list[Practitioner] | None = None, **fields: Any) -> Service:
    defaults: dict[str, Any] = {
        "name": "Physiotherapy follow-up",
        "name_fr": "Suivi en physiothérapie",
        "discipline": Discipline.PHYSIOTHERAPY,
        "duration_minutes": 30,
        "price_cents": 9500,
    }
    defaults.update(fields)
    service = Service.objects.create(clinic=clinic, **defaults)
    if practitioners:
        service.practitioners.set(practitioners)
    return service


def make_technique(
    slug: str = "dry-needling", name: str = "Dry needling", name_fr: str = "Puncture sèche"
) -> Technique:
    return Technique.objects.get_or_create(slug=slug, defaults={"name": name, "name_fr": name_fr})[0]


def make_language(slug: str = "en", name: str = "English", name_fr: str = "Anglais") -> Language:
    return Language.objects.get_or_create(slug=slug, defaults={"name": name, "name_fr": name_fr})[0]


def make_insurer(slug: str = "sun-life", name: str = "Sun Life", name_fr: str = "Sun Life") -> Insurer:
    return Insurer.objects.get_or_create(slug=slug, defaults={"name": name, "name_fr": name_fr})[0]
