"""The wall between clinics, through every portal URL: the most important test of the portal.

Every URL pattern of the ``portal`` namespace (this app's and the management pages', found by walking
the resolver, so a page added later is covered without touching this file) is requested with clinic B's
ids by clinic A's owner, front desk and practitioner, and by an anonymous visitor, with GET and POST.
None may answer with B's data.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from painhero.testing import World, client_for, day
from portal.models import CalendarFeed

from .conftest import B_MARKERS, B_PATIENT, Visits

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")

# URL kwargs that are not ids of a clinic's objects; filled with something harmless.
NOT_IDS = {"token": "not-a-token", "uidb64": "MQ", "uidb36": "1"}
# Pages that never take a clinic: sign-in, password reset, invitations, the account page.
OPEN_PAGES = {
    "home",
    "login",
    "logout",
    "sign_in_code",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation",
    "account",
    "switch",
    "feed",
}


def _portal_patterns() -> list[tuple[str, str, list[str]]]:
    """(name, route template with converters, kwarg names) of every named pattern under ``portal:``."""
    found: list[tuple[str, str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str | None, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                walk(entry.url_patterns, ns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and namespace == "portal" and entry.name:
                found.append((entry.name, prefix + str(entry.pattern), list(entry.pattern.converters)))

    walk(get_resolver().url_patterns, None, "")
    return found


def _b_ids(world: World, visits: Visits) -> dict[str, int]:
    """Clinic B's objects, by the kwarg names a portal URL may use for them."""
    from scheduling.models import WorkingHours

    ids: dict[str, int] = {
        "clinic_id": world.other_clinic.pk,
        "practitioner_id": world.other_practitioner.pk,
        "service_id": world.other_service.pk,
        "appointment_id": visits.other_appointment.pk,
        "user_id": world.outsider.pk,
        "membership_id": world.outsider.memberships.get().pk,
    }
    hours = WorkingHours.objects.filter(practitioner=world.other_practitioner).first()
    if hours is not None:
        ids["hours_id"] = ids["working_hours_id"] = hours.pk
    return ids


def _b_object_id(world: World, name: str, visits: Visits) -> int:
    """Any other ``<int:..._id>``: look for a model of B's with that name; else B's appointment id."""
    from django.apps import apps

    stem = name.removesuffix("_id").replace("_", "")
    for model in apps.get_models():
        if model._meta.model_name != stem:
            continue
        fields = {f.name for f in model._meta.get_fields()}
        for path in ("clinic", "practitioner__clinic", "service__clinic"):
            if path.split("__")[0] in fields:
                obj = model._default_manager.filter(**{path: world.other_clinic}).first()
                if obj is not None:
                    return obj.pk
    return visits.other_appointment.pk


def _urls(world: World, visits: Visits) -> list[tuple[str, str]]:
    from django.urls import reverse

    ids = _b_ids(world, visits)
    urls = []
    for name, _route, kwargs in _portal_patterns():
        if "clinic_id" not in kwargs:
            assert name in OPEN_PAGES or set(kwargs) <= set(NOT_IDS), (
                f"portal:{name} takes no clinic_id: add it to OPEN_PAGES if it is truly not a clinic's page"
            )
            continue
        values: dict[str, Any] = {}
        for kwarg in kwargs:
            if kwarg in NOT_IDS:
                values[kwarg] = NOT_IDS[kwarg]
            else:
                values[kwarg] = ids.get(kwarg) or _b_object_id(world, kwarg, visits)
        urls.append((name, reverse(f"portal:{name}", kwargs=values)))
    return urls


def _assert_walled(client: Client, world: World, visits: Visits, who: str) -> int:
    checked = 0
    for name, url in _urls(world, visits):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            where = f"{who} {method.upper()} portal:{name} {url} -> {response.status_code}"
            assert response.status_code in (302, 404, 405), where
            if response.status_code == 302:
                assert "/portal/sign-in/" in response["Location"], where
            for marker in B_MARKERS:
                assert marker not in body, f"{where} leaks {marker!r}"
            checked += 1
    return checked


@pytest.mark.parametrize("who", ["owner", "colleague", "practitioner"])
def test_clinic_a_staff_reach_nothing_of_clinic_b_through_any_portal_url(
    world: World, visits: Visits, who: str
) -> None:
    client = client_for(getattr(world, who))
    checked = _assert_walled(client, world, visits, who)
    assert checked >= 20  # the walk found the portal's pages (the day pages alone are more than 10)


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_clinic_page(world: World, visits: Visits) -> None:
    checked = _assert_walled(Client(), world, visits, "anonymous")
    assert checked >= 20


def test_the_walk_covers_the_day_pages_and_fills_the_ids_with_clinic_bs(world: World, visits: Visits) -> None:
    urls = dict(_urls(world, visits))
    assert urls["today"] == f"/portal/{world.other_clinic.pk}/"
    assert str(visits.other_appointment.pk) in urls["appointment_status"]
    assert str(world.other_practitioner.pk) in urls["feed_reissue"]


def test_clinic_bs_staff_do_see_their_own_clinic(world: World) -> None:
    """The control: the same URLs answer B's own owner, so the 404s above are the wall, not broken pages."""
    response = client_for(world.outsider).get(f"/portal/{world.other_clinic.pk}/")
    assert response.status_code == 200
    assert B_PATIENT in response.content.decode()


def test_the_csv_export_of_another_clinic_is_404(owner_client: Client, world: World) -> None:
    response = owner_client.get(
        f"/portal/{world.other_clinic.pk}/exports/appointments.csv?start={day(-1)}&end={day(24)}"
    )
    assert response.status_code == 404
    assert B_PATIENT not in response.content.decode()


def test_another_clinics_feed_cannot_be_reissued_and_its_secret_url_is_the_only_key(
    owner_client: Client, world: World
) -> None:
    feed = CalendarFeed.objects.create(practitioner=world.other_practitioner)
    assert (
        owner_client.post(f"/portal/{world.other_clinic.pk}/feeds/{world.other_practitioner.pk}/reissue/").status_code
        == 404
    )
    # Nor through A's clinic id with B's practitioner id.
    assert (
        owner_client.post(f"/portal/{world.clinic.pk}/feeds/{world.other_practitioner.pk}/reissue/").status_code == 404
    )
    assert CalendarFeed.objects.get(pk=feed.pk).token == feed.token
    assert owner_client.get("/portal/feeds/guessed-token.ics").status_code == 404


def test_ids_of_clinic_b_in_clinic_as_urls_are_404(owner_client: Client, world: World, visits: Visits) -> None:
    a, b = world.clinic.pk, visits.other_appointment
    assert owner_client.post(f"/portal/{a}/appointments/{b.pk}/status/", {"action": "completed"}).status_code == 404
    assert owner_client.get(f"/portal/{a}/appointments/{b.pk}/move/").status_code == 404
    b.refresh_from_db()
    assert b.status == "booked"


def test_a_practitioner_cannot_act_on_a_colleagues_appointment(
    practitioner_client: Client, world: World, visits: Visits
) -> None:
    url = f"/portal/{world.clinic.pk}/appointments/{visits.colleague_appointment.pk}/status/"
    assert practitioner_client.post(url, {"action": "completed"}).status_code == 404
    assert practitioner_client.post(f"/portal/{world.clinic.pk}/feeds/{world.lee.pk}/reissue/").status_code == 404
