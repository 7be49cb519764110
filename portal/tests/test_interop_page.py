"""The portal's "Your software" page: the owner saves the feed address, fetches, maps a schedule, sees the line
errors and the booked times the feed dropped; makes and revokes API tokens. Owner only."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from clinics.models import Discipline
from clinics.testing import make_practitioner, make_service
from interop.models import ApiToken, FeedSubscription
from interop.tokens import token_hash
from painhero.testing import NOW, World, client_for
from scheduling.models import PostedOpening

FEED = Path(__file__).parents[2] / "interop" / "tests" / "feed"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[str]:
    """The test feed over http on a free local port (its manifest at ``<url>/$bulk-publish``)."""
    for item in FEED.iterdir():
        shutil.copy(item, tmp_path / item.name)
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_owner_sets_the_feed_fetches_maps_and_sees_line_errors(
    world: World, owner_client: Client, feed_server: str
) -> None:
    chiro = make_practitioner(
        clinic=world.clinic, first_name="Cy", last_name="Chiro", discipline=Discipline.CHIROPRACTIC
    )
    make_service(clinic=world.clinic, practitioners=[chiro], discipline=Discipline.CHIROPRACTIC, name="Adjustment")
    base = f"/portal/{world.clinic.pk}/software/"
    assert owner_client.get(base).status_code == 200
    response = owner_client.post(base + "feed/", {"manifest_url": f"{feed_server}/$bulk-publish"})
    assert response.status_code == 302
    owner_client.post(base + "feed/fetch/")
    subscription = FeedSubscription.objects.get(clinic=world.clinic)
    assert subscription.last_ok, subscription.last_message
    assert [s["id"] for s in subscription.last_schedules] == ["sch.chiro", "sch.physio"]  # sch.orphan is a bad line
    page = owner_client.get(base).content.decode()
    assert "slots.ndjson:4 [s4] start" in page  # file, line, id and what is wrong
    assert 'name="schedule-sch.physio"' in page

    response = owner_client.post(base + "feed/mapping/", {"schedule-sch.physio": str(world.lee.pk)})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.schedule_map == {"sch.physio": world.lee.pk}
    # Another clinic's practitioner is refused.
    bad = owner_client.post(base + "feed/mapping/", {"schedule-sch.physio": str(world.other_practitioner.pk)})
    assert bad.status_code == 400
    subscription.refresh_from_db()
    assert subscription.schedule_map == {"sch.physio": world.lee.pk}


def test_fetch_now_is_at_most_once_a_minute(world: World, owner_client: Client, feed_server: str) -> None:
    base = f"/portal/{world.clinic.pk}/software/"
    owner_client.post(base + "feed/", {"manifest_url": f"{feed_server}/$bulk-publish"})
    owner_client.post(base + "feed/fetch/")
    first = FeedSubscription.objects.get().last_polled_at
    response = owner_client.post(base + "feed/fetch/", follow=True)
    assert "less than a minute ago" in response.content.decode()
    assert FeedSubscription.objects.get().last_polled_at == first


def test_an_unreachable_feed_says_so_and_keeps_the_openings(world: World, owner_client: Client) -> None:
    base = f"/portal/{world.clinic.pk}/software/"
    owner_client.post(base + "feed/", {"manifest_url": "http://127.0.0.1:9/$bulk-publish"})
    owner_client.post(base + "feed/fetch/")
    page = owner_client.get(base).content.decode()
    assert "could not be read" in page and "as they were" in page
    assert not PostedOpening.objects.exists()


def test_a_token_is_shown_once_stored_hashed_and_revocable(world: World, owner_client: Client) -> None:
    base = f"/portal/{world.clinic.pk}/software/"
    response = owner_client.post(base + "tokens/", {"name": "Our PMS"})
    body = response.content.decode()
    token = ApiToken.objects.get()
    raw = body.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert token_hash(raw) == token.token_hash and token.clinic == world.clinic
    assert raw not in owner_client.get(base).content.decode()  # never again
    owner_client.post(base + f"tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("who", ["colleague", "practitioner", "outsider"])
def test_only_the_owner_reaches_the_page(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    base = f"/portal/{world.clinic.pk}/software/"
    assert client.get(base).status_code == 404
    assert client.post(base + "tokens/", {"name": "x"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_another_clinic_s_token_cannot_be_revoked(world: World, owner_client: Client, outsider_client: Any) -> None:
    outsider_client.post(f"/portal/{world.other_clinic.pk}/software/tokens/", {"name": "theirs"})
    theirs = ApiToken.objects.get()
    response = owner_client.post(f"/portal/{world.clinic.pk}/software/tokens/{theirs.pk}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_owner_chooses_the_feed_s_location_when_it_has_several(
    world: World, owner_client: Client, feed_server: str, tmp_path: Path
) -> None:
    with (tmp_path / "locations.ndjson").open("a") as locations:
        locations.write(
            '\n{"resourceType":"Location","id":"loc.2","name":"Feedside East","address":{"city":"Toronto"}}\n'
        )
    base = f"/portal/{world.clinic.pk}/software/"
    owner_client.post(base + "feed/", {"manifest_url": f"{feed_server}/$bulk-publish"})
    owner_client.post(base + "feed/fetch/")
    subscription = FeedSubscription.objects.get(clinic=world.clinic)
    assert not subscription.last_ok
    page = owner_client.get(base).content.decode()
    # The portal says what to do on the page, not which command-line flag to give.
    assert "--location" not in page and "Your clinic in the feed" in page
    assert '<option value="loc.2">Feedside East (loc.2)</option>' in page
    assert not PostedOpening.objects.exists()

    # Only a Location of the last fetch may be saved.
    for bad in ("loc.9", "nowhere"):
        response = owner_client.post(base + "feed/mapping/", {"location": bad})
        assert response.status_code == 400
        assert "Choose one of the Locations of the last fetch" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.location_id == ""

    response = owner_client.post(base + "feed/mapping/", {"location": "loc.1"})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.location_id == "loc.1"
    assert 'value="loc.1" selected' in owner_client.get(base).content.decode()
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        owner_client.post(base + "feed/fetch/")
    subscription.refresh_from_db()
    assert subscription.last_ok, subscription.last_message
    assert PostedOpening.objects.filter(practitioner__clinic=world.clinic).count() == 2  # s1 and s2 (physiotherapy)


def test_a_saved_location_the_feed_dropped_says_what_to_do_in_the_portal(
    world: World, owner_client: Client, feed_server: str
) -> None:
    base = f"/portal/{world.clinic.pk}/software/"
    owner_client.post(base + "feed/", {"manifest_url": f"{feed_server}/$bulk-publish"})
    FeedSubscription.objects.filter(clinic=world.clinic).update(location_id="loc.gone")
    owner_client.post(base + "feed/fetch/")
    message = FeedSubscription.objects.get(clinic=world.clinic).last_message
    assert "loc.gone" in message and "Your clinic in the feed" in message and "--location" not in message
