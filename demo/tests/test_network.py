"""manage.py demo: a realistic, reproducible Canadian network, written all at once or not at all."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from io import StringIO
from zoneinfo import available_timezones

import phonenumbers
import pytest
import time_machine
from django.core.management import CommandError, call_command

from clinics.models import Clinic, Discipline, NetworkStatus, OpeningHours, Practitioner, Service
from clinics.testing import make_clinic, make_practitioner, make_service
from demo import network
from demo.schedules import schedules_generate
from places.models import Province
from scheduling.models import NextOpenTime, WorkingHours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 14, 7, tzinfo=UTC)  # a Wednesday morning in Toronto

POSTAL_LETTERS = {
    "NL": "A",
    "NS": "B",
    "PE": "C",
    "NB": "E",
    "QC": "GHJ",
    "ON": "KLMNP",
    "MB": "R",
    "SK": "S",
    "AB": "T",
    "BC": "V",
    "NT": "X",
    "NU": "X",
    "YT": "Y",
}


@pytest.fixture(autouse=True)
def _no_schedules(monkeypatch):
    """Schedules are the scheduling app's part; these tests look at the network alone."""
    monkeypatch.setattr(network, "schedules_generate", lambda **kwargs: None)


@pytest.fixture
def generated() -> list[int]:
    return network.network_generate(clinics=40, seed=7)


def snapshot() -> dict[str, object]:
    return {
        "clinics": list(
            Clinic.objects.order_by("slug").values_list(
                "name", "slug", "city__slug", "address", "postal_code", "phone", "latitude", "network_status"
            )
        ),
        "practitioners": list(
            Practitioner.objects.order_by("clinic__slug", "last_name", "first_name").values_list(
                "clinic__slug", "first_name", "last_name", "discipline", "credentials", "registration_number"
            )
        ),
        "services": sorted(Service.objects.values_list("clinic__slug", "name", "duration_minutes", "price_cents")),
        "links": sorted(Service.practitioners.through.objects.values_list("service__name", "practitioner__last_name")),
    }


def test_the_same_seed_gives_the_same_network(generated):
    first = snapshot()
    network.network_delete()

    network.network_generate(clinics=40, seed=7)

    assert snapshot() == first


def test_another_seed_gives_another_network(generated):
    first = snapshot()
    network.network_delete()

    network.network_generate(clinics=40, seed=8)

    assert snapshot()["clinics"] != first["clinics"]


def test_every_clinic_has_practitioners_and_services_offered_by_them(generated):
    assert len(generated) == Clinic.objects.count() == 40
    for clinic in Clinic.objects.prefetch_related("practitioners", "services__practitioners", "opening_hours"):
        practitioners = list(clinic.practitioners.all())
        assert 1 <= len(practitioners) <= 10
        assert clinic.services.all()
        assert clinic.opening_hours.all()
        disciplines = {p.discipline for p in practitioners}
        assert {s.discipline for s in clinic.services.all()} == disciplines
        for service in clinic.services.all():
            offering = list(service.practitioners.all())
            assert offering, service
            assert {p.discipline for p in offering} == {service.discipline}
            assert {p.clinic_id for p in offering} == {clinic.pk}


def test_phone_numbers_are_valid_canadian_numbers_in_e164(generated):
    for phone in Clinic.objects.values_list("phone", flat=True):
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.region_code_for_number(number) == "CA", phone
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone


def test_postal_codes_start_with_the_letter_of_the_province(generated):
    for province, postal_code in Clinic.objects.values_list("province", "postal_code"):
        assert postal_code[0] in POSTAL_LETTERS[province], (province, postal_code)
        assert len(postal_code) == 7 and postal_code[3] == " "


def test_a_clinic_takes_its_province_and_time_zone_from_its_city(generated):
    zones = available_timezones()
    for clinic in Clinic.objects.select_related("city"):
        assert clinic.time_zone in zones
        assert (clinic.time_zone, clinic.province) == (clinic.city.time_zone, clinic.city.province)
        assert abs(clinic.latitude - clinic.city.latitude) < 0.1
        assert abs(clinic.longitude - clinic.city.longitude) < 0.2


def test_every_province_and_territory_gets_a_clinic(generated):
    assert set(Clinic.objects.values_list("province", flat=True)) == set(Province.values)


def test_a_few_clinics_only_get_clinics_where_people_live():
    network.network_generate(clinics=3, seed=1)

    assert Clinic.objects.count() == 3


def test_clinic_languages_are_those_of_its_practitioners(generated):
    for clinic in Clinic.objects.prefetch_related("languages", "practitioners__languages"):
        spoken = {lang.slug for p in clinic.practitioners.all() for lang in p.languages.all()}
        assert spoken
        assert {lang.slug for lang in clinic.languages.all()} == spoken


def test_quebec_practitioners_speak_french_and_answer_to_quebec_orders():
    network.network_generate(clinics=120, seed=3)
    in_quebec = Practitioner.objects.filter(clinic__province="QC").prefetch_related("languages")
    assert in_quebec
    for practitioner in in_quebec:
        assert "fr" in {lang.slug for lang in practitioner.languages.all()}
        if practitioner.discipline == Discipline.PHYSIOTHERAPY:
            assert practitioner.college == "Ordre professionnel de la physiothérapie du Québec"
        if practitioner.discipline == Discipline.MASSAGE_THERAPY:
            assert practitioner.college == ""  # massage therapy is not a regulated profession in Quebec
    ontario_rmts = Practitioner.objects.filter(clinic__province="ON", discipline=Discipline.MASSAGE_THERAPY)
    assert set(ontario_rmts.values_list("college", flat=True)) == {"College of Massage Therapists of Ontario"}


