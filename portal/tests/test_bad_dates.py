"""Dates at the edges of the calendar and ids past 64 bits in the portal: a clear 4xx, nothing stored.

9999-12-31 23:00 in Toronto is year 10000 in UTC: stored, it broke the schedule page for good on
PostgreSQL. 0001-01-01 cannot be moved a day back. Each must be a message that says what to fix.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from booking.models import Appointment
from painhero.testing import World
from scheduling.models import ClinicClosure, PostedOpening, TimeOff, WorkingHours

from .conftest import Visits

# Every test here starts from the day's appointments on both sides (portal/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("visits")

EDGES = ["9999-12-31", "0001-01-01"]
WINDOW = "Choose a date between"


def _schedule(world: World, tail: str = "") -> str:
    return f"/portal/{world.clinic.pk}/schedules/{world.chen.pk}/{tail}"


@pytest.mark.parametrize("day", EDGES)
def test_today_with_a_day_at_the_edge_of_the_calendar_answers_400_naming_the_window(
    owner_client: Client, world: World, day: str
) -> None:
    response = owner_client.get(f"/portal/{world.clinic.pk}/", {"day": day})
    assert response.status_code == 400
    assert WINDOW in response.content.decode()
    assert "2016-" in response.content.decode()  # ten years before the frozen today, 2026-12-07


def test_today_with_a_day_inside_the_window_still_shows_that_day(owner_client: Client, world: World) -> None:
    assert owner_client.get(f"/portal/{world.clinic.pk}/", {"day": "2027-01-04"}).status_code == 200


@pytest.mark.parametrize("day", EDGES)
def test_time_off_at_the_edge_of_the_calendar_is_a_field_error_and_nothing_is_stored(
    owner_client: Client, world: World, day: str
) -> None:
    response = owner_client.post(
        _schedule(world, "time-off/"),
        {"start_date": "2026-12-20", "start_time": "00:00", "end_date": day, "end_time": "23:00", "reason": "x"},
    )
    assert response.status_code == 400
    assert WINDOW in response.content.decode()
    assert not TimeOff.objects.exists()
    # The page that showed the error still renders afterwards: nothing poisoned it.
    assert owner_client.get(_schedule(world)).status_code == 200


def test_an_opening_on_9999_12_31_at_23_00_is_a_field_error_and_nothing_is_stored(
    owner_client: Client, world: World
) -> None:
    response = owner_client.post(
        _schedule(world, "slots/"), {"kind": "opening", "day": "9999-12-31", "start_time": "22:00", "end_time": "23:00"}
    )
    assert response.status_code == 400
    assert WINDOW in response.content.decode()
    assert not PostedOpening.objects.exists()


def test_weekly_hours_valid_until_9999_are_a_field_error(owner_client: Client, world: World) -> None:
    before = WorkingHours.objects.count()
    response = owner_client.post(
        _schedule(world, "hours/"), {"valid_from": "2026-12-07", "valid_until": "9999-12-31", "day_0": "09:00-17:00"}
    )
    assert response.status_code == 400
    assert WINDOW in response.content.decode()
    assert WorkingHours.objects.count() == before


@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_a_closure_at_the_edge_of_the_calendar_is_a_field_error(owner_client: Client, world: World, field: str) -> None:
    data = {"start_date": "2026-12-20", "end_date": "2026-12-21", field: "9999-12-31"}
    response = owner_client.post(f"/portal/{world.clinic.pk}/schedules/closures/", data)
    assert response.status_code == 400
    assert WINDOW in response.content.decode()
    assert not ClinicClosure.objects.exists()


@pytest.mark.parametrize("day", EDGES)
def test_the_csv_export_refuses_a_range_at_the_edge_of_the_calendar_naming_the_field(
    owner_client: Client, world: World, day: str
) -> None:
    response = owner_client.get(f"/portal/{world.clinic.pk}/exports/appointments.csv", {"start": day, "end": day})
    assert response.status_code == 400
    assert response.content.decode().startswith(f"start: {WINDOW}")


@pytest.mark.parametrize("day", EDGES)
def test_looking_up_open_times_on_a_day_at_the_edge_answers_400_with_the_window(
    colleague_client: Client, world: World, day: str
) -> None:
    response = colleague_client.get(
        f"/portal/{world.clinic.pk}/open-times/",
        {"service": str(world.service.pk), "day": day},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert WINDOW in response.content.decode()


@pytest.mark.parametrize("day", EDGES)
def test_the_move_page_with_a_day_at_the_edge_shows_the_window_instead_of_failing(
    colleague_client: Client, world: World, day: str, visits: Visits
) -> None:
    response = colleague_client.get(
        f"/portal/{world.clinic.pk}/appointments/{visits.appointment.pk}/move/", {"day": day}
    )
    assert response.status_code == 200
    assert WINDOW in response.content.decode()


@pytest.mark.parametrize("start", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"])
def test_moving_an_appointment_to_a_time_at_the_edge_is_a_field_error(
    colleague_client: Client, world: World, start: str, visits: Visits
) -> None:
    appointment = visits.appointment
    response = colleague_client.post(
        f"/portal/{world.clinic.pk}/appointments/{appointment.pk}/move/",
        {"slot": f"{world.chen.pk}|{start}"},
    )
    assert response.status_code == 400
    assert WINDOW in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.start == visits.appointment.start


@pytest.mark.parametrize(
    "path",
    [
        "/portal/99999999999999999999/",
        "/portal/9223372036854775808/schedules/",
        "/portal/0/",
        "/portal/{clinic}/appointments/99999999999999999999/move/",
        "/portal/{clinic}/schedules/99999999999999999999/",
        "/portal/{clinic}/services/99999999999999999999/",
    ],
)
def test_an_id_past_64_bits_in_a_portal_url_is_not_found(owner_client: Client, world: World, path: str) -> None:
    assert owner_client.get(path.format(clinic=world.clinic.pk)).status_code == 404


def test_the_largest_64_bit_id_still_reaches_the_view_and_is_not_found_there(owner_client: Client) -> None:
    assert owner_client.get(f"/portal/{2**63 - 1}/").status_code == 404


@pytest.mark.parametrize("user", ["99999999999999999999", "²", "1e3", "-1"])
def test_the_activity_filter_with_a_user_that_is_no_id_answers_400_saying_what_to_choose(
    owner_client: Client, world: World, user: str
) -> None:
    response = owner_client.get(f"/portal/{world.clinic.pk}/activity/", {"user": user})
    assert response.status_code == 400
    assert "user:" in response.content.decode()


def test_the_activity_filter_with_a_real_user_id_still_filters(owner_client: Client, world: World) -> None:
    assert owner_client.get(f"/portal/{world.clinic.pk}/activity/", {"user": world.colleague.pk}).status_code == 200


@pytest.mark.parametrize("clinic", ["²", "99999999999999999999"])
def test_switching_to_a_clinic_that_is_no_id_never_fails(owner_client: Client, clinic: str) -> None:
    assert owner_client.get("/portal/switch/", {"clinic": clinic}).status_code in (302, 404)


# --- The models' own checks: clean() says which field, the database refuses regardless --------------------------

FAR = datetime(2100, 1, 2, tzinfo=UTC)


def test_time_off_clean_names_the_field_past_the_stored_bounds(world: World) -> None:
    time_off = TimeOff(practitioner=world.chen, start=datetime(2099, 12, 1, tzinfo=UTC), end=FAR)
    with pytest.raises(ValidationError) as error:
        time_off.full_clean()
    assert "end" in error.value.message_dict


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (TimeOff, {"start": datetime(2099, 12, 1, tzinfo=UTC), "end": FAR}),
        (PostedOpening, {"start": datetime(1999, 12, 31, tzinfo=UTC), "end": datetime(2000, 1, 2, tzinfo=UTC)}),
        (WorkingHours, {"weekday": 0, "start_time": "09:00", "end_time": "10:00", "valid_from": date(1999, 1, 1)}),
        (
            WorkingHours,
            {
                "weekday": 0,
                "start_time": "09:00",
                "end_time": "10:00",
                "valid_from": date(2030, 1, 1),
                "valid_until": date(2100, 1, 1),
            },
        ),
    ],
)
def test_the_database_refuses_a_schedule_row_outside_the_stored_bounds(
    world: World, model: Any, fields: dict[str, Any]
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(practitioner=world.chen, **fields)


def test_the_database_refuses_a_closure_outside_the_stored_bounds(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicClosure.objects.create(clinic=world.clinic, start_date=date(2026, 12, 1), end_date=date(2100, 1, 1))


def test_the_database_refuses_an_appointment_outside_the_stored_bounds(world: World, visits: Visits) -> None:
    source = visits.appointment
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            clinic=source.clinic,
            practitioner=source.practitioner,
            service=source.service,
            start=datetime(2099, 12, 31, 23, 30, tzinfo=UTC),
            end=FAR,
            source=source.source,
        )


def test_appointment_clean_names_the_field_past_the_stored_bounds(world: World) -> None:
    appointment = Appointment(start=datetime(1999, 12, 31, tzinfo=UTC), end=datetime(2000, 1, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError) as error:
        appointment.clean()
    assert "start" in error.value.message_dict


@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize("day", EDGES)
def test_the_calendar_on_a_date_at_the_edge_answers_400_naming_the_window(
    owner_client: Client, world: World, day: str, view: str
) -> None:
    response = owner_client.get(f"/portal/{world.clinic.pk}/calendar/", {"date": day, "view": view})
    assert response.status_code == 400
    assert response.content.decode().startswith(f"date: {WINDOW}")
