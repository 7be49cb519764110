"""Reads that build the SMART Scheduling Links feed: Locations, Schedules and Slots, one NDJSON line each.

Everything is a generator: clinics are read in chunks (``iterator``), each chunk's lines are yielded as they
are made, and nothing holds the whole network in memory. The Slots are the open-times engine's own
(``scheduling.selectors.open_times_list``), so a published time is exactly a bookable one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import quote_plus, urlencode
from zoneinfo import ZoneInfo

import orjson
from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import translation

from booking.models import Appointment
from clinics.models import Clinic, Service
from interop import fhir
from painhero.urls_abs import absolute_url
from scheduling.models import NextOpenTime
from scheduling.selectors import OpenTime, open_times_list

# How far ahead the feed publishes, and how long one published version stands (its transactionTime is the start
# of the window: every request in one window sees the same files, byte for byte).
FEED_DAYS = 14
WINDOW_SECONDS = 300
CHUNK = 200


@dataclass(frozen=True)
class FeedMoment:
    """The instant a version of the feed is computed at, and that version's ETag."""

    at: datetime
    etag: str


def feed_clinics() -> Any:
    return Clinic.objects.in_network().select_related("city").order_by("pk")


def feed_moment(*, now: datetime) -> FeedMoment:
    """The feed's version at ``now``: its window start and a strong ETag.

    The files are a function of the database and the window start, so the ETag hashes the window start and what
    changes when the data does: the in-network clinics (count, sum of ids: one entering as another leaves still
    changes it; their latest ``updated_at``) and the precomputed next open times (count, latest ``computed_at``).
    Every write that changes open times (hours, time off, openings, closures, rules, bookings, the catalogue)
    rewrites its practitioners' next-open-time rows after it commits, with the write's time as ``computed_at``;
    time passing (notice, lapsed holds, the 14 days moving on) is the window. Two aggregate queries.
    """
    seconds = int(now.timestamp()) // WINDOW_SECONDS * WINDOW_SECONDS
    at = datetime.fromtimestamp(seconds, UTC)
    key = f"{seconds}|{data_version()}"
    return FeedMoment(at=at, etag='"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"')


def data_version() -> str:
    """What the files are made from, without the clock: it changes when the data behind open times changes."""
    clinics = feed_clinics().order_by().aggregate(n=Count("pk"), ids=Sum("pk"), changed=Max("updated_at"))
    times = NextOpenTime.objects.order_by().aggregate(n=Count("pk"), computed=Max("computed_at"))
    key = f"{clinics['n']}|{clinics['ids']}|{clinics['changed']}|{times['n']}|{times['computed']}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def feed_provinces() -> list[str]:
    """The provinces with in-network clinics: one Slot file each."""
    return sorted(set(feed_clinics().order_by().values_list("province", flat=True).distinct()))


def _line(resource: dict[str, Any]) -> bytes:
    return orjson.dumps(resource) + b"\n"


def _chunks(clinics: Any) -> Iterator[list[Clinic]]:
    chunk: list[Clinic] = []
    for clinic in clinics.iterator(chunk_size=CHUNK):
        chunk.append(clinic)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def clinic_page_url(clinic: Clinic) -> str:
    with translation.override("en"):
        path = reverse("directory:detail", kwargs={"city_slug": clinic.city.slug, "clinic_slug": clinic.slug})
    return absolute_url(path)


def identifier_system() -> str:
    return absolute_url("/fhir/NamingSystem/clinic-slug")


def location_lines(clinics: Any = None) -> Iterator[bytes]:
    system = identifier_system()
    for chunk in _chunks(feed_clinics() if clinics is None else clinics):
        for clinic in chunk:
            yield _line(fhir.location_resource(clinic, identifier_system=system, page_url=clinic_page_url(clinic)))


