"""smart_poll: each saved feed at most once a minute (longer when its Cache-Control says), with its saved mapping."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from clinics.testing import make_clinic, make_practitioner, make_service
from interop.fetching import FeedUnavailable, fetch, max_age
from interop.models import FeedSubscription
from interop.polling import feed_poll, feeds_poll_due
from painhero.testing import NOW, World
from scheduling.models import PostedOpening

FEED = Path(__file__).parent / "feed"
MANIFEST = (FEED / "$bulk-publish").as_uri()


def _subscription(world: World, **fields: Any) -> FeedSubscription:
    clinic = make_clinic(name="Polled", slug="polled")
    person = make_practitioner(clinic=clinic)
    make_service(clinic=clinic, practitioners=[person])
    return FeedSubscription.objects.create(clinic=clinic, manifest_url=MANIFEST, **fields)


def test_a_due_feed_is_imported_and_its_outcome_saved(world: World) -> None:
    subscription = _subscription(world)
    assert feeds_poll_due(now=NOW) == 1
    subscription.refresh_from_db()
    assert subscription.last_ok and subscription.last_polled_at == NOW
    assert subscription.last_message.startswith("Loaded 2, unchanged 0, withdrawn 0")
    assert any("slots.ndjson:4 [s4]" in line for line in subscription.last_skipped)
    assert PostedOpening.objects.filter(practitioner__clinic=subscription.clinic).count() == 2
    assert subscription.next_poll_at == NOW + timedelta(seconds=60)  # file:// has no Cache-Control


def test_not_more_than_once_a_minute_and_as_long_as_the_feed_s_max_age(world: World) -> None:
    subscription = _subscription(world)

    def with_age(age: int | None) -> Any:
        return lambda url: (fetch(url), age)

    assert feed_poll(subscription, now=NOW, reader=with_age(5))
    assert not feed_poll(subscription, now=NOW + timedelta(seconds=59), reader=with_age(5))
    assert feed_poll(subscription, now=NOW + timedelta(seconds=60), reader=with_age(300))
    subscription.refresh_from_db()
    assert subscription.next_poll_at == NOW + timedelta(seconds=360)
    assert not feeds_poll_due(now=NOW + timedelta(seconds=359))


def test_an_unreachable_feed_leaves_the_openings_and_says_so(world: World) -> None:
    subscription = _subscription(world)
    feeds_poll_due(now=NOW)

    def down(url: str) -> tuple[bytes, int | None]:
        raise FeedUnavailable(f"{url} could not be read (timed out).")

    assert feed_poll(subscription, now=NOW + timedelta(minutes=2), reader=down)
    subscription.refresh_from_db()
    assert not subscription.last_ok
    assert subscription.last_message.endswith("could not be read (timed out). The clinic's openings are as they were.")
    assert PostedOpening.objects.filter(practitioner__clinic=subscription.clinic).count() == 2


def test_the_saved_mapping_is_used_by_the_poller_and_the_command(world: World) -> None:
    subscription = _subscription(world, schedule_map={"sch.physio": world.chen.pk})
    feeds_poll_due(now=NOW)
    subscription.refresh_from_db()
    assert not subscription.last_ok and "not an active practitioner of polled" in subscription.last_message
    out = StringIO()
    other = make_practitioner(clinic=subscription.clinic, first_name="Ann", last_name="Saved")
    subscription.schedule_map = {"sch.physio": other.pk}
    subscription.save()
    call_command("smart_import", MANIFEST, "--clinic", "polled", "--dry-run", stdout=out, stderr=StringIO())
    assert f"Schedule sch.physio -> practitioner {other.pk} (Ann Saved)" in out.getvalue()


def test_the_command_polls_once(world: World) -> None:
    _subscription(world)
    out = StringIO()
    call_command("smart_poll", stdout=out)
    assert out.getvalue().strip() == "feeds: polled 1"


def test_max_age_is_read_strictly() -> None:
    assert max_age("public, max-age=120") == 120
    assert max_age("no-cache") is None
    assert max_age("max-age=abc") is None
