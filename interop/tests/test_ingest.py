"""Reading a SMART feed: every bad line is skipped with its file, line, id and what is wrong; the rest loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from interop.fetching import FeedUnavailable, fetch
from interop.ingest import Feed, feed_read, lines_load, manifest_parse

FEED = Path(__file__).parent / "feed"
MANIFEST = (FEED / "$bulk-publish").as_uri()


def test_the_fixture_feed_loads_its_good_lines_and_names_each_bad_one() -> None:
    feed = feed_read(MANIFEST)
    assert list(feed.locations) == ["loc.1"]
    assert sorted(feed.schedules) == ["sch.chiro", "sch.physio"]
    # s9 is the last line, with no newline after it (as in the spec's own examples).
    assert [slot.id for slot in feed.slots] == ["s1", "s2", "s3", "s9"]
    found = {(Path(e.file).name, e.line, e.resource_id): e.message for e in feed.errors}
    assert set(found) == {
        ("schedules.ndjson", 3, "sch.orphan"),
        ("slots.ndjson", 4, "s4"),
        ("slots.ndjson", 5, "s5"),
        ("slots.ndjson", 6, "s6"),
        ("slots.ndjson", 7, "s7"),
        ("slots.ndjson", 8, ""),
    }
    assert "unknown reference Location/nowhere" in found[("schedules.ndjson", 3, "sch.orphan")]
    assert "not a FHIR instant" in found[("slots.ndjson", 4, "s4")]
    assert '"2026-12-08T11:00:00-05"' in found[("slots.ndjson", 4, "s4")]
    assert "unknown reference Schedule/sch.gone" in found[("slots.ndjson", 5, "s5")]
    assert "is not after the start" in found[("slots.ndjson", 6, "s6")]
    assert 'status "open" is not one of' in found[("slots.ndjson", 7, "s7")]
    assert "invalid JSON" in found[("slots.ndjson", 8, "")]
    assert str(feed.errors[0]).endswith(
        "[sch.orphan] unknown reference Location/nowhere (no such Location in the feed)"
    )


def test_only_location_schedule_and_slot_files_are_read_and_in_that_order() -> None:
    files = manifest_parse((FEED / "$bulk-publish").read_bytes(), url=MANIFEST)
    assert [kind for kind, _url in files] == ["Location", "Schedule", "Slot"]
    assert files[0][1] == (FEED / "locations.ndjson").as_uri()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'["a list"]', "one JSON object"),
        (b'{"resourceType":"Schedule","id":"x"}', "resourceType"),
        (b'{"resourceType":"Slot","id":"has space","status":"free"}', "FHIR id"),
        (
            b'{"resourceType":"Slot","id":"z","schedule":{"reference":"Schedule/a"},"status":"free",'
            b'"start":"2026-12-08T09:00","end":"2026-12-08T09:30:00Z"}',
            "start",
        ),
        (b'{"resourceType":"Slot","id":"z","schedule":"Schedule/a","status":"free"}', "references a Schedule"),
    ],
)
def test_each_kind_of_bad_slot_line(line: bytes, message: str) -> None:
    feed = Feed(manifest_url="file:///m", schedules={"a": {}})
    lines_load(
        b'{"resourceType":"Slot","id":"ok","schedule":{"reference":"Schedule/a"},"status":"free",'
        b'"start":"2026-12-08T09:00:00Z","end":"2026-12-08T09:30:00Z"}\n' + line,
        file="f",
        kind="Slot",
        feed=feed,
    )
    assert [s.id for s in feed.slots] == ["ok"]
    assert len(feed.errors) == 1 and feed.errors[0].line == 2 and message in feed.errors[0].message


@pytest.mark.parametrize("body", [b"not json", b'{"output": []}', b'{"transactionTime": "x", "output": {}}'])
def test_what_is_not_a_manifest_is_unavailable(body: bytes) -> None:
    with pytest.raises(FeedUnavailable, match="manifest"):
        manifest_parse(body, url="https://x.example/$bulk-publish")


def test_unreachable_and_unsupported_addresses_are_unavailable(tmp_path: Path) -> None:
    with pytest.raises(FeedUnavailable, match="could not be read"):
        fetch((tmp_path / "missing").as_uri())
    with pytest.raises(FeedUnavailable, match="only file://"):
        fetch("ftp://x.example/feed")
    with pytest.raises(FeedUnavailable, match="could not be read"):
        fetch("http://127.0.0.1:9/$bulk-publish", timeout=2)