def disciplines_by_clinic(clinic_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each clinic's kinds of care: the disciplines of its active services, in a fixed order."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = Service.objects.filter(clinic_id__in=list(clinic_ids), is_active=True).order_by()
    for clinic_id, discipline in rows.values_list("clinic_id", "discipline").distinct():
        if discipline in fhir.SERVICE_TYPES:
            found[clinic_id].add(discipline)
    order = list(fhir.SERVICE_TYPES)
    return {pk: sorted(values, key=order.index) for pk, values in found.items()}


def schedule_lines(clinics: Any = None) -> Iterator[bytes]:
    for chunk in _chunks(feed_clinics() if clinics is None else clinics):
        by_clinic = disciplines_by_clinic(c.pk for c in chunk)
        for clinic in chunk:
            for discipline in by_clinic.get(clinic.pk, ()):
                yield _line(fhir.schedule_resource(clinic.pk, discipline))


class PublishedSlot(NamedTuple):
    """One Slot of the feed: an open time, its kind of care, and how many practitioners are free then."""

    time: OpenTime  # the first of them (lowest practitioner, then service id): the one the deep link books
    discipline: str
    capacity: int


def clinic_slots(
    *, clinic: Clinic, now: datetime, start: datetime, end: datetime, discipline: str | None = None
) -> list[PublishedSlot]:
    """The clinic's open times in ``[start, end)``, one per kind of care, start and end, in start order.

    Several practitioners (or services of one length) free at one time are one Slot with a capacity, as the
    spec allows for otherwise identical Slots: a feed of every practitioner's every service at every start
    was 2,000 lines a clinic (100 MB per 100 clinics of the demo network).
    """
    disciplines = dict(Service.objects.filter(clinic=clinic).values_list("pk", "discipline"))
    zone = ZoneInfo(clinic.time_zone)
    times = open_times_list(
        clinic=clinic, start=start.astimezone(zone), end=end.astimezone(zone), now=now, discipline=discipline
    )
    first: dict[tuple[str, datetime, datetime], OpenTime] = {}
    people: dict[tuple[str, datetime, datetime], set[int]] = defaultdict(set)
    for time in times:  # sorted by (start, practitioner, service)
        kind = disciplines.get(time.service_id)
        if kind not in fhir.SERVICE_TYPES:
            continue
        key = (kind, time.start, time.end)
        first.setdefault(key, time)
        people[key].add(time.practitioner_id)
    return [PublishedSlot(time, key[0], len(people[key])) for key, time in first.items()]


def slot_resources(clinic: Clinic, slots: Iterable[PublishedSlot]) -> Iterator[dict[str, Any]]:
    with translation.override("en"):
        page = absolute_url(reverse("booking:start"))
    # The deep link is ``scheduling.week.booking_url``'s, made here from a prefix per practitioner and service:
    # its urlencode was half of the feed's time (a test holds both equal for every Slot).
    prefixes: dict[tuple[int, int], str] = {}
    for time, discipline, capacity in slots:
        key = (time.practitioner_id, time.service_id)
        prefix = prefixes.get(key)
        if prefix is None:
            prefix = prefixes[key] = f"{page}?{urlencode({'practitioner': key[0], 'service': key[1]})}&start="
        yield fhir.slot_resource(
            clinic_id=clinic.pk,
            discipline=discipline,
            start=time.start,
            end=time.end,
            booking_url=prefix + quote_plus(time.start.isoformat()),
            phone=clinic.phone,
            capacity=capacity,
        )


def busy_slots(*, clinics: list[Clinic], start: datetime, end: datetime) -> dict[int, list[PublishedSlot]]:
    """Each clinic's booked times starting in ``[start, end)`` as busy Slots (one query for all the clinics).

    Only the time and the kind of care: nothing of the patient or the practitioner.
    """
    zones = {clinic.pk: ZoneInfo(clinic.time_zone) for clinic in clinics}
    rows = (
        Appointment.objects.taking_time()
        .filter(clinic_id__in=list(zones), start__gte=start, start__lt=end)
        .order_by("clinic_id", "start", "end")
        .values_list("clinic_id", "service__discipline", "start", "end", "practitioner_id", "service_id")
    )
    counted: dict[int, dict[tuple[str, datetime, datetime], tuple[OpenTime, set[int]]]] = defaultdict(dict)
    for clinic_id, discipline, a, b, pid, sid in rows.iterator(chunk_size=2000):
        if discipline not in fhir.SERVICE_TYPES:
            continue
        zone = zones[clinic_id]
        key = (discipline, a.astimezone(zone), b.astimezone(zone))
        if key not in counted[clinic_id]:
            counted[clinic_id][key] = (OpenTime(key[1], key[2], pid, sid), set())
        counted[clinic_id][key][1].add(pid)
    return {
        clinic_id: [PublishedSlot(time, key[0], len(people)) for key, (time, people) in found.items()]
        for clinic_id, found in counted.items()
    }


def busy_resources(clinic: Clinic, slots: Iterable[PublishedSlot]) -> Iterator[dict[str, Any]]:
    for time, discipline, capacity in slots:
        yield fhir.slot_resource(
            clinic_id=clinic.pk,
            discipline=discipline,
            start=time.start,
            end=time.end,
            booking_url="",
            phone=clinic.phone,
            capacity=capacity,
            status="busy",
        )


def slot_lines(*, now: datetime, province: str | None = None, clinics: Any = None) -> Iterator[bytes]:
    """Every Slot of the next ``FEED_DAYS`` days at the clinics (of ``province``), clinic by clinic: the free
    ones (bookable now), then the busy ones (booked), which the spec asks for so clients can see capacity."""
    rows = feed_clinics() if clinics is None else clinics
    if province is not None:
        rows = rows.filter(province=province)
    end = now + timedelta(days=FEED_DAYS)
    for chunk in _chunks(rows):
        busy = busy_slots(clinics=chunk, start=now, end=end)
        for clinic in chunk:
            for resource in slot_resources(clinic, clinic_slots(clinic=clinic, now=now, start=now, end=end)):
                yield _line(resource)
            for resource in busy_resources(clinic, busy.get(clinic.pk, ())):
                yield _line(resource)


def manifest(*, moment: FeedMoment, provinces: list[str]) -> dict[str, Any]:
    """The ``$bulk-publish`` manifest: one Location file, one Schedule file, one Slot file per province.

    Each Slot entry says its province in ``extension.state`` (the later revision of the SMART spec's manifest
    lets clients skip regions they do not serve; clients of the first revision ignore the unknown member).
    """
    output: list[dict[str, Any]] = [
        {"type": "Location", "url": absolute_url(reverse("interop:locations"))},
        {"type": "Schedule", "url": absolute_url(reverse("interop:schedules"))},
    ]
    output += [
        {
            "type": "Slot",
            "url": absolute_url(reverse("interop:slots", kwargs={"province": province})),
            "extension": {"state": [province]},
        }
        for province in provinces
    ]
    return {
        "transactionTime": fhir.instant(moment.at),
        "request": absolute_url(reverse("interop:bulk_publish")),
        "output": output,
        "error": [],
    }
