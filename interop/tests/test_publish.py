"""The SMART Scheduling Links feed: the manifest, its three kinds of files, and the walls around them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from booking.models import AppointmentStatus
from clinics.models import Discipline, NetworkStatus
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from interop import fhir
from interop.tests.conftest import ndjson, strict
from painhero.testing import NOW, SLOT, World, book
from scheduling.models import TimeOff
from scheduling.selectors import OpenTime, open_times_list
from scheduling.testing import make_hours
from scheduling.week import booking_url

pytestmark = pytest.mark.usefixtures("fhir_settings")


def _manifest(client: Any) -> dict[str, Any]:
    response = client.get("/fhir/$bulk-publish")
    assert response.status_code == 200
    return orjson.loads(b"".join(response.streaming_content))


def _path(url: str) -> str:
    assert url.startswith("https://painhero.test/fhir/")
    return urlsplit(url).path


def _all(client: Any, kind: str) -> list[dict[str, Any]]:
    found = []
    for entry in _manifest(client)["output"]:
        if entry["type"] == kind:
            found += ndjson(client.get(_path(entry["url"])))
    return found


def test_the_manifest_lists_one_location_one_schedule_and_a_slot_file_per_province(world: World, client: Any) -> None:
    make_clinic(city=make_city(province="BC", time_zone="America/Vancouver", slug="vancouver"))
    body = _manifest(client)
    assert set(body) == {"transactionTime", "request", "output", "error"}
    assert fhir.INSTANT.fullmatch(body["transactionTime"])
    assert body["request"] == "https://painhero.test/fhir/$bulk-publish"
    assert body["error"] == []
    kinds = [entry["type"] for entry in body["output"]]
    assert kinds == ["Location", "Schedule", "Slot", "Slot"]
    assert all(set(entry) <= {"type", "url", "extension"} for entry in body["output"])
    slots = [entry for entry in body["output"] if entry["type"] == "Slot"]
    assert [entry["extension"]["state"] for entry in slots] == [["BC"], ["ON"]]
    assert slots[1]["url"] == "https://painhero.test/fhir/Slot-ON.ndjson"


def test_every_location_is_a_strict_r4_location_with_what_the_spec_requires(world: World, client: Any) -> None:
    locations = _all(client, "Location")
    assert {loc["id"] for loc in locations} == {str(world.clinic.pk), str(world.other_clinic.pk)}
    for location in locations:
        strict(location)
        assert fhir.FHIR_ID.fullmatch(location["id"])
        assert location["telecom"][0]["system"] == "phone"
    alpha = next(loc for loc in locations if loc["id"] == str(world.clinic.pk))
    assert alpha["name"] == "Alpha Physio"
    assert alpha["identifier"] == [
        {"system": "https://painhero.test/fhir/NamingSystem/clinic-slug", "value": world.clinic.slug}
    ]
    assert alpha["telecom"][1]["system"] == "url"
    assert alpha["telecom"][1]["value"].startswith("https://painhero.test/clinics/")
    assert alpha["address"]["state"] == "ON"
    assert set(alpha["address"]) >= {"line", "city", "state", "postalCode"}
    assert alpha["position"] == {"latitude": world.clinic.latitude, "longitude": world.clinic.longitude}


def test_each_clinic_has_one_schedule_per_kind_of_care_coded_with_hl7_service_types(world: World, client: Any) -> None:
    make_service(clinic=world.clinic, practitioners=[world.lee], discipline=Discipline.MASSAGE_THERAPY, name="RMT")
    make_service(clinic=world.clinic, practitioners=[world.lee], discipline=Discipline.MASSAGE_THERAPY, name="RMT 60")
    schedules = _all(client, "Schedule")
    mine = [s for s in schedules if s["actor"] == [{"reference": f"Location/{world.clinic.pk}"}]]
    assert [s["id"] for s in mine] == [f"{world.clinic.pk}.65", f"{world.clinic.pk}.25"]
    for schedule in schedules:
        strict(schedule)
    codings = [s["serviceType"][0]["coding"][0] for s in mine]
    assert codings == [
        {"system": "http://terminology.hl7.org/CodeSystem/service-type", "code": "65", "display": "Physiotherapy"},
        {"system": "http://terminology.hl7.org/CodeSystem/service-type", "code": "25", "display": "Massage Therapy"},
    ]


def test_slots_are_the_open_times_engine_s_own_with_offsets_and_booking_links(world: World, client: Any) -> None:
    # Chen is away Tuesday: the engine drops those times, and so must the feed (no second copy of the rules).
    TimeOff.objects.create(practitioner=world.chen, start=NOW + timedelta(days=1), end=NOW + timedelta(days=2))
    slots = _all(client, "Slot")
    assert slots
    for slot in slots:
        strict(slot)
        assert slot["status"] in fhir.SLOT_STATUSES
        assert fhir.INSTANT.fullmatch(slot["start"]) and fhir.INSTANT.fullmatch(slot["end"])
        assert slot["start"].endswith("-05:00")
        assert slot["end"] > slot["start"]
        assert fhir.FHIR_ID.fullmatch(slot["id"])
    assert len({s["id"] for s in slots}) == len(slots)
    mine = [s for s in slots if s["schedule"]["reference"] == f"Schedule/{world.clinic.pk}.65"]
    engine = open_times_list(clinic=world.clinic, start=NOW, end=NOW + timedelta(days=14), now=NOW)
    # One Slot per time, with how many practitioners are free then, and a link that books the first of them.
    expected: dict[tuple[str, str], list[OpenTime]] = {}
    for time in engine:
        expected.setdefault((time.start.isoformat(), time.end.isoformat()), []).append(time)
    assert [(s["start"], s["end"]) for s in mine] == list(expected)
    for slot in mine:
        times = expected[(slot["start"], slot["end"])]
        links = {e["url"]: e for e in slot["extension"]}
        assert links[fhir.BOOKING_DEEP_LINK]["valueUrl"] == "https://painhero.test" + booking_url(times[0])
        assert links[fhir.BOOKING_PHONE]["valueString"] == world.clinic.phone
        capacity = links.get(fhir.SLOT_CAPACITY, {"valueInteger": 1})["valueInteger"]
        assert capacity == len(times)
    first = mine[0]
    assert first["start"] == "2026-12-07T10:00:00-05:00"  # two hours' notice from 08:00
    assert {"url": fhir.SLOT_CAPACITY, "valueInteger": 2} in first["extension"]
    tuesday = [s for s in mine if s["start"].startswith("2026-12-08T11")]
    assert tuesday and all(fhir.SLOT_CAPACITY not in {e["url"] for e in s["extension"]} for s in tuesday)
    deep = first["extension"][0]["valueUrl"]
    assert deep.startswith("https://painhero.test" + reverse("booking:start") + "?")
    assert parse_qs(urlsplit(deep).query)["start"] == ["2026-12-07T10:00:00-05:00"]


def test_the_files_are_streamed_with_cache_control_and_an_etag(world: World, client: Any) -> None:
    for path in ("/fhir/$bulk-publish", "/fhir/Location.ndjson", "/fhir/Schedule.ndjson", "/fhir/Slot-ON.ndjson"):
        response = client.get(path)
        assert isinstance(response, StreamingHttpResponse), path
        assert response["Cache-Control"] == "public, max-age=60"
        assert response["ETag"].startswith('"')
    assert client.get("/fhir/Slot-ON.ndjson")["Content-Type"] == "application/fhir+ndjson"


def test_a_client_with_the_current_version_gets_304_and_a_changed_feed_a_new_etag(
    world: World, client: Any, time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from scheduling.services import posted_opening_add

    etag = client.get("/fhir/Slot-ON.ndjson")["ETag"]
    again = client.get("/fhir/Slot-ON.ndjson", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    assert client.get("/fhir/Slot-ON.ndjson", HTTP_IF_NONE_MATCH='"other"').status_code == 200

    # A write a minute later (the clock moves, as in production) changes the open times, so the version.
    time_machine.move_to(NOW + timedelta(minutes=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        posted_opening_add(
            practitioner=world.chen, start=NOW + timedelta(hours=40), end=NOW + timedelta(hours=41), now=NOW
        )
    assert client.get("/fhir/Slot-ON.ndjson", HTTP_IF_NONE_MATCH=etag).status_code == 200

    # Time passing alone: the next window is a new version (notice and the 14 days move on).
    etag = client.get("/fhir/Slot-ON.ndjson")["ETag"]
    time_machine.move_to(NOW + timedelta(minutes=6), tick=False)
    assert client.get("/fhir/Slot-ON.ndjson", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_clinic_not_in_the_network_never_appears(world: World, client: Any) -> None:
    suspended = make_clinic(name="Charlie Suspended", network_status=NetworkStatus.SUSPENDED)
    person = make_practitioner(clinic=suspended)
    make_service(clinic=suspended, practitioners=[person])
    make_hours(person, blocks=(("09:00", "17:00"),))
    everything = b"".join(
        b"".join(client.get(path).streaming_content)
        for path in ("/fhir/$bulk-publish", "/fhir/Location.ndjson", "/fhir/Schedule.ndjson", "/fhir/Slot-ON.ndjson")
    )
    assert b"Charlie" not in everything
    assert f"Location/{suspended.pk}".encode() not in everything
    assert f'"id":"{suspended.pk}"'.encode() not in everything
    assert f"Schedule/{suspended.pk}.".encode() not in everything
    assert client.get(f"/fhir/Location/{suspended.pk}").status_code == 404


def test_an_unknown_province_file_is_a_404_operation_outcome(world: World, client: Any) -> None:
    response = client.get("/fhir/Slot-XX.ndjson")
    assert response.status_code == 404
    strict(orjson.loads(response.content))


def test_a_304_costs_one_query_from_storage_three_without_and_computes_no_open_times(
    world: World, client: Any, django_assert_max_num_queries: Any, settings: Any, tmp_path: Any
) -> None:
    etag = client.get("/fhir/Slot-ON.ndjson")["ETag"]
    with django_assert_max_num_queries(3):  # no stored file: the lookup, then the two aggregates
        assert client.get("/fhir/Slot-ON.ndjson", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    settings.MEDIA_ROOT = str(tmp_path)
    from interop.feed_store import feed_files_publish

    feed_files_publish(now=NOW)
    etag = client.get("/fhir/Slot-ON.ndjson")["ETag"]
    with django_assert_max_num_queries(1):  # the stored file's row
        assert client.get("/fhir/Slot-ON.ndjson", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304


def test_a_booked_time_is_a_busy_slot_without_a_deep_link_and_no_longer_free_with_that_practitioner(
    world: World, client: Any
) -> None:
    book(world, SLOT)  # chen, Tuesday 10:00-10:30
    book(world, SLOT, practitioner=world.lee)
    book(world, SLOT + timedelta(hours=2), status=AppointmentStatus.CANCELLED)
    slots = _all(client, "Slot")
    busy = [s for s in slots if s["status"] == "busy"]
    assert [(s["start"], s["end"]) for s in busy] == [("2026-12-08T10:00:00-05:00", "2026-12-08T10:30:00-05:00")]
    strict(busy[0])
    assert busy[0]["schedule"] == {"reference": f"Schedule/{world.clinic.pk}.65"}
    assert busy[0]["id"].endswith(".busy")
    urls = {e["url"] for e in busy[0]["extension"]}
    assert fhir.BOOKING_DEEP_LINK not in urls
    assert {"url": fhir.SLOT_CAPACITY, "valueInteger": 2} in busy[0]["extension"]
    mine = f"Schedule/{world.clinic.pk}.65"
    free_starts = {s["start"] for s in slots if s["status"] == "free" and s["schedule"]["reference"] == mine}
    assert "2026-12-08T10:00:00-05:00" not in free_starts
    assert "2026-12-08T12:00:00-05:00" in free_starts  # the cancelled one takes no time
    bundle = orjson.loads(
        client.get(
            "/fhir/Slot", {"schedule": f"Schedule/{world.clinic.pk}.65", "status": "busy", "start": "ge2026-12-08"}
        ).content
    )
    assert [e["resource"]["id"] for e in bundle["entry"]] == [busy[0]["id"]]


def test_the_slot_file_costs_a_fixed_number_of_queries_per_clinic(world: World, client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get("/fhir/Slot-ON.ndjson").streaming_content)
        return len(captured)

    two = queries()
    for n in range(3):
        clinic = make_clinic(name=f"More {n}")
        person = make_practitioner(clinic=clinic)
        make_service(clinic=clinic, practitioners=[person])
        make_hours(person, blocks=(("09:00", "17:00"),))
    five = queries()
    per_clinic = (five - two) / 3
    assert per_clinic == int(per_clinic) and per_clinic <= PER_CLINIC_QUERIES, (two, five)


# open_times_list's loading (clinic_inputs_load) and this app's service disciplines: the engine runs per clinic.
PER_CLINIC_QUERIES = 5
