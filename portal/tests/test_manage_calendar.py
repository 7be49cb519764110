"""The calendar: day and week, one practitioner or the whole clinic, notes only for who treats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from booking.models import AppointmentStatus, Hold
from painhero.testing import NOW, World, at, book
from scheduling.models import ClinicClosure, PostedOpening, TimeOff
from scheduling.testing import toronto

pytestmark = pytest.mark.django_db


def calendar(client: Any, world: World, user: Any, **params: Any) -> Any:
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("portal:calendar", kwargs={"clinic_id": world.clinic.pk}), params)


def test_the_day_view_shows_hours_appointments_holds_time_off_and_openings(client: Any, world: World) -> None:
    book(world, at(10), patient_name="Ana Morel")
    book(world, at(11), patient_name="Gone Patient", status=AppointmentStatus.CANCELLED)
    Hold.objects.create(
        practitioner=world.lee,
        service=world.service,
        start=at(9),
        end=at(9, 30),
        expires_at=NOW + timedelta(minutes=5),
    )
    TimeOff.objects.create(practitioner=world.lee, start=at(13), end=at(17))
    PostedOpening.objects.create(practitioner=world.chen, start=at(18), end=at(19))
    body = calendar(client, world, world.colleague).content.decode()
    assert "Ana Morel" in body
    assert "Gone Patient" not in body
    assert "left knee" not in body  # the desk does not need health notes
    assert "Held while a patient books" in body
    assert "calendar-item--time_off" in body
    assert "6:00 PM–7:00 PM</time> Posted opening" in body
    assert "9:00 AM–5:00 PM</time> Working hours" in body
    assert world.chen.full_name in body and world.lee.full_name in body


def test_the_treating_practitioner_sees_the_note_and_only_their_own_row(client: Any, world: World) -> None:
    book(world, at(10))
    book(world, at(10), practitioner=world.lee, patient_name="Lee Patient")
    body = calendar(client, world, world.practitioner).content.decode()
    assert "left knee since June" in body
    assert "Lee Patient" not in body
    assert world.lee.full_name not in body


def test_showing_health_notes_is_recorded_in_the_audit_trail(client: Any, world: World) -> None:
    from portal.models import AuditEntry

    appointment = book(world, at(10))
    calendar(client, world, world.owner)  # the owner sees no note: nothing to record
    assert not AuditEntry.objects.filter(action="health_info.viewed").exists()
    calendar(client, world, world.practitioner)
    entry = AuditEntry.objects.get(action="health_info.viewed")
    assert entry.user_id == world.practitioner.pk and entry.clinic_id == world.clinic.pk
    assert entry.changes == {"appointment_ids": [appointment.pk]}
    assert "left knee" not in entry.summary + str(entry.changes)  # the trail itself holds no health information


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_the_owner_does_not_see_health_notes(client: Any, world: World, who: str) -> None:
    book(world, at(10), patient_name="Ana Morel")
    response = calendar(client, world, getattr(world, who))
    body = response.content.decode()
    # The page rendered with the visit on it (a 404 or a 500 would hide the note too) and without its note.
    assert response.status_code == 200
    assert "Ana Morel" in body and "calendar-item--appointment" in body
    assert "left knee" not in body


def test_the_week_view_starts_on_monday_and_marks_closed_days(client: Any, world: World) -> None:
    ClinicClosure.objects.create(clinic=world.clinic, start_date="2026-12-10", end_date="2026-12-10")
    book(world, at(10, days=6), patient_name="Sunday Patient")
    body = calendar(client, world, world.owner, view="week", date="2026-12-09").content.decode()
    assert "Mon 7 Dec" in body and "Sun 13 Dec" in body
    assert "Sunday Patient" in body
    assert body.count("Clinic closed") == 1


def test_one_practitioner_can_be_chosen_and_htmx_gets_the_fragment(client: Any, world: World) -> None:
    client.force_login(world.owner)
    url = reverse("portal:calendar", kwargs={"clinic_id": world.clinic.pk})
    response = client.get(url, {"practitioner": world.lee.pk}, headers={"HX-Request": "true", "HX-Target": "calendar"})
    body = response.content.decode()
    assert "<html" not in body
    assert f'<th scope="row">{world.lee.full_name}</th>' in body
    assert f'<th scope="row">{world.chen.full_name}</th>' not in body


def test_another_clinics_staff_get_404(client: Any, world: World) -> None:
    assert calendar(client, world, world.outsider).status_code == 404


def test_a_nonsense_date_shows_today_instead_of_failing(client: Any, world: World) -> None:
    response = calendar(client, world, world.owner, date="2026-13-45")
    assert response.status_code == 200
    assert "Mon 7 Dec" in response.content.decode()


def test_the_week_view_runs_a_bounded_number_of_queries(
    client: Any, world: World, django_assert_max_num_queries: Any
) -> None:
    for day in range(7, 12):
        for hour in (9, 10, 11):
            book(world, toronto(2026, 12, day, hour, 0))
            book(world, toronto(2026, 12, day, hour, 0), practitioner=world.lee)
    client.force_login(world.owner)
    url = reverse("portal:calendar", kwargs={"clinic_id": world.clinic.pk})
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(16):
        assert client.get(url, {"view": "week"}).status_code == 200


def test_another_clinics_practitioner_id_is_ignored_not_shown(client: Any, world: World) -> None:
    book(world, at(10), practitioner=world.other_practitioner, patient_name="Other Patient")
    response = calendar(client, world, world.owner, practitioner=world.other_practitioner.pk)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Other Patient" not in body
    assert world.other_practitioner.full_name not in body
