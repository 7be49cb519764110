"""Reading a SMART Scheduling Links feed: its manifest and NDJSON files, every line checked.

A bad line is skipped with a ``FeedError`` naming the file, the line number, the resource id (when it has one)
and what is wrong; the other lines still load. A manifest that cannot be read or is not a manifest is a
``FeedUnavailable``: then nothing is loaded at all. Pure functions of the bytes, apart from ``feed_read``, which
fetches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import urljoin

import orjson
from django.utils.translation import gettext as _

from interop import fhir
from interop.fetching import FeedUnavailable, fetch

KINDS = ("Location", "Schedule", "Slot")


@dataclass(frozen=True)
class FeedError:
    file: str
    line: int
    resource_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} [{self.resource_id or '-'}] {self.message}"


class FeedSlot(NamedTuple):
    id: str
    schedule_id: str
    status: str
    start: datetime
    end: datetime


@dataclass
class Feed:
    manifest_url: str
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    slots: list[FeedSlot] = field(default_factory=list)
    errors: list[FeedError] = field(default_factory=list)


def manifest_parse(body: bytes, *, url: str) -> list[tuple[str, str]]:
    """(type, absolute URL) of the manifest's Location, Schedule and Slot files, in that order of types."""
    try:
        manifest = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise FeedUnavailable(_("%(url)s is not JSON, so not a $bulk-publish manifest.") % {"url": url}) from None
    outputs = manifest.get("output") if isinstance(manifest, dict) else None
    if not isinstance(outputs, list) or not isinstance(manifest.get("transactionTime"), str):
        raise FeedUnavailable(
            _("%(url)s is not a $bulk-publish manifest (it needs transactionTime and an output list).") % {"url": url}
        )
    files = []
    for entry in outputs:
        if isinstance(entry, dict) and entry.get("type") in KINDS and isinstance(entry.get("url"), str):
            files.append((entry["type"], urljoin(url, entry["url"])))
    return sorted(files, key=lambda item: KINDS.index(item[0]))


def _reference(value: Any, kind: str) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("reference"), str):
        ref = value["reference"]
        if ref.startswith(f"{kind}/"):
            return ref[len(kind) + 1 :]
    return None


def _id_check(resource: dict[str, Any]) -> str | None:
    value = resource.get("id")
    if not isinstance(value, str) or not fhir.FHIR_ID.fullmatch(value):
        return _("the id is missing or not a FHIR id (letters, digits, '-' and '.', at most 64)")
    return None


def _location_check(resource: dict[str, Any], feed: Feed) -> str | None:
    if not isinstance(resource.get("name"), str) or not resource["name"].strip():
        return _("a Location needs a name")
    return None


def _schedule_check(resource: dict[str, Any], feed: Feed) -> str | None:
    actors = resource.get("actor")
    refs = [_reference(actor, "Location") for actor in actors] if isinstance(actors, list) else []
    if not refs or None in refs:
        return _("a Schedule needs an actor that references a Location (Location/<id>)")
    unknown = [ref for ref in refs if ref not in feed.locations]
    if unknown:
        return _("unknown reference Location/%(id)s (no such Location in the feed)") % {"id": unknown[0]}
    return None


def _instant(value: Any, name: str) -> datetime | str:
    if not isinstance(value, str) or not fhir.INSTANT.fullmatch(value):
        return _("%(name)s %(value)s is not a FHIR instant (a date, a time and an offset such as -05:00)") % {
            "name": name,
            "value": orjson.dumps(value).decode(),
        }
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _slot_check(resource: dict[str, Any], feed: Feed) -> str | FeedSlot:
    schedule = _reference(resource.get("schedule"), "Schedule")
    if schedule is None:
        return _("a Slot needs a schedule that references a Schedule (Schedule/<id>)")
    if schedule not in feed.schedules:
        return _("unknown reference Schedule/%(id)s (no such Schedule in the feed)") % {"id": schedule}
    status = resource.get("status")
    if status not in fhir.SLOT_STATUSES:
        return _("status %(value)s is not one of %(values)s") % {
            "value": orjson.dumps(status).decode(),
            "values": ", ".join(sorted(fhir.SLOT_STATUSES)),
        }
    start, end = _instant(resource.get("start"), "start"), _instant(resource.get("end"), "end")
    if isinstance(start, str):
        return start
    if isinstance(end, str):
        return end
    if end <= start:
        return _("the end %(end)s is not after the start %(start)s") % {
            "end": resource["end"],
            "start": resource["start"],
        }
    return FeedSlot(id=resource["id"], schedule_id=schedule, status=str(status), start=start, end=end)


