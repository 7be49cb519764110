"""The feed's files, written once per version by the worker and served from storage by GETs that write nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interop import feed, feed_store
from interop.models import FeedFile
from painhero.testing import NOW, World

pytestmark = pytest.mark.usefixtures("fhir_settings")


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_stored_file_is_served_as_made_with_its_etag_and_no_computation(
    world: World, client: Any, monkeypatch: Any
) -> None:
    made = _body(client.get("/fhir/Slot-ON.ndjson"))
    written = feed_store.feed_files_publish(now=NOW)
    assert sorted(row.name for row in written) == ["Location", "Schedule", "Slot-ON"]
    stored = FeedFile.objects.get(name="Slot-ON")
    assert stored.size == len(made) and made.count(b"\n") == stored.lines > 0

    def no_computing(**kwargs: Any) -> Any:
        raise AssertionError("a stored file is not computed again")

    monkeypatch.setattr(feed, "slot_lines", no_computing)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fhir/Slot-ON.ndjson")
        assert _body(response) == made
        again = client.get("/fhir/Slot-ON.ndjson", HTTP_IF_NONE_MATCH=stored.etag)
    assert response["ETag"] == again["ETag"] == stored.etag and response["Content-Length"] == str(len(made))
    assert response["Cache-Control"] == again["Cache-Control"] == "public, max-age=60"
    assert again.status_code == 304 and not again.content
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)


def test_a_new_version_when_open_times_change_and_none_when_nothing_did(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from scheduling.services import posted_opening_add

    feed_store.feed_files_publish(now=NOW)
    assert feed_store.feed_files_publish(now=NOW + timedelta(minutes=1)) == []  # written once per version
    before = client.get("/fhir/Slot-ON.ndjson")
    old, old_body = before["ETag"], _body(before)
    later = NOW + timedelta(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        posted_opening_add(
            practitioner=world.chen, start=NOW + timedelta(hours=40), end=NOW + timedelta(hours=41), now=later
        )
    written = feed_store.feed_files_publish(now=later)
    assert {row.name for row in written} == {"Location", "Schedule", "Slot-ON"}
    response = client.get("/fhir/Slot-ON.ndjson", HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200 and response["ETag"] != old
    new = b'"start":"2026-12-09T00:00:00-05:00"'  # the new opening: 40 hours after Monday 08:00
    assert new in _body(response) and new not in old_body
    # Time passing alone makes a new version after REFRESH_AFTER.
    assert [r.name for r in feed_store.feed_files_publish(now=later + feed_store.REFRESH_AFTER)] != []


def test_superseded_files_are_deleted_after_the_grace(world: World, django_capture_on_commit_callbacks: Any) -> None:
    feed_store.feed_files_publish(now=NOW)
    first = FeedFile.objects.get(name="Slot-ON")
    later = NOW + feed_store.REFRESH_AFTER
    feed_store.feed_files_publish(now=later)
    assert FeedFile.objects.filter(name="Slot-ON").count() == 2  # the old one may still be downloading
    with django_capture_on_commit_callbacks(execute=True):
        assert feed_store.feed_files_clean(now=later + feed_store.GRACE + timedelta(seconds=1)) == 3
    assert not FeedFile.objects.filter(pk=first.pk).exists()
    assert not default_storage.exists(first.path)
    assert default_storage.exists(FeedFile.objects.get(name="Slot-ON").path)


def test_without_a_stored_file_the_file_is_made_as_before(world: World, client: Any) -> None:
    response = client.get("/fhir/Slot-ON.ndjson")
    assert response.status_code == 200 and _body(response).count(b"\n") > 0
    assert not FeedFile.objects.exists()  # a GET stores nothing
