"""The feed's NDJSON files, written once per version to storage and served from there.

Making every Slot file of a 10,000-clinic network takes minutes of a core (``make bench``), far too long for a
request. ``manage.py smart_publish`` (a worker beside ``smart_poll``) writes each file when what it is made from
changed (``feed.data_version``: the in-network clinics and the precomputed next open times) or when the stored
one is older than ``REFRESH_AFTER`` (time passing: notice, the 14 days moving on); it streams the lines to a
temporary file (never the whole file in memory), saves it under a name of its own and records a ``FeedFile``
row. The GETs only read: the newest stored file not older than ``SERVE_FOR``, else the file made as before,
streamed as it is computed. Superseded files are deleted once no client can still be reading them.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from interop import feed
from interop.models import FeedFile

PREFIX = "fhir-feed"
REFRESH_AFTER = timedelta(minutes=10)
# A stored file is served this long after it was made; past it (the worker stopped) the GETs compute the file.
SERVE_FOR = timedelta(minutes=20)
# A superseded file is deleted this long after its successor was made (a client may still be downloading it).
GRACE = timedelta(minutes=10)
CHUNK_BYTES = 64 * 1024


def file_names() -> list[str]:
    return ["Location", "Schedule", *(f"Slot-{province}" for province in feed.feed_provinces())]


def _lines(name: str, *, now: datetime) -> Iterator[bytes]:
    if name == "Location":
        return feed.location_lines()
    if name == "Schedule":
        return feed.schedule_lines()
    return feed.slot_lines(now=now, province=name.removeprefix("Slot-"))


def _etag(name: str, version: str, now: datetime) -> str:
    return '"' + hashlib.sha256(f"{name}|{version}|{now.isoformat()}".encode()).hexdigest()[:32] + '"'


def feed_file_write(*, name: str, version: str, now: datetime) -> FeedFile | None:
    """Make the file ``name`` and store it as a new version; None when another worker stored it first."""
    etag = _etag(name, version, now)
    size = lines = 0
    with tempfile.TemporaryFile() as spool:
        for line in _lines(name, now=now):
            spool.write(line)
            size, lines = size + len(line), lines + 1
        spool.seek(0)
        path = default_storage.save(f"{PREFIX}/{name}-{etag.strip(chr(34))}.ndjson", File(spool))
    try:
        with transaction.atomic():
            return FeedFile.objects.create(
                name=name, version=version, etag=etag, path=path, size=size, lines=lines, made_at=now
            )
    except IntegrityError:
        default_storage.delete(path)
        return None


def feed_files_publish(*, now: datetime, names: list[str] | None = None) -> list[FeedFile]:
    """Write each file whose stored version is missing, of other data, or older than ``REFRESH_AFTER``; then
    delete the superseded ones. The files written."""
    version = feed.data_version()
    written = []
    for name in names if names is not None else file_names():
        newest = FeedFile.objects.filter(name=name).order_by("-made_at").first()
        if newest is not None and newest.version == version and newest.made_at > now - REFRESH_AFTER:
            continue
        row = feed_file_write(name=name, version=version, now=now)
        if row is not None:
            written.append(row)
    feed_files_clean(now=now, names=None if names is None else names)
    return written


def feed_files_clean(*, now: datetime, names: list[str] | None = None) -> int:
    """Delete the stored files no GET serves any more: those superseded more than ``GRACE`` ago, and those of a
    file the feed no longer has (a province left); how many."""
    current = set(file_names())
    rows = FeedFile.objects.order_by("name", "-made_at")
    if names is not None:
        rows = rows.filter(name__in=names)
    stale: list[FeedFile] = []
    successor: dict[str, datetime] = {}
    for row in rows:
        gone = row.name not in current and row.made_at < now - GRACE
        superseded = row.name in successor and successor[row.name] < now - GRACE
        if gone or superseded:
            stale.append(row)
        successor[row.name] = row.made_at
    if stale:
        with transaction.atomic():
            FeedFile.objects.filter(pk__in=[row.pk for row in stale]).delete()
            paths = [row.path for row in stale]

            def delete_files() -> None:
                for path in paths:
                    default_storage.delete(path)

            transaction.on_commit(delete_files)
    return len(stale)


def feed_file_current(name: str, *, now: datetime) -> FeedFile | None:
    """The stored file to serve for ``name`` (the newest, made less than ``SERVE_FOR`` ago), or None. One query."""
    return FeedFile.objects.filter(name=name, made_at__gt=now - SERVE_FOR).order_by("-made_at").first()


def feed_file_open(row: FeedFile) -> IO[Any] | None:
    """The stored file opened for reading, or None when it is gone (cleaned since the row was read)."""
    try:
        return default_storage.open(row.path, "rb")
    except FileNotFoundError:
        return None


def chunks(handle: IO[Any]) -> Callable[[], Iterator[bytes]]:
    def read() -> Iterator[bytes]:
        with handle:
            while block := handle.read(CHUNK_BYTES):
                yield block

    return read