def lines_load(body: bytes, *, file: str, kind: str, feed: Feed) -> None:
    """Add the file's good lines to ``feed`` and an error for each bad one (a missing last newline is fine)."""
    for number, raw in enumerate(body.split(b"\n"), start=1):
        if not raw.strip():
            continue
        resource_id, problem = _line_load(raw, kind=kind, feed=feed)
        if problem is not None:
            feed.errors.append(FeedError(file=file, line=number, resource_id=resource_id, message=problem))


def _line_load(raw: bytes, *, kind: str, feed: Feed) -> tuple[str, str | None]:
    """(the line's resource id or "", what is wrong or None); a good line is added to ``feed``."""
    try:
        resource = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return "", _("invalid JSON (%(detail)s)") % {"detail": str(exc).split(":")[0]}
    if not isinstance(resource, dict):
        return "", _("a line must be one JSON object")
    resource_id = resource["id"][:64] if isinstance(resource.get("id"), str) else ""
    if resource.get("resourceType") != kind:
        found = orjson.dumps(resource.get("resourceType")).decode()
        return resource_id, _("resourceType %(found)s in a %(kind)s file") % {"found": found, "kind": kind}
    problem = _id_check(resource)
    if problem is not None:
        return resource_id, problem
    if kind == "Location":
        problem = _location_check(resource, feed)
        if problem is None:
            feed.locations[resource["id"]] = resource
    elif kind == "Schedule":
        problem = _schedule_check(resource, feed)
        if problem is None:
            feed.schedules[resource["id"]] = resource
    else:
        checked = _slot_check(resource, feed)
        if isinstance(checked, str):
            return resource_id, checked
        feed.slots.append(checked)
    return resource_id, problem


def feed_read(manifest_url: str, *, reader: Callable[[str], bytes] = fetch) -> Feed:
    """The whole feed: the manifest, then every Location, Schedule and Slot file it lists (in that order, so each
    reference can be checked against what was read before it). Any file that cannot be read stops it."""
    return feed_from_manifest(reader(manifest_url), manifest_url=manifest_url, reader=reader)


def feed_from_manifest(body: bytes, *, manifest_url: str, reader: Callable[[str], bytes] = fetch) -> Feed:
    """``feed_read`` for a manifest already fetched (the poller reads its Cache-Control first)."""
    files = manifest_parse(body, url=manifest_url)
    feed = Feed(manifest_url=manifest_url)
    for kind, url in files:
        lines_load(reader(url), file=url, kind=kind, feed=feed)
    return feed


def schedule_discipline(schedule: dict[str, Any]) -> str | None:
    """The PainHero discipline a Schedule's serviceType names with an HL7 service-type code, or None."""
    for concept in schedule.get("serviceType") or ():
        for coding in (concept.get("coding") or ()) if isinstance(concept, dict) else ():
            if isinstance(coding, dict) and coding.get("system") == fhir.SERVICE_TYPE_SYSTEM:
                found = fhir.DISCIPLINE_OF_CODE.get(str(coding.get("code")))
                if found is not None:
                    return found
    return None


def location_of(schedule: dict[str, Any]) -> str | None:
    actors = schedule.get("actor") or []
    return _reference(actors[0], "Location") if actors else None
