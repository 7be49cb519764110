"""smart_import: free Slots become posted openings, idempotently; vanished ones are withdrawn, booked ones kept."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
from django.core.management import CommandError, call_command

from booking.models import Appointment, AppointmentSource
from clinics.models import Clinic, NetworkStatus, Practitioner
from clinics.testing import make_clinic, make_practitioner, make_service
from interop.ingest import feed_read
from interop.models import ImportedOpening
from interop.services import MappingError, smart_import
from painhero.testing import NOW, World, toronto
from scheduling.models import PostedOpening
from scheduling.selectors import open_times_list

FEED = Path(__file__).parent / "feed"
MANIFEST = (FEED / "$bulk-publish").as_uri()


def _opening_times(clinic: Clinic) -> list[tuple[str, str, int]]:
    rows = PostedOpening.objects.filter(practitioner__clinic=clinic).order_by("start")
    return [(o.start.isoformat(), o.end.isoformat(), o.practitioner_id) for o in rows]


def test_free_slots_of_mapped_schedules_become_openings_and_a_second_run_changes_nothing(
    feedside: dict[str, Any],
) -> None:
    clinic = feedside["clinic"]
    report = smart_import(feed=feed_read(MANIFEST), clinic=clinic, now=NOW)
    assert report.location_id == "loc.1"
    assert report.mapped == {"sch.chiro": feedside["chiro"], "sch.physio": feedside["physio"]}
    assert (report.loaded, report.unchanged, report.withdrawn, report.busy_ignored) == (3, 0, 0, 1)
    assert len(report.skipped) == 6
    physio, chiro = feedside["physio"].pk, feedside["chiro"].pk
    first = _opening_times(clinic)
    assert first == [
        ("2026-12-08T14:00:00+00:00", "2026-12-08T14:30:00+00:00", physio),
        ("2026-12-08T14:30:00+00:00", "2026-12-08T15:00:00+00:00", physio),
        ("2026-12-09T19:00:00+00:00", "2026-12-09T19:30:00+00:00", chiro),
    ]
    ids = sorted(PostedOpening.objects.values_list("pk", flat=True))

    again = smart_import(feed=feed_read(MANIFEST), clinic=clinic, now=NOW)
    assert (again.loaded, again.unchanged, again.withdrawn) == (0, 3, 0)
    assert sorted(PostedOpening.objects.values_list("pk", flat=True)) == ids

    # The openings are bookable open times, as the engine computes them.
    times = open_times_list(clinic=clinic, start=NOW, end=NOW + timedelta(days=3), now=NOW)
    assert [(t.start.isoformat(), t.practitioner_id) for t in times] == [
        ("2026-12-08T09:00:00-05:00", physio),
        ("2026-12-08T09:30:00-05:00", physio),
        ("2026-12-09T14:00:00-05:00", chiro),
    ]


def test_slots_that_leave_the_feed_are_withdrawn_but_a_booked_time_stays(
    feedside: dict[str, Any], tmp_path: Path
) -> None:
    clinic = feedside["clinic"]
    smart_import(feed=feed_read(MANIFEST), clinic=clinic, now=NOW)
    # Someone books 09:00 Tuesday; then the feed drops every Tuesday slot.
    Appointment.objects.create(
        clinic=clinic,
        practitioner=feedside["physio"],
        service=feedside["service"],
        start=toronto(2026, 12, 8, 9),
        end=toronto(2026, 12, 8, 9, 30),
        source=AppointmentSource.WEB,
    )
    for name in ("$bulk-publish", "locations.ndjson", "schedules.ndjson"):
        (tmp_path / name).write_bytes((FEED / name).read_bytes())
    slots = (FEED / "slots.ndjson").read_bytes().split(b"\n")
    (tmp_path / "slots.ndjson").write_bytes(b"\n".join(line for line in slots if b"2026-12-08" not in line))
    manifest = (tmp_path / "$bulk-publish").as_uri()
    # The same source (the imported openings are the manifest's): rename the feed to the first one's address.
    feed = feed_read(manifest)
    feed.manifest_url = MANIFEST

    report = smart_import(feed=feed, clinic=clinic, now=NOW)
    assert (report.loaded, report.unchanged, report.withdrawn) == (0, 1, 1)
    assert [(row.slot_id, row.start.isoformat()) for row in report.kept_booked] == [("s1", "2026-12-08T14:00:00+00:00")]
    assert [t[0] for t in _opening_times(clinic)] == ["2026-12-08T14:00:00+00:00", "2026-12-09T19:00:00+00:00"]


def test_a_dry_run_reports_and_writes_nothing(feedside: dict[str, Any]) -> None:
    report = smart_import(feed=feed_read(MANIFEST), clinic=feedside["clinic"], now=NOW, dry_run=True)
    assert report.loaded == 3
    assert not PostedOpening.objects.exists() and not ImportedOpening.objects.exists()


def test_overrides_map_a_schedule_to_a_named_practitioner(feedside: dict[str, Any]) -> None:
    report = smart_import(
        feed=feed_read(MANIFEST),
        clinic=feedside["clinic"],
        now=NOW,
        overrides={"sch.physio": feedside["busy_physio"].pk},
        dry_run=True,
    )
    assert report.mapped["sch.physio"] == feedside["busy_physio"]
    with pytest.raises(MappingError, match="not an active practitioner"):
        smart_import(feed=feed_read(MANIFEST), clinic=feedside["clinic"], now=NOW, overrides={"sch.physio": 999999})
    with pytest.raises(MappingError, match="no Schedule nope"):
        smart_import(feed=feed_read(MANIFEST), clinic=feedside["clinic"], now=NOW, overrides={"nope": 1})


def test_the_command_prints_the_mapping_and_a_summary(feedside: dict[str, Any]) -> None:
    out = StringIO()
    call_command("smart_import", MANIFEST, "--clinic", "feedside", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "Location loc.1 -> feedside" in text
    assert f"Schedule sch.physio -> practitioner {feedside['physio'].pk} (Pat Physio)" in text
    assert "loaded 3, unchanged 0, withdrawn 0, kept because booked 0, skipped 6" in text
    assert "slots.ndjson:4 [s4] start" in text
    out = StringIO()
    call_command("smart_import", MANIFEST, "--clinic", "feedside", stdout=out, stderr=StringIO())
    assert "loaded 0, unchanged 3, withdrawn 0" in out.getvalue()


def test_the_command_says_what_to_fix(feedside: dict[str, Any], tmp_path: Path) -> None:
    before = _opening_times(feedside["clinic"])
    with pytest.raises(CommandError, match=r"could not be read.*as they were"):
        call_command("smart_import", (tmp_path / "$bulk-publish").as_uri(), "--clinic", "feedside")
    with pytest.raises(CommandError, match="No clinic has the slug"):
        call_command("smart_import", MANIFEST, "--clinic", "nope")
    with pytest.raises(CommandError, match="SCHEDULE_ID=PRACTITIONER_ID"):
        call_command("smart_import", MANIFEST, "--clinic", "feedside", "--schedule", "sch.physio")
    assert _opening_times(feedside["clinic"]) == before


def _publish(client: Any, folder: Path) -> str:
    """PainHero's own feed, saved as files (each URL in the manifest made the saved file's name)."""
    response = client.get("/fhir/$bulk-publish")
    manifest = orjson.loads(b"".join(response.streaming_content))
    for entry in manifest["output"]:
        name = urlsplit(entry["url"]).path.rsplit("/", 1)[1]
        (folder / name).write_bytes(b"".join(client.get(urlsplit(entry["url"]).path).streaming_content))
        entry["url"] = name
    (folder / "$bulk-publish").write_text(json.dumps(manifest))
    return (folder / "$bulk-publish").as_uri()


@pytest.mark.usefixtures("fhir_settings")
def test_round_trip_our_own_feed_into_another_clinic_gives_the_same_open_times(
    world: World, client: Any, tmp_path: Path
) -> None:
    mirror = make_clinic(name="Mirror", slug="mirror", network_status=NetworkStatus.APPLICANT)  # not in the feed
    person = make_practitioner(clinic=mirror, first_name="Mo", last_name="Mirror")
    make_service(clinic=mirror, practitioners=[person])  # 30 minutes, as Alpha's; no weekly hours
    manifest = _publish(client, tmp_path)

    with pytest.raises(MappingError, match="The feed has 2 Locations: say which one is mirror with --location"):
        smart_import(feed=feed_read(manifest), clinic=mirror, now=NOW)
    report = smart_import(feed=feed_read(manifest), clinic=mirror, now=NOW, location_id=str(world.clinic.pk))
    assert report.skipped == [] and report.mapped == {f"{world.clinic.pk}.65": person}
    assert report.loaded > 100

    end = NOW + timedelta(days=14)
    source = {(t.start, t.end) for t in open_times_list(clinic=world.clinic, start=NOW, end=end, now=NOW)}
    copied = [(t.start, t.end) for t in open_times_list(clinic=mirror, start=NOW, end=end, now=NOW)]
    assert copied == sorted(source)
    assert Practitioner.objects.get(pk=person.pk).openings.count() == len(source)


def test_a_practitioner_of_another_clinic_cannot_be_mapped(feedside: dict[str, Any], world: World) -> None:
    with pytest.raises(MappingError, match="not an active practitioner of feedside"):
        smart_import(
            feed=feed_read(MANIFEST), clinic=feedside["clinic"], now=NOW, overrides={"sch.physio": world.chen.pk}
        )
    assert not PostedOpening.objects.filter(practitioner=world.chen).exists()


def test_a_feed_with_a_file_missing_changes_nothing(feedside: dict[str, Any], tmp_path: Path) -> None:
    call_command("smart_import", MANIFEST, "--clinic", "feedside", stdout=StringIO(), stderr=StringIO())
    before = _opening_times(feedside["clinic"])
    for name in ("$bulk-publish", "locations.ndjson", "schedules.ndjson"):  # no slots.ndjson
        (tmp_path / name).write_bytes((FEED / name).read_bytes())
    with pytest.raises(CommandError, match=r"slots\.ndjson could not be read.*as they were"):
        call_command("smart_import", (tmp_path / "$bulk-publish").as_uri(), "--clinic", "feedside")
    assert _opening_times(feedside["clinic"]) == before


def test_a_slot_past_any_booking_horizon_is_skipped_and_a_too_long_address_refused(feedside: dict[str, Any]) -> None:
    feed = feed_read(MANIFEST)
    far = feed.slots[0]._replace(id="far", start=NOW + timedelta(days=400), end=NOW + timedelta(days=400, minutes=30))
    feed.slots.append(far)
    report = smart_import(feed=feed, clinic=feedside["clinic"], now=NOW)
    assert report.loaded == 3
    assert [e.message for e in report.skipped if e.resource_id == "far"] == [
        "it ends more than 365 days ahead, past any booking horizon"
    ]
    feed.manifest_url = "https://x.example/" + "a" * 500
    with pytest.raises(MappingError, match="longer than 500"):
        smart_import(feed=feed, clinic=feedside["clinic"], now=NOW)
