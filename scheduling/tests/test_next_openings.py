"""The precomputed next openings: filled, read for search, and kept fresh by every change."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.db.models import F

from booking.models import Appointment, Hold
from clinics.models import Clinic, Discipline
from clinics.testing import make_practitioner, make_service, make_technique
from scheduling import cache, services
from scheduling.cache import NEXT_OPEN_TIMES_KEPT
from scheduling.models import AvailabilityState, NextOpenTime
from scheduling.search import next_available_subquery, next_open_times_for_clinics, soonest_clinics, stale_clinic_ids
from scheduling.selectors import open_times_list
from scheduling.testing import make_hours, make_open_clinic, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 12, 7, 6, 0)  # Monday, 6 a.m.; with 2 h notice the first time is 09:00


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what a write left for after its commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def next_of(clinic, now=NOW, **filters):
    return next_open_times_for_clinics(clinic_ids=[clinic.pk], now=now, **filters).get(clinic.pk, [])


def hhmm(moments, zone="America/Toronto"):
    from zoneinfo import ZoneInfo

    return [f"{m.astimezone(ZoneInfo(zone)):%a %H:%M}" for m in moments]


def test_refresh_keeps_the_next_few_times_of_each_practitioner_and_service():
    clinic, _people, _service = make_open_clinic(practitioners=2)
    written = cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert written == 2 * NEXT_OPEN_TIMES_KEPT
    assert hhmm(next_of(clinic)) == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]
    assert AvailabilityState.objects.get(clinic=clinic).computed_at == NOW


def test_the_cache_says_what_the_engine_says():
    clinic, _people, _service = make_open_clinic(practitioners=3, blocks=(("09:00", "09:45"),))
    Appointment.objects.create(
        clinic=clinic,
        practitioner=_people[0],
        service=_service,
        start=toronto(2026, 12, 7, 9),
        end=toronto(2026, 12, 7, 9, 30),
        source="import",
    )
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    live = open_times_list(clinic=clinic, start=NOW, end=NOW + timedelta(days=3), now=NOW)
    assert next_of(clinic, count=4) == sorted({s.start for s in live})[:4]


def test_time_passing_removes_a_time_without_any_refresh(committed):
    clinic, _people, _service = make_open_clinic()
    with committed():
        services.booking_rules_update(clinic=clinic, min_notice_minutes=0, now=NOW)
    assert hhmm(next_of(clinic, now=toronto(2026, 12, 7, 9, 0)))[0] == "Mon 09:00"
    assert hhmm(next_of(clinic, now=toronto(2026, 12, 7, 9, 1)))[0] == "Mon 09:15"


def test_a_booking_changes_next_available_once_booking_refreshes():
    clinic, (person,), service = make_open_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    Appointment.objects.create(
        clinic=clinic,
        practitioner=person,
        service=service,
        start=toronto(2026, 12, 7, 9),
        end=toronto(2026, 12, 7, 9, 30),
        source="web",
    )
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert hhmm(next_of(clinic))[0] == "Mon 09:30"
    Appointment.objects.update(status="cancelled")
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert hhmm(next_of(clinic))[0] == "Mon 09:00"


@pytest.mark.parametrize(
    "change, first",
    [
        ("hours", "Tue 14:00"),
        ("time_off", "Mon 12:00"),
        ("closure", "Tue 09:00"),
        ("opening", "Mon 08:30"),
        ("rules", "Tue 09:00"),
    ],
)
def test_each_write_service_refreshes_next_openings_once_it_commits(committed, change, first):
    clinic, (person,), _service = make_open_clinic(blocks=(("09:00", "12:30"),))
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert hhmm(next_of(clinic))[0] == "Mon 09:00"
    with committed():
        write(change, clinic=clinic, person=person)
    assert hhmm(next_of(clinic))[0] == first


def write(change, *, clinic, person):
    if change == "hours":
        services.working_hours_set(
            practitioner=person, blocks=[(1, time(14), time(17))], valid_from=date(2026, 12, 7), now=NOW
        )
    elif change == "time_off":
        services.time_off_add(practitioner=person, start=toronto(2026, 12, 7, 8), end=toronto(2026, 12, 7, 12), now=NOW)
    elif change == "closure":
        services.clinic_closure_add(clinic=clinic, start_date=date(2026, 12, 7), end_date=date(2026, 12, 7), now=NOW)
    elif change == "opening":
        services.posted_opening_add(
            practitioner=person, start=toronto(2026, 12, 7, 8, 30), end=toronto(2026, 12, 7, 9), now=NOW
        )
    else:
        services.booking_rules_update(clinic=clinic, same_day_allowed=False, now=NOW)


def test_working_hours_set_keeps_the_past_and_rejects_overlapping_blocks():
    from django.core.exceptions import ValidationError

    from scheduling.models import WorkingHours

    _clinic, (person,), _service = make_open_clinic(days=(0,), blocks=(("09:00", "12:00"),))
    services.working_hours_set(
        practitioner=person, blocks=[(0, time(10), time(11))], valid_from=date(2026, 12, 14), now=NOW
    )
    assert list(WorkingHours.objects.filter(practitioner=person).values_list("valid_until", flat=True)) == [
        date(2026, 12, 13),
        None,
    ]
    with pytest.raises(ValidationError, match="overlap"):
        services.working_hours_set(
            practitioner=person,
            blocks=[(0, time(9), time(12)), (0, time(11), time(13))],
            valid_from=date(2026, 12, 21),
            now=NOW,
        )


def test_discipline_service_and_technique_narrow_next_available():
    clinic, (_physio,), physio_service = make_open_clinic(blocks=(("11:00", "12:00"),))
    chiro = make_practitioner(clinic=clinic, discipline=Discipline.CHIROPRACTIC)
    chiro.techniques.add(make_technique())
    make_hours(chiro, blocks=(("09:00", "10:00"),))
    make_service(clinic=clinic, practitioners=[chiro], discipline=Discipline.CHIROPRACTIC)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert hhmm(next_of(clinic))[0] == "Mon 09:00"  # no filter: any service
    assert hhmm(next_of(clinic, discipline=Discipline.PHYSIOTHERAPY))[0] == "Mon 11:00"
    assert hhmm(next_of(clinic, service_id=physio_service.pk))[0] == "Mon 11:00"
    assert hhmm(next_of(clinic, technique="dry-needling"))[0] == "Mon 09:00"
    assert next_of(clinic, discipline=Discipline.MASSAGE_THERAPY) == []


def test_clinics_sort_soonest_first_with_the_subquery(django_assert_max_num_queries):
    later, _p, _s = make_open_clinic(blocks=(("14:00", "15:00"),))
    sooner, _p, _s = make_open_clinic(blocks=(("10:00", "11:00"),))
    never, _p, _s = make_open_clinic(days=())
    cache.next_open_times_refresh(clinic_ids=[later.pk, sooner.pk, never.pk], now=NOW)
    ids = [later.pk, sooner.pk, never.pk]
    with django_assert_max_num_queries(1):
        ordered = list(
            Clinic.objects.filter(pk__in=ids)
            .annotate(next_available=next_available_subquery(now=NOW, discipline=Discipline.PHYSIOTHERAPY))
            .order_by(F("next_available").asc(nulls_last=True))
            .values_list("pk", flat=True)
        )
    assert ordered == [sooner.pk, later.pk, never.pk]
    with django_assert_max_num_queries(1):
        times = next_open_times_for_clinics(clinic_ids=ids, now=NOW, discipline=Discipline.PHYSIOTHERAPY)
    assert hhmm(times[sooner.pk]) == ["Mon 10:00", "Mon 10:15", "Mon 10:30"]
    assert never.pk not in times


def test_next_times_are_distinct_even_when_several_practitioners_share_them():
    clinic, _people, _service = make_open_clinic(practitioners=4)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert hhmm(next_of(clinic, count=3)) == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]


def test_a_clinic_is_due_for_a_top_up_when_its_cached_times_run_low_or_a_hold_lapses():
    clinic, (person,), service = make_open_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    state = AvailabilityState.objects.get(clinic=clinic)
    # Five cached times 09:00..10:00 with 2 h notice: once 09:30 can no longer be booked (07:30), two are left.
    assert state.fresh_until == toronto(2026, 12, 7, 7, 30)
    assert stale_clinic_ids(clinic_ids=[clinic.pk], now=toronto(2026, 12, 7, 7, 29)) == []
    assert stale_clinic_ids(clinic_ids=[clinic.pk], now=toronto(2026, 12, 7, 7, 30)) == [clinic.pk]
    Hold.objects.create(
        practitioner=person,
        service=service,
        start=toronto(2026, 12, 7, 9),
        end=toronto(2026, 12, 7, 9, 30),
        expires_at=NOW + timedelta(minutes=10),
    )
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert AvailabilityState.objects.get(clinic=clinic).fresh_until == NOW + timedelta(minutes=10)


def test_top_up_recomputes_stale_and_never_computed_clinics_only():
    stale, _p, _s = make_open_clinic()
    fresh, _p, _s = make_open_clinic()
    never, _p, _s = make_open_clinic()
    cache.next_open_times_refresh(clinic_ids=[stale.pk, fresh.pk], now=NOW)
    AvailabilityState.objects.filter(clinic=stale).update(fresh_until=NOW)
    later = NOW + timedelta(minutes=5)
    assert cache.next_open_times_top_up(now=later) == 2
    computed = dict(AvailabilityState.objects.values_list("clinic_id", "computed_at"))
    assert computed == {stale.pk: later, fresh.pk: NOW, never.pk: later}
    assert NextOpenTime.objects.filter(clinic=never).exists()


def test_refreshing_a_small_clinic_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    clinic, _people, _service = make_open_clinic(practitioners=5)
    with django_assert_max_num_queries(16):
        cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)


def test_a_practitioner_away_for_two_weeks_still_has_next_openings_after(committed):
    clinic, (person,), _service = make_open_clinic()
    with committed():
        services.time_off_add(practitioner=person, start=toronto(2026, 12, 1), end=toronto(2026, 12, 21), now=NOW)
    assert hhmm(next_of(clinic)) == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]
    assert next_of(clinic)[0].date().isoformat() == "2026-12-21"


def test_soonest_clinics_walks_start_order_and_pages():
    late, _p, _s = make_open_clinic(blocks=(("15:00", "16:00"),))
    early, _p, _s = make_open_clinic(blocks=(("09:00", "10:00"),))
    middle, _p, _s = make_open_clinic(blocks=(("12:00", "13:00"),))
    closed, _p, _s = make_open_clinic(days=())
    elsewhere, _p, _s = make_open_clinic(blocks=(("08:00", "09:00"),))
    cache.next_open_times_refresh(clinic_ids=[c.pk for c in (late, early, middle, closed, elsewhere)], now=NOW)
    candidates = Clinic.objects.exclude(pk=elsewhere.pk)
    page = soonest_clinics(clinics=candidates, now=NOW, discipline=Discipline.PHYSIOTHERAPY, limit=2)
    assert [pk for pk, _start in page] == [early.pk, middle.pk]
    assert hhmm([start for _pk, start in page]) == ["Mon 09:00", "Mon 12:00"]
    second = soonest_clinics(clinics=candidates, now=NOW, discipline=Discipline.PHYSIOTHERAPY, limit=2, offset=2)
    assert [pk for pk, _start in second] == [late.pk]


def test_the_refresh_availability_command_tops_up_due_clinics():
    from django.core.management import call_command

    clinic, _p, _s = make_open_clinic()
    call_command("refresh_availability", verbosity=0)
    assert AvailabilityState.objects.filter(clinic=clinic).exists()
    assert NextOpenTime.objects.filter(clinic=clinic).exists()
    NextOpenTime.objects.all().delete()
    call_command("refresh_availability", "--all", verbosity=0)
    assert NextOpenTime.objects.filter(clinic=clinic).exists()


def test_soonest_clinics_groups_instead_when_the_walk_would_be_too_long(monkeypatch):
    from scheduling import search

    clinics = [make_open_clinic(practitioners=2, blocks=((f"{9 + i:02}:00", f"{10 + i:02}:00"),))[0] for i in range(3)]
    cache.next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=NOW)
    monkeypatch.setattr(search, "SCAN_LIMIT", 3)  # two practitioners share each start: 3 rows, 2 clinics
    page = soonest_clinics(clinics=Clinic.objects.all(), now=NOW, limit=3)
    assert [pk for pk, _start in page] == [c.pk for c in clinics]
    assert hhmm([start for _pk, start in page]) == ["Mon 09:00", "Mon 10:00", "Mon 11:00"]


def test_a_small_area_is_answered_from_its_own_clinics_rows_not_by_walking_the_country(
    monkeypatch, django_assert_max_num_queries
):
    """An area of at most SMALL_AREA clinics gets the page the walk gives, from its clinics' own rows: walking
    every clinic's rows in start order found a sparse area's few clinics only far down."""
    from scheduling import search

    clinics = [make_open_clinic(practitioners=2, blocks=((f"{9 + i:02}:00", f"{10 + i:02}:00"),))[0] for i in range(4)]
    cache.next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=NOW)
    area = Clinic.objects.filter(pk__in=[c.pk for c in clinics[1:]])
    walks = []
    real_walk = search._starts_in_order_read

    def counting_walk(*args, **kwargs):
        walks.append(kwargs["wanted"])
        return real_walk(*args, **kwargs)

    monkeypatch.setattr(search, "_starts_in_order_read", counting_walk)
    with django_assert_max_num_queries(2):  # the area's ids, its clinics' first starts
        grouped = soonest_clinics(clinics=area, now=NOW, limit=2, offset=1)
    assert walks == []
    assert [pk for pk, _start in grouped] == [clinics[2].pk, clinics[3].pk]
    assert hhmm([start for _pk, start in grouped]) == ["Mon 11:00", "Mon 12:00"]
    monkeypatch.setattr(search, "SMALL_AREA", 2)  # an area larger than that: the walk answers, the same
    assert soonest_clinics(clinics=area, now=NOW, limit=2, offset=1) == grouped
    assert walks


def test_removing_time_off_a_closure_or_an_opening_refreshes_next_openings_too(committed):
    clinic, (person,), _service = make_open_clinic(blocks=(("09:00", "12:30"),))
    with committed():
        time_off = services.time_off_add(
            practitioner=person, start=toronto(2026, 12, 7, 8), end=toronto(2026, 12, 7, 12), now=NOW
        )
    assert hhmm(next_of(clinic))[0] == "Mon 12:00"
    with committed():
        services.time_off_remove(time_off=time_off, now=NOW)
    assert hhmm(next_of(clinic))[0] == "Mon 09:00"
    with committed():
        closure = services.clinic_closure_add(
            clinic=clinic, start_date=date(2026, 12, 7), end_date=date(2026, 12, 7), now=NOW
        )
    assert hhmm(next_of(clinic))[0] == "Tue 09:00"
    with committed():
        services.clinic_closure_remove(closure=closure, now=NOW)
    assert hhmm(next_of(clinic))[0] == "Mon 09:00"
    with committed():
        opening = services.posted_opening_add(
            practitioner=person, start=toronto(2026, 12, 7, 8, 30), end=toronto(2026, 12, 7, 9), now=NOW
        )
    assert hhmm(next_of(clinic))[0] == "Mon 08:30"
    with committed():
        services.posted_opening_remove(opening=opening, now=NOW)
    assert hhmm(next_of(clinic))[0] == "Mon 09:00"


def test_write_services_refuse_bad_input_with_a_clear_message():
    from django.core.exceptions import ValidationError

    clinic, (person,), _service = make_open_clinic()
    with pytest.raises(ValidationError, match="end must be after the start"):
        services.time_off_add(practitioner=person, start=toronto(2026, 12, 8), end=toronto(2026, 12, 7), now=NOW)
    with pytest.raises(ValidationError, match="must not be before its first day"):
        services.clinic_closure_add(clinic=clinic, start_date=date(2026, 12, 8), end_date=date(2026, 12, 7), now=NOW)
    with pytest.raises(ValidationError, match="Unknown booking rule"):
        services.booking_rules_update(clinic=clinic, now=NOW, colour="blue")
    with pytest.raises(ValidationError):
        services.booking_rules_update(clinic=clinic, now=NOW, step_minutes=1)


def test_the_tasks_call_the_same_services():
    from scheduling.tasks import next_open_times_refresh_task, next_open_times_top_up_task

    clinic, _p, _s = make_open_clinic()
    assert next_open_times_top_up_task.call() == 1
    assert next_open_times_refresh_task.call(clinic_ids=[clinic.pk]) == NEXT_OPEN_TIMES_KEPT


def _rows(clinic):
    return sorted(NextOpenTime.objects.filter(clinic=clinic).values_list("practitioner_id", "start", "computed_at"))


def test_a_practitioner_refresh_rewrites_only_their_rows_and_only_brings_the_due_time_forward():
    clinic, (first, second), service = make_open_clinic(practitioners=2)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    due = AvailabilityState.objects.get(clinic=clinic).fresh_until
    Appointment.objects.create(
        clinic=clinic,
        practitioner=first,
        service=service,
        start=toronto(2026, 12, 7, 9),
        end=toronto(2026, 12, 7, 9, 30),
        source="web",
    )
    later = NOW + timedelta(minutes=1)
    written = cache.next_open_times_refresh(clinic_ids=[clinic.pk], practitioner_ids=[first.pk], now=later)
    assert written == NEXT_OPEN_TIMES_KEPT
    rows = _rows(clinic)
    assert {computed for pid, _s, computed in rows if pid == first.pk} == {later}
    assert {computed for pid, _s, computed in rows if pid == second.pk} == {NOW}  # untouched
    assert hhmm(next_of(clinic, practitioner_id=first.pk))[0] == "Mon 09:30"
    assert hhmm(next_of(clinic, practitioner_id=second.pk))[0] == "Mon 09:00"
    # The first's rows now run out later (10:30 is their 5th): the clinic stays due when the second's do.
    assert AvailabilityState.objects.get(clinic=clinic).fresh_until == due
    # A hold lapsing soon makes the clinic due sooner, even from a practitioner-only refresh.
    Hold.objects.create(
        practitioner=second,
        service=service,
        start=toronto(2026, 12, 7, 11),
        end=toronto(2026, 12, 7, 11, 30),
        expires_at=NOW + timedelta(minutes=10),
    )
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], practitioner_ids=[second.pk], now=later)
    assert AvailabilityState.objects.get(clinic=clinic).fresh_until == NOW + timedelta(minutes=10)


def test_a_practitioner_refresh_leaves_a_never_computed_clinic_to_the_top_up():
    clinic, (person,), _service = make_open_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], practitioner_ids=[person.pk], now=NOW)
    assert not AvailabilityState.objects.filter(clinic=clinic).exists()
    assert stale_clinic_ids(clinic_ids=[clinic.pk], now=NOW) == [clinic.pk]


def test_a_booking_refreshes_only_its_practitioner_in_a_bounded_number_of_queries(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from booking.patients import PatientDetails
    from booking.services import appointment_book

    clinic, people, service = make_open_clinic(practitioners=4)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    patient = PatientDetails(name="Ada", email="ada@example.com", phone="+14165550123")
    later = NOW + timedelta(minutes=1)
    with django_assert_max_num_queries(40), django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            practitioner=people[0], service=service, start=toronto(2026, 12, 7, 9), patient=patient, now=later
        )
    rows = _rows(clinic)
    assert {computed for pid, _s, computed in rows if pid == people[0].pk} == {later}
    assert {computed for pid, _s, computed in rows if pid != people[0].pk} == {NOW}
    assert hhmm(next_of(clinic, practitioner_id=people[0].pk, now=later))[0] == "Mon 09:30"


def test_soonest_clinics_in_batches_finds_what_one_walk_finds(monkeypatch):
    from scheduling import search

    # Two practitioners share each start, so batches of one or two rows end among tied rows.
    clinics = [make_open_clinic(practitioners=2, blocks=((f"{9 + i:02}:00", f"{10 + i:02}:00"),))[0] for i in range(3)]
    cache.next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=NOW)
    whole = soonest_clinics(clinics=Clinic.objects.all(), now=NOW, limit=3)
    monkeypatch.setattr(search, "_reads_rows_lazily", lambda: False)  # PostgreSQL's way, on any database
    monkeypatch.setattr(search, "MIN_BATCH", 1)
    monkeypatch.setattr(search, "FIRST_BATCH_PER_CLINIC", 0)
    batched = soonest_clinics(clinics=Clinic.objects.all(), now=NOW, limit=3)
    assert batched == whole
    assert [pk for pk, _start in batched] == [c.pk for c in clinics]
    assert soonest_clinics(clinics=Clinic.objects.all(), now=NOW, limit=2, offset=1) == whole[1:3]


def test_a_batch_of_the_walk_counts_a_clinics_rows_at_one_start_as_one(monkeypatch):
    """PostgreSQL's batches read distinct (start, bookable_until, clinic) rows: four practitioners free at one
    start are one row, so a batch of three rows finds three clinics (raw rows took four batches here)."""
    from scheduling import search

    # One start per clinic, shared by its four practitioners: 9:00, 10:00, 11:00.
    blocks = [((f"{9 + i:02}:00", f"{9 + i:02}:30"),) for i in range(3)]
    clinics = [make_open_clinic(practitioners=4, blocks=b)[0] for b in blocks]
    cache.next_open_times_refresh(clinic_ids=[c.pk for c in clinics], now=NOW)
    whole = soonest_clinics(clinics=Clinic.objects.all(), now=NOW, limit=3)
    batches = []
    real_walk = search._starts_in_order_read

    def counting_walk(*args, **kwargs):
        batches.append(args[0])
        return real_walk(*args, **kwargs)

    monkeypatch.setattr(search, "_starts_in_order_read", counting_walk)
    monkeypatch.setattr(search, "_reads_rows_lazily", lambda: False)  # PostgreSQL's way, on any database
    monkeypatch.setattr(search, "MIN_BATCH", 1)
    monkeypatch.setattr(search, "FIRST_BATCH_PER_CLINIC", 1)  # a first batch of 3 rows
    monkeypatch.setattr(search, "SMALL_AREA", 0)  # walk, not the small area's grouping
    batched = soonest_clinics(clinics=Clinic.objects.all(), now=NOW, limit=3)
    assert batched == whole
    assert [pk for pk, _start in batched] == [c.pk for c in clinics]
    assert hhmm([start for _pk, start in batched]) == ["Mon 09:00", "Mon 10:00", "Mon 11:00"]
    assert len(batches) == 1
    # The area is still the caller's: without the first clinic the walk goes on to the others only.
    area = Clinic.objects.exclude(pk=clinics[0].pk)
    assert [pk for pk, _start in soonest_clinics(clinics=area, now=NOW, limit=3)] == [c.pk for c in clinics[1:]]


FIRST_AFTER = {"hours": "Tue 14:00", "time_off": "Mon 12:00", "closure": "Tue 09:00", "opening": "Mon 08:30"}
FIRST_AFTER["rules"] = "Tue 09:00"


@pytest.mark.parametrize("change", sorted(FIRST_AFTER))
def test_a_schedule_writes_transaction_leaves_the_refresh_until_after_its_commit(
    django_capture_on_commit_callbacks, change
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clinic, (person,), _service = make_open_clinic(blocks=(("09:00", "12:30"),))
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    cached = set(NextOpenTime.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as after_commit, CaptureQueriesContext(connection) as run:
        write(change, clinic=clinic, person=person)
    tables = (NextOpenTime._meta.db_table, AvailabilityState._meta.db_table)
    inside = [q["sql"] for q in run.captured_queries if any(table in q["sql"] for table in tables)]
    assert not inside, "the write's transaction does not touch the cache"
    assert set(NextOpenTime.objects.values_list("pk", flat=True)) == cached
    assert len(after_commit) == 1
    after_commit[0]()
    assert hhmm(next_of(clinic))[0] == FIRST_AFTER[change]


def test_one_practitioners_change_rewrites_only_their_rows(committed):
    clinic, (first, second), _service = make_open_clinic(practitioners=2, blocks=(("09:00", "12:30"),))
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    theirs = set(NextOpenTime.objects.filter(practitioner=second).values_list("pk", "start", "computed_at"))
    later = NOW + timedelta(minutes=5)
    with committed():
        services.time_off_add(
            practitioner=first, start=toronto(2026, 12, 7, 8), end=toronto(2026, 12, 7, 12), now=later
        )
    assert set(NextOpenTime.objects.filter(practitioner=second).values_list("pk", "start", "computed_at")) == theirs
    mine = NextOpenTime.objects.filter(practitioner=first)
    assert {row.computed_at for row in mine} == {later}
    assert hhmm(sorted({row.start for row in mine}))[0] == "Mon 12:00"


def test_a_whole_clinic_change_refreshes_after_its_commit_a_few_practitioners_per_transaction(committed, monkeypatch):
    clinic, people, _service = make_open_clinic(practitioners=5)
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    monkeypatch.setattr(cache, "REFRESH_BATCH", 2)
    batches = []
    real = cache.next_open_times_refresh

    def counted(**kwargs):
        batches.append(kwargs["practitioner_ids"])
        return real(**kwargs)

    monkeypatch.setattr(cache, "next_open_times_refresh", counted)
    with committed():
        services.clinic_closure_add(clinic=clinic, start_date=date(2026, 12, 7), end_date=date(2026, 12, 7), now=NOW)
    ids = sorted(p.pk for p in people)
    assert batches == [ids[0:2], ids[2:4], ids[4:]]
    firsts = NextOpenTime.objects.filter(rank=1).order_by("practitioner_id").values_list("start", flat=True)
    assert hhmm(firsts) == ["Tue 09:00"] * 5


def test_a_refresh_that_fails_after_the_commit_keeps_the_write_and_marks_the_clinic_due(committed, monkeypatch, caplog):
    from django.db import DatabaseError

    from scheduling.models import TimeOff

    clinic, (person,), _service = make_open_clinic(blocks=(("09:00", "12:30"),))
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    assert AvailabilityState.objects.get(clinic=clinic).fresh_until > NOW

    def broken(**kwargs):
        raise DatabaseError("patient Jane Doe")

    monkeypatch.setattr(cache, "next_open_times_refresh", broken)
    with committed():
        time_off = services.time_off_add(
            practitioner=person, start=toronto(2026, 12, 7, 8), end=toronto(2026, 12, 7, 12), now=NOW
        )
    assert TimeOff.objects.filter(pk=time_off.pk).exists()
    assert AvailabilityState.objects.get(clinic=clinic).fresh_until == NOW
    assert "DatabaseError" in caplog.text and "Jane" not in caplog.text
    monkeypatch.undo()
    assert cache.next_open_times_top_up(now=NOW) == 1
    assert hhmm(next_of(clinic))[0] == "Mon 12:00"
