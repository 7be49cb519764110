"""Portal sign-ins for the demo network: an owner, a front desk and a practitioner at a few clinics.

Demo data only: every demo sign-in's password is DEMO_PASSWORD, printed by ``manage.py demo``.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from clinics.models import Clinic, Practitioner
from portal.models import Membership, Organization, OrganizationClinic, Role

DEMO_PASSWORD = "painhero-demo"  # noqa: S105 (documented demo password, demo data only)
DEMO_CLINICS = 3
DEMO_DOMAIN = "demo.painhero.localhost"


def staff_generate(*, seed: int, clinics: int = DEMO_CLINICS) -> list[tuple[str, str, str, str]]:
    """Create (or refresh) the demo staff; returns (email, password, role, clinic name) rows."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    with_people = Clinic.objects.filter(practitioners__is_active=True).distinct().order_by("pk")
    chosen = list(with_people[: clinics * 4])
    rng.shuffle(chosen)
    chosen = sorted(chosen[:clinics], key=lambda c: c.pk)
    user_model = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: the same for every demo user
    rows: list[tuple[str, str, str, str]] = []
    with transaction.atomic():
        organization, _created = Organization.objects.get_or_create(name="PainHero Demo Clinics")
        for number, clinic in enumerate(chosen, start=1):
            OrganizationClinic.objects.update_or_create(clinic=clinic, defaults={"organization": organization})
            practitioner = Practitioner.objects.filter(clinic=clinic, is_active=True).order_by("pk").first()
            for role, local in (
                (Role.OWNER, f"owner{number}"),
                (Role.FRONT_DESK, f"desk{number}"),
                (Role.PRACTITIONER, f"practitioner{number}"),
            ):
                email = f"{local}@{DEMO_DOMAIN}"
                user, _created = user_model.objects.update_or_create(
                    username=email, defaults={"email": email, "is_staff": False, "password": password_hash}
                )
                Membership.objects.filter(user=user).exclude(clinic=clinic).delete()
                Membership.objects.update_or_create(
                    user=user,
                    clinic=clinic,
                    defaults={"role": role, "practitioner": practitioner if role == Role.PRACTITIONER else None},
                )
                rows.append((email, DEMO_PASSWORD, str(role), clinic.name))
        # The first owner runs every demo clinic, to show the clinic switcher.
        first_owner = user_model.objects.get(username=f"owner1@{DEMO_DOMAIN}")
        for clinic in chosen[1:]:
            Membership.objects.get_or_create(user=first_owner, clinic=clinic, defaults={"role": Role.OWNER})
    return rows