def test_most_clinics_are_in_the_network_with_a_score():
    network.network_generate(clinics=120, seed=4)
    statuses = Counter(Clinic.objects.values_list("network_status", flat=True))
    assert statuses[NetworkStatus.IN_NETWORK] > 90
    scores = Clinic.objects.in_network().values_list("inspection_score", flat=True)
    assert all(score is not None and 70 <= score <= 99 for score in scores)
    assert not Clinic.objects.filter(network_status=NetworkStatus.APPLICANT, inspection_score__isnull=False).exists()


def test_a_failure_halfway_leaves_no_half_network(monkeypatch):
    monkeypatch.setattr(network, "BATCH_SIZE", 10)
    write = network._write
    calls = []

    def failing_write(batch):
        calls.append(batch)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return write(batch)

    monkeypatch.setattr(network, "_write", failing_write)

    with pytest.raises(RuntimeError, match="disk full"):
        network.network_generate(clinics=40, seed=7)

    assert len(calls) == 3
    assert not Clinic.objects.exists()
    assert not Practitioner.objects.exists()


def test_a_failed_replacement_keeps_the_old_network(monkeypatch):
    old = make_clinic(slug="old-clinic")

    def failing_write(batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(network, "_write", failing_write)
    with pytest.raises(RuntimeError, match="disk full"):
        network.network_generate(clinics=5, seed=7, replace=True)

    assert list(Clinic.objects.all()) == [old]


def _schedules(clinic_ids: list[int]) -> list[tuple[object, ...]]:
    """The generated working hours, by clinic and practitioner names (ids change from one network to the next)."""
    rows = WorkingHours.objects.filter(practitioner__clinic__in=clinic_ids)
    return sorted(
        rows.values_list("practitioner__clinic__slug", "practitioner__last_name", "weekday", "start_time", "end_time")
    )


def test_the_new_clinics_get_schedules_and_next_open_times_the_same_for_the_same_seed(monkeypatch):
    monkeypatch.setattr(network, "schedules_generate", schedules_generate)  # the real one, not the fixture's
    with time_machine.travel(NOW, tick=False):
        ids = network.network_generate(clinics=5, seed=2)
        first = _schedules(ids)
        working = Practitioner.objects.filter(clinic__in=ids, is_active=True, working_hours__isnull=False)
        assert set(working.values_list("pk", flat=True)) == set(
            Practitioner.objects.filter(clinic__in=ids, is_active=True).values_list("pk", flat=True)
        )
        cached = set(NextOpenTime.objects.values_list("clinic_id", flat=True))
        assert cached == set(Clinic.objects.filter(pk__in=ids).exclude(practitioners=None).values_list("pk", flat=True))

        again = network.network_generate(clinics=5, seed=2, replace=True)

    assert set(again).isdisjoint(ids)
    assert first and _schedules(again) == first


def test_the_command_creates_the_network_and_says_so():
    out = StringIO()
    call_command("demo", "--clinics", "15", "--seed", "3", "--no-progress", stdout=out)
    assert Clinic.objects.count() == 15
    assert "Created 15 clinics (seed 3)" in out.getvalue()


def test_the_command_with_if_empty_leaves_existing_clinics_alone():
    clinic = make_clinic()
    out = StringIO()

    call_command("demo", "--clinics", "15", "--if-empty", stdout=out)

    assert list(Clinic.objects.all()) == [clinic]
    assert "already has 1 clinic: nothing to do" in out.getvalue()


def test_the_command_with_if_empty_fills_an_empty_database():
    call_command("demo", "--clinics", "15", "--if-empty", "--no-progress", stdout=StringIO())
    assert Clinic.objects.count() == 15


def test_the_command_refuses_to_add_to_existing_clinics_without_replace():
    make_clinic()
    with pytest.raises(CommandError, match=r"already has 1 clinic\. Use --replace"):
        call_command("demo", "--clinics", "15")
    assert Clinic.objects.count() == 1


def test_the_command_with_replace_deletes_the_old_network_first():
    old = make_clinic(slug="old-clinic")
    practitioner = make_practitioner(clinic=old)
    make_service(clinic=old, practitioners=[practitioner])

    out = StringIO()
    call_command("demo", "--clinics", "15", "--replace", "--no-progress", stdout=out)

    assert "Replaced 1 clinic." in out.getvalue()
    assert Clinic.objects.count() == 15
    assert not Clinic.objects.filter(slug="old-clinic").exists()
    assert not OpeningHours.objects.exclude(clinic__in=Clinic.objects.all()).exists()


@pytest.mark.parametrize("clinics", ["0", "-5", "200001"])
def test_the_command_explains_a_bad_number_of_clinics(clinics):
    with pytest.raises(CommandError, match=r"--clinics must be between 1 and 200000"):
        call_command("demo", "--clinics", clinics)


def test_most_clinics_offer_a_free_consultation_on_its_terms(generated: list[int]) -> None:
    from clinics.models import REMOTE_DELIVERIES, ServiceKind

    free = Service.objects.filter(kind=ServiceKind.FREE_CONSULTATION)
    offering = free.values("clinic").distinct().count()
    assert offering > len(generated) / 2
    assert set(free.values_list("price_cents", flat=True)) == {0}
    assert set(free.values_list("delivery", flat=True)) <= set(REMOTE_DELIVERIES)
    assert all(15 <= minutes <= 20 for minutes in free.values_list("duration_minutes", flat=True))
