"""Weekly hours and extra openings outside the clinic's posted hours: the portal says so and saves on confirmation."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from clinics.models import OpeningHours
from painhero.testing import NOW, World, at
from portal.models import AuditEntry
from scheduling.models import PostedOpening, WorkingHours
from scheduling.selectors import open_times_list
from scheduling.testing import toronto

pytestmark = pytest.mark.django_db

CONFIRM = {"outside_hours": "confirmed"}


@pytest.fixture
def world(world: World) -> World:
    """The suite's world, its clinic posting Monday to Friday 08:00-20:00 (closed at the weekend)."""
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=world.clinic, weekday=d, opens=time(8), closes=time(20)) for d in range(5)
    )
    return world


def post(client: Any, world: World, name: str, data: dict[str, str]) -> Any:
    client.force_login(world.colleague)
    return client.post(
        reverse(f"portal:{name}", kwargs={"clinic_id": world.clinic.pk, "practitioner_id": world.chen.pk}), data
    )


def hours(**days: str) -> dict[str, str]:
    return {"valid_from": "2026-12-07", **{f"day_{n}": days.get(f"day_{n}", "") for n in range(7)}}


def test_hours_starting_before_the_clinic_opens_are_not_saved_until_the_desk_confirms(
    client: Any, world: World
) -> None:
    before = WorkingHours.objects.filter(practitioner=world.chen).count()
    response = post(client, world, "hours_set", hours(day_0="07:00-12:00", day_5="09:00-13:00"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Outside the clinic&#x27;s posted hours: Monday 07:00–08:00, Saturday 09:00–13:00." in html
    assert "Saturday closed" in html
    assert 'name="outside_hours" value="confirmed"' in html
    assert WorkingHours.objects.filter(practitioner=world.chen).count() == before
    assert not AuditEntry.objects.exists()


def test_confirmed_hours_are_saved_and_patients_still_see_nothing_before_eight(client: Any, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        response = post(client, world, "hours_set", {**hours(day_0="07:00-12:00", day_5="09:00-13:00"), **CONFIRM})
    assert response.status_code == 302
    saved = WorkingHours.objects.filter(practitioner=world.chen, valid_from="2026-12-07")
    assert sorted(f"{h.weekday} {h.start_time:%H:%M}" for h in saved) == ["0 07:00", "5 09:00"]
    assert AuditEntry.objects.get(action="schedule.hours_set").changes["outside_posted_hours"] is True
    monday = toronto(2026, 12, 14)
    slots = open_times_list(clinic=world.clinic, start=monday, end=monday + timedelta(days=7), now=NOW)
    mine = [s.start.astimezone(monday.tzinfo) for s in slots if s.practitioner_id == world.chen.pk]
    assert f"{mine[0]:%a %H:%M}" == "Mon 08:00"
    assert not [m for m in mine if m.weekday() == 5]


def test_hours_within_the_posted_hours_save_at_once(client: Any, world: World) -> None:
    response = post(client, world, "hours_set", hours(day_0="08:00-12:00", day_4="13:00-20:00"))
    assert response.status_code == 302
    assert "outside_posted_hours" not in AuditEntry.objects.get(action="schedule.hours_set").changes


def test_the_weekly_hours_form_shows_the_clinics_posted_hours(client: Any, world: World) -> None:
    client.force_login(world.colleague)
    url = reverse("portal:schedule", kwargs={"clinic_id": world.clinic.pk, "practitioner_id": world.chen.pk})
    html = client.get(url).content.decode()
    assert "within the clinic's posted hours: Monday 08:00–20:00;" in html
    assert "Sunday closed." in html


def test_an_opening_on_a_day_the_clinic_is_closed_waits_for_confirmation(client: Any, world: World) -> None:
    data = {"kind": "opening", "day": "2026-12-12", "start_time": "10:00", "end_time": "11:00"}
    with time_machine.travel(NOW, tick=False):
        response = post(client, world, "slot_add", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This opening is outside the clinic&#x27;s posted hours (Saturday closed)." in html
    assert not PostedOpening.objects.exists()

    with time_machine.travel(NOW, tick=False):
        response = post(client, world, "slot_add", {**data, **CONFIRM})
    assert response.status_code == 302
    assert PostedOpening.objects.get(practitioner=world.chen).start == at(10, days=5)
    assert AuditEntry.objects.get(action="schedule.opening_post").changes["outside_posted_hours"] is True


def test_an_opening_before_opening_time_names_that_days_hours(client: Any, world: World) -> None:
    data = {"kind": "opening", "day": "2026-12-08", "start_time": "07:00", "end_time": "08:00"}
    with time_machine.travel(NOW, tick=False):
        html = post(client, world, "slot_add", data).content.decode()
    assert "(Tuesday 08:00–20:00)" in html
    assert not PostedOpening.objects.exists()


def test_an_opening_within_the_posted_hours_is_posted_without_a_question(client: Any, world: World) -> None:
    data = {"kind": "opening", "day": "2026-12-08", "start_time": "18:00", "end_time": "19:00"}
    with time_machine.travel(NOW, tick=False):
        assert post(client, world, "slot_add", data).status_code == 302
    assert PostedOpening.objects.filter(practitioner=world.chen).exists()


def test_blocking_a_time_outside_the_posted_hours_asks_nothing(client: Any, world: World) -> None:
    data = {"kind": "blocked", "day": "2026-12-12", "start_time": "10:00", "end_time": "11:00"}
    with time_machine.travel(NOW, tick=False):
        assert post(client, world, "slot_add", data).status_code == 302


def test_a_clinic_that_posts_no_hours_is_asked_nothing(client: Any, world: World) -> None:
    OpeningHours.objects.filter(clinic=world.clinic).delete()
    data = {"kind": "opening", "day": "2026-12-12", "start_time": "10:00", "end_time": "11:00"}
    with time_machine.travel(NOW, tick=False):
        assert post(client, world, "slot_add", data).status_code == 302
    assert post(client, world, "hours_set", hours(day_0="07:00-12:00")).status_code == 302


def test_narrower_posted_hours_saved_in_the_profile_move_searchs_next_times_once_saved(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from portal.tests.test_manage_catalog import profile_data
    from scheduling.cache import next_open_times_refresh
    from scheduling.search import next_open_times_for_clinics

    next_open_times_refresh(clinic_ids=[world.clinic.pk], now=NOW)
    first = next_open_times_for_clinics(clinic_ids=[world.clinic.pk], now=NOW)[world.clinic.pk][0]
    assert first == at(10)  # 2 h notice from 8:00
    client.force_login(world.owner)
    profile = reverse("portal:profile", kwargs={"clinic_id": world.clinic.pk})
    # Monday afternoons only: the morning's cached times must go with the save, not at the next top-up.
    data = profile_data(world.clinic, hours_0="13:00-20:00", hours_5="")
    data.update({f"hours_{d}": "08:00-20:00" for d in range(1, 5)})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(profile, data).status_code == 302
    first = next_open_times_for_clinics(clinic_ids=[world.clinic.pk], now=NOW)[world.clinic.pk][0]
    assert first == at(13)
