"""open_times_list and slot_is_open: the engine fed from the database."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from booking.models import Appointment, AppointmentStatus, Hold
from clinics.models import Discipline
from clinics.testing import make_practitioner, make_service
from scheduling.models import BookingRules, ClinicClosure, PostedOpening, ServiceBookingRules, TimeOff
from scheduling.selectors import open_times_list, slot_is_open
from scheduling.testing import local, make_hours, make_open_clinic, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 12, 6, 12, 0)  # a Sunday; Monday 2026-12-07 is a working day


def monday_starts(clinic, **kwargs):
    slots = open_times_list(clinic=clinic, start=toronto(2026, 12, 7), end=toronto(2026, 12, 8), now=NOW, **kwargs)
    return [f"{s.start:%H:%M}" for s in slots]


def book(practitioner, service, start, minutes=30, status=AppointmentStatus.BOOKED):
    return Appointment.objects.create(
        clinic=practitioner.clinic,
        practitioner=practitioner,
        service=service,
        start=start,
        end=start + timedelta(minutes=minutes),
        status=status,
        source="import",
    )


def test_it_lists_each_practitioners_open_times_sorted_by_start():
    clinic, (a, b), service = make_open_clinic(practitioners=2, blocks=(("09:00", "10:00"),))
    slots = open_times_list(clinic=clinic, start=toronto(2026, 12, 7), end=toronto(2026, 12, 8), now=NOW)
    assert [f"{s.start:%H:%M}" for s in slots] == ["09:00", "09:00", "09:15", "09:15", "09:30", "09:30"]
    assert {s.practitioner_id for s in slots} == {a.pk, b.pk}
    assert {s.service_id for s in slots} == {service.pk}
    assert slots[0].start.isoformat() == "2026-12-07T09:00:00-05:00"


def test_booked_appointments_and_active_holds_take_time_but_cancelled_and_expired_ones_do_not():
    clinic, (person,), service = make_open_clinic(blocks=(("09:00", "11:00"),))
    book(person, service, toronto(2026, 12, 7, 9, 0))
    book(person, service, toronto(2026, 12, 7, 10, 0), status=AppointmentStatus.CANCELLED)
    Hold.objects.create(
        practitioner=person,
        service=service,
        start=toronto(2026, 12, 7, 10, 30),
        end=toronto(2026, 12, 7, 11, 0),
        expires_at=NOW + timedelta(minutes=10),
    )
    Hold.objects.create(
        practitioner=person,
        service=service,
        start=toronto(2026, 12, 7, 9, 30),
        end=toronto(2026, 12, 7, 10, 0),
        expires_at=NOW - timedelta(minutes=1),
    )
    assert monday_starts(clinic) == ["09:30", "09:45", "10:00"]


def test_the_clinics_buffer_is_kept_after_existing_appointments():
    clinic, (person,), service = make_open_clinic(blocks=(("09:00", "11:00"),))
    BookingRules.objects.create(clinic=clinic, buffer_minutes=15)
    book(person, service, toronto(2026, 12, 7, 9, 0))
    assert monday_starts(clinic)[0] == "09:45"


def test_time_off_and_blocked_time_are_not_offered():
    clinic, (person,), _service = make_open_clinic(blocks=(("09:00", "11:00"),))
    TimeOff.objects.create(practitioner=person, start=toronto(2026, 12, 7, 8), end=toronto(2026, 12, 7, 10))
    TimeOff.objects.create(
        practitioner=person, kind="blocked", start=toronto(2026, 12, 7, 10, 30), end=toronto(2026, 12, 7, 11)
    )
    assert monday_starts(clinic) == ["10:00"]


def test_a_clinic_closure_closes_every_practitioner():
    clinic, _people, _service = make_open_clinic(practitioners=2)
    ClinicClosure.objects.create(clinic=clinic, start_date=date(2026, 12, 7), end_date=date(2026, 12, 8))
    assert monday_starts(clinic) == []


def test_a_posted_opening_is_offered_outside_the_weekly_hours():
    clinic, (person,), _service = make_open_clinic(blocks=(("09:00", "10:00"),))
    PostedOpening.objects.create(practitioner=person, start=toronto(2026, 12, 7, 15, 30), end=toronto(2026, 12, 7, 16))
    assert monday_starts(clinic)[-1] == "15:30"


def test_clinics_are_closed_on_statutory_holidays_unless_they_open_on_holidays():
    clinic, _people, _service = make_open_clinic(days=(0, 1, 2, 3, 4, 5, 6), blocks=(("09:00", "10:00"),))
    canada_day: dict[str, Any] = {"start": toronto(2027, 7, 1), "end": toronto(2027, 7, 2), "now": toronto(2027, 6, 20)}
    assert open_times_list(clinic=clinic, **canada_day) == []
    BookingRules.objects.create(clinic=clinic, open_on_holidays=True)
    assert len(open_times_list(clinic=clinic, **canada_day)) == 3


def test_holidays_are_the_clinics_provinces():
    quebec, _p, _s = make_open_clinic(province="QC", days=(3,), blocks=(("09:00", "10:00"),))
    ontario, _p, _s = make_open_clinic(province="ON", days=(3,), blocks=(("09:00", "10:00"),))
    fete_nationale: dict[str, Any] = {
        "start": toronto(2027, 6, 24),
        "end": toronto(2027, 6, 25),
        "now": toronto(2027, 6, 20),
    }
    assert open_times_list(clinic=quebec, **fete_nationale) == []
    assert len(open_times_list(clinic=ontario, **fete_nationale)) == 3
    family_day: dict[str, Any] = {
        "start": toronto(2027, 2, 15),
        "end": toronto(2027, 2, 16),
        "now": toronto(2027, 2, 10),
    }
    ontario_monday, _p, _s = make_open_clinic(province="ON", days=(0,))
    quebec_monday, _p, _s = make_open_clinic(province="QC", days=(0,))
    assert open_times_list(clinic=ontario_monday, **family_day) == []
    assert open_times_list(clinic=quebec_monday, **family_day) != []


def test_a_service_can_have_its_own_step_and_same_day_rule():
    clinic, (_person,), service = make_open_clinic(blocks=(("09:00", "10:00"),))
    ServiceBookingRules.objects.create(service=service, step_minutes=30)
    assert monday_starts(clinic, service=service) == ["09:00", "09:30"]
    ServiceBookingRules.objects.filter(service=service).update(same_day_allowed=False)
    same_day = open_times_list(
        clinic=clinic, start=toronto(2026, 12, 7), end=toronto(2026, 12, 8), now=toronto(2026, 12, 7, 6)
    )
    assert same_day == []


def test_filters_by_discipline_and_practitioner():
    clinic, (physio,), _service = make_open_clinic(blocks=(("09:00", "10:00"),))
    chiro = make_practitioner(clinic=clinic, discipline=Discipline.CHIROPRACTIC)
    make_hours(chiro, blocks=(("14:00", "15:00"),))
    make_service(clinic=clinic, practitioners=[chiro], discipline=Discipline.CHIROPRACTIC, duration_minutes=60)
    assert monday_starts(clinic, discipline=Discipline.CHIROPRACTIC) == ["14:00"]
    assert monday_starts(clinic, practitioner=physio) == ["09:00", "09:15", "09:30"]


def test_st_johns_open_times_carry_the_half_hour_offset():
    clinic, _p, _s = make_open_clinic(time_zone="America/St_Johns", province="NL", blocks=(("09:00", "10:00"),))
    slots = open_times_list(
        clinic=clinic,
        start=local("America/St_Johns", 2026, 12, 3),
        end=local("America/St_Johns", 2026, 12, 4),
        now=local("America/St_Johns", 2026, 12, 1),
    )
    assert slots[0].start.isoformat() == "2026-12-03T09:00:00-03:30"


def test_it_loads_a_ten_practitioner_clinic_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    clinic, _people, service = make_open_clinic(practitioners=10)
    with django_assert_max_num_queries(10):
        slots = open_times_list(
            clinic=clinic, start=toronto(2026, 12, 7), end=toronto(2026, 12, 21), now=NOW, service=service
        )
    assert len(slots) == 10 * 10 * (11 + 15)  # 09:00-11:30 and 13:00-16:30 every 15 minutes, ten weekdays


def test_slot_is_open_agrees_with_the_list():
    _clinic, (person,), service = make_open_clinic(blocks=(("09:00", "10:00"),))
    book(person, service, toronto(2026, 12, 7, 9, 30))
    assert slot_is_open(practitioner=person, service=service, start=toronto(2026, 12, 7, 9, 0), now=NOW)
    assert not slot_is_open(practitioner=person, service=service, start=toronto(2026, 12, 7, 9, 15), now=NOW)
    assert not slot_is_open(practitioner=person, service=service, start=toronto(2026, 12, 7, 9, 5), now=NOW)
    assert not slot_is_open(practitioner=person, service=service, start=toronto(2026, 12, 7, 12, 0), now=NOW)
    too_late = toronto(2026, 12, 7, 8, 0)  # two hours' notice from 07:00 is 09:00: 09:00 itself still fits
    assert not slot_is_open(practitioner=person, service=service, start=toronto(2026, 12, 7, 9, 0), now=too_late)


def test_slot_is_open_counts_an_active_hold_as_taken_and_a_lapsed_one_as_free():
    """Booking's only check before the database's word (booking/LOCKING.md): holds must count here."""
    _clinic, (person,), service = make_open_clinic(blocks=(("09:00", "10:00"),))
    start = toronto(2026, 12, 7, 9, 0)
    lapses = NOW + timedelta(minutes=5)
    Hold.objects.create(
        practitioner=person, service=service, start=start, end=start + timedelta(minutes=30), expires_at=lapses
    )
    assert not slot_is_open(practitioner=person, service=service, start=start, now=NOW)
    assert not slot_is_open(practitioner=person, service=service, start=start + timedelta(minutes=15), now=NOW)
    assert slot_is_open(practitioner=person, service=service, start=start, now=lapses)


def test_slot_is_open_refuses_a_practitioner_who_does_not_offer_the_service():
    clinic, (person,), _service = make_open_clinic(blocks=(("09:00", "10:00"),))
    other = make_service(clinic=clinic, name="Massage", discipline=Discipline.MASSAGE_THERAPY)
    assert not slot_is_open(practitioner=person, service=other, start=toronto(2026, 12, 7, 9, 0), now=NOW)
