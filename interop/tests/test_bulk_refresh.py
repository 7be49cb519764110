"""A feed import refreshes the next open times once, for every practitioner it touched, not once per opening."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from interop.ingest import feed_read
from interop.services import smart_import
from painhero.testing import NOW
from scheduling import cache
from scheduling.models import NextOpenTime

FEED = Path(__file__).parent / "feed"
MANIFEST = (FEED / "$bulk-publish").as_uri()


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each call of the refresh that runs after a commit, with its arguments (the refresh itself still runs)."""
    calls: list[dict[str, Any]] = []
    real = cache.next_open_times_refresh

    def counted(**kwargs: Any) -> int:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(cache, "next_open_times_refresh", counted)
    return calls


def test_one_import_refreshes_once_for_all_its_openings(
    feedside: dict[str, Any], refreshes: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    feed = feed_read(MANIFEST)
    # Twenty more free half hours for the physiotherapist: still one refresh.
    base = feed.slots[0]
    feed.slots += [
        base._replace(
            id=f"x{n}",
            start=base.start + timedelta(days=2, minutes=30 * n),
            end=base.end + timedelta(days=2, minutes=30 * n),
        )
        for n in range(20)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = smart_import(feed=feed, clinic=feedside["clinic"], now=NOW)
    assert report.loaded == 23
    assert len(refreshes) == 1
    assert refreshes[0]["practitioner_ids"] == sorted([feedside["physio"].pk, feedside["chiro"].pk])
    # The refresh ran: the imported times are the practitioners' next open times.
    assert NextOpenTime.objects.filter(practitioner=feedside["physio"]).exists()


def test_withdrawing_and_loading_in_one_import_is_one_refresh_too(
    feedside: dict[str, Any], refreshes: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    smart_import(feed=feed_read(MANIFEST), clinic=feedside["clinic"], now=NOW)
    feed = feed_read(MANIFEST)
    moved = [s._replace(start=s.start + timedelta(hours=1), end=s.end + timedelta(hours=1)) for s in feed.slots]
    feed.slots = moved
    with django_capture_on_commit_callbacks(execute=True):
        report = smart_import(feed=feed, clinic=feedside["clinic"], now=NOW)
    assert (report.loaded, report.withdrawn) == (3, 3)
    assert len(refreshes) == 1


def test_an_import_that_changes_nothing_refreshes_nothing(
    feedside: dict[str, Any], refreshes: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    smart_import(feed=feed_read(MANIFEST), clinic=feedside["clinic"], now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        smart_import(feed=feed_read(MANIFEST), clinic=feedside["clinic"], now=NOW)
    assert refreshes == []
