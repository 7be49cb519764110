from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate

from clinics.testing import make_clinic, make_practitioner
from demo.staff import DEMO_PASSWORD, staff_generate
from portal.models import Membership


def test_demo_staff_get_one_sign_in_per_role_at_a_few_clinics_and_can_sign_in(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for n in range(4):
        make_practitioner(clinic=make_clinic(name=f"Demo {n}"))
    rows = staff_generate(seed=7)
    assert len(rows) == 9
    assert {role for _e, _p, role, _c in rows} == {"owner", "front_desk", "practitioner"}
    assert all(password == DEMO_PASSWORD for _e, password, _r, _c in rows)
    email = rows[0][0]
    assert authenticate(username=email, password=DEMO_PASSWORD) is not None
    assert Membership.objects.filter(role="practitioner", practitioner__isnull=True).count() == 0
    # Running it again changes nothing (the demo command can be re-run with --replace).
    assert staff_generate(seed=7) == rows
    assert Membership.objects.count() == 9 + 2  # the first owner also runs the two other clinics
