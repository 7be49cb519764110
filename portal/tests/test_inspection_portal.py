"""The clinic's own inspection report in the portal: score, status, date, version, every point, what to fix."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils.html import escape

from painhero.testing import NOW, World, client_for, make_user
from quality.models import Inspection, InspectionPoint
from quality.rubric import POINTS, RUBRIC_VERSION
from quality.services import inspection_finish, inspection_start, point_record

pytestmark = pytest.mark.django_db

REGISTER = "credentials-register"  # an inspector-checked gate
PROCESS = "complaints-process"  # an inspector-checked point that is not a gate


def inspected(clinic: Any, *, failing: tuple[str, ...] = (), note: str = "Register checked, 3 numbers.") -> Inspection:
    """A finished inspection of ``clinic``: every inspector point passed, but ``failing``, with a note each."""
    inspector = make_user(f"ines{clinic.pk}@painhero.test")
    inspector.is_staff = True
    inspector.save(update_fields=["is_staff"])
    inspection = inspection_start(clinic=clinic, inspector=inspector, now=NOW)
    for point_id, point in POINTS.items():
        if not point.computed:
            failed = point_id in failing
            evidence = f"Failing note for {point_id}." if failed else note
            point_record(
                inspection=inspection, point_id=point_id, passed=not failed, by=inspector, now=NOW, evidence=evidence
            )
    return inspection_finish(inspection=inspection, by=inspector, now=NOW)


def url(world: World) -> str:
    return f"/portal/{world.clinic.pk}/inspection/"


def test_before_the_first_inspection_the_page_says_so(world, owner_client):
    response = owner_client.get(url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "has not been inspected yet" in html
    assert "What to fix" not in html


def test_the_owner_sees_score_status_date_version_and_every_point(world, owner_client):
    finished = inspected(world.clinic, failing=(PROCESS,))
    html = owner_client.get(url(world)).content.decode()
    assert f"{finished.score} out of 100" in html
    assert f"the pass mark is {finished.pass_mark}" in html
    assert "7 December 2026" in html
    assert RUBRIC_VERSION in html
    world.clinic.refresh_from_db()
    assert f"<strong>{world.clinic.get_network_status_display()}</strong>" in html
    for point in POINTS.values():
        assert str(point.label).replace("'", "&#x27;") in html
    assert "Register checked, 3 numbers." in html  # the inspector's note
    assert html.count('<th scope="row">') == len(POINTS)


def test_a_failed_point_says_what_to_fix_and_what_is_checked(world, owner_client):
    inspected(world.clinic, failing=(REGISTER, PROCESS))
    html = owner_client.get(url(world)).content.decode()
    fixes = html[html.index('id="to-fix-title"') : html.index('id="points-title"')]
    failed = InspectionPoint.objects.filter(inspection__clinic=world.clinic, passed=False)
    assert failed.count() > 2  # the two, and computed points the world's data does not pass
    assert f"{failed.count()} points did not pass" in fixes
    assert fixes.count('<li id="fix-') == failed.count()
    for point_id in (REGISTER, PROCESS):
        assert f'id="fix-{point_id}"' in fixes
        assert escape(str(POINTS[point_id].how)) in fixes
        assert f"Failing note for {point_id}." in fixes
        assert f'href="#fix-{point_id}"' in html  # the table links each failure to its fix
    assert "At least one gate did not pass" in html
    assert 'id="fix-credentials-insurance"' not in fixes  # a passed point is not listed


def test_a_computed_point_shows_the_data_it_used(world, owner_client):
    inspected(world.clinic)
    computed = InspectionPoint.objects.filter(inspection__clinic=world.clinic, computed=True).exclude(evidence="")
    assert computed.exists()
    html = owner_client.get(url(world)).content.decode()
    for row in computed:
        assert row.evidence.replace("'", "&#x27;") in html


def test_the_front_desk_sees_it_too(world, colleague_client):
    inspected(world.clinic)
    assert colleague_client.get(url(world)).status_code == 200


def test_a_practitioner_does_not(world, practitioner_client):
    inspected(world.clinic)
    assert practitioner_client.get(url(world)).status_code == 404
    assert "/inspection/" not in practitioner_client.get(f"/portal/{world.clinic.pk}/").content.decode()


def test_the_nav_links_to_it(world, owner_client):
    html = owner_client.get(f"/portal/{world.clinic.pk}/").content.decode()
    assert f'href="/portal/{world.clinic.pk}/inspection/"' in html


def test_another_clinics_staff_get_404_and_see_only_their_own(world):
    inspected(world.clinic, failing=(PROCESS,))
    outsider = client_for(world.outsider)
    assert outsider.get(url(world)).status_code == 404
    own = outsider.get(f"/portal/{world.other_clinic.pk}/inspection/")
    assert own.status_code == 200
    assert "has not been inspected yet" in own.content.decode()
    assert "Failing note" not in own.content.decode()


def test_signed_out_it_asks_to_sign_in(world, client):
    response = client.get(url(world))
    assert response.status_code == 302
    assert "/portal/sign-in/" in response["Location"]


def test_it_only_reads(world, owner_client):
    assert owner_client.post(url(world)).status_code == 405


def test_it_makes_no_claim_of_superiority(world, owner_client):
    inspected(world.clinic)
    html = owner_client.get(url(world)).content.decode().lower()
    for claim in ("best", "top-rated", "top rated", "leading", "number one", "#1"):
        assert claim not in html


ACCESS = "experience-accessibility"  # an inspector-checked point whose fix is done in the owner's Clinic profile


def fixes_of(html: str) -> str:
    return html[html.index('id="to-fix-title"') : html.index('id="points-title"')]


def test_a_failed_point_gives_its_advice_and_links_the_page_to_act_on(world, owner_client):
    inspected(world.clinic, failing=(ACCESS, PROCESS))
    fixes = fixes_of(owner_client.get(url(world)).content.decode())
    item = fixes[fixes.index(f'id="fix-{ACCESS}"') :]
    item = item[: item.index("</li>")]
    assert escape(str(POINTS[ACCESS].fix)) in item
    assert f'<a href="/portal/{world.clinic.pk}/profile/">Go to Clinic profile</a>' in item
    assert escape(str(POINTS[PROCESS].fix)) in fixes  # advice without a portal page: no link
    process = fixes[fixes.index(f'id="fix-{PROCESS}"') :]
    assert "Go to" not in process[: process.index("</li>")]
    assert "What passing needs" not in fixes  # the advice replaced the generic line
    assert escape(str(POINTS["credentials-insurance"].fix)) not in fixes  # a passed point gives none


def test_the_links_shown_open_for_whoever_sees_them(world, owner_client, colleague_client):
    inspected(world.clinic, failing=tuple(point_id for point_id, point in POINTS.items() if not point.computed))
    seen = {}
    for who, client in (("owner", owner_client), ("desk", colleague_client)):
        fixes = fixes_of(client.get(url(world)).content.decode())
        links = re.findall(r'<a href="(/portal/[^"]+)">Go to ', fixes)
        assert links
        for link in set(links):
            assert client.get(link).status_code == 200, (who, link)
        seen[who] = set(links)
    assert f"/portal/{world.clinic.pk}/profile/" in seen["owner"]
    assert f"/portal/{world.clinic.pk}/profile/" not in seen["desk"]  # an owner-only page is not offered to the desk
    assert seen["desk"] < seen["owner"]


def test_every_linked_point_is_a_point_of_the_rubric_and_its_page_reverses():
    from django.urls import reverse

    from portal.views.inspection import FIX_PAGES

    assert set(FIX_PAGES) <= set(POINTS)
    for target in FIX_PAGES.values():
        assert reverse(f"portal:{target.url_name}", kwargs={"clinic_id": 1}).startswith("/portal/1/")
