"""FHIR R4 under /fhir/: the SMART Scheduling Links bulk feed and a small read API. Public data only.

Views parse, read through ``interop.feed`` and answer; errors are OperationOutcomes with a 4xx that names the
parameter to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import orjson
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from booking.models import Appointment
from clinics.models import Clinic, Province
from interop import feed, feed_store, fhir
from interop.tokens import api_token_check
from painhero.http import secret_token
from painhero.urls_abs import absolute_url

CACHE_CONTROL = f"public, max-age={feed.WINDOW_SECONDS // 5}"
DEFAULT_COUNT = 100
MAX_COUNT = 1000
MAX_SEARCH_DAYS = 31


class BadRequest(Exception):
    def __init__(self, message: str, *, parameter: str | None = None, status: int = 400, code: str = "invalid"):
        super().__init__(message)
        self.message, self.parameter, self.status, self.code = message, parameter, status, code


def _json(body: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type=fhir.FHIR_JSON)


def _outcome(error: BadRequest) -> HttpResponse:
    return _json(
        fhir.operation_outcome(error.message, code=error.code, expression=error.parameter), status=error.status
    )


def _not_found(kind: str, pk: str) -> HttpResponse:
    message = _("There is no %(kind)s with the id %(id)s.") % {"kind": kind, "id": pk}
    return _outcome(BadRequest(message, status=404, code="not-found"))


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def _conditional(
    request: HttpRequest, moment: feed.FeedMoment, content_type: str, body: Callable[[], Iterator[bytes]]
) -> HttpResponse:
    """304 when the client has this version; else the file, streamed as it is made."""
    if _matches(request, moment.etag):
        response: HttpResponse | StreamingHttpResponse = HttpResponse(status=304)
    else:
        response = StreamingHttpResponse(body(), content_type=content_type)
    response["ETag"] = moment.etag
    response["Cache-Control"] = CACHE_CONTROL
    return response  # type: ignore[return-value]


@require_GET
def bulk_publish(request: HttpRequest) -> HttpResponse:
    moment = feed.feed_moment(now=timezone.now())

    def body() -> Iterator[bytes]:
        yield orjson.dumps(feed.manifest(moment=moment, provinces=feed.feed_provinces()))

    return _conditional(request, moment, "application/json", body)


def _stored_or_made(
    request: HttpRequest, name: str, made: Callable[[feed.FeedMoment], Callable[[], Iterator[bytes]]]
) -> HttpResponse:
    """The stored version of the file ``name`` (``feed_store``), streamed from storage; without one (the worker
    has not written it, or stopped), the file made now, as before. Either way a read only."""
    now = timezone.now()
    stored = feed_store.feed_file_current(name, now=now)
    if stored is not None:
        moment = feed.FeedMoment(at=stored.made_at, etag=stored.etag)
        if _matches(request, moment.etag):
            return _conditional(request, moment, fhir.FHIR_NDJSON, lambda: iter(()))
        handle = feed_store.feed_file_open(stored)
        if handle is not None:
            response = _conditional(request, moment, fhir.FHIR_NDJSON, feed_store.chunks(handle))
            response["Content-Length"] = str(stored.size)
            return response
    moment = feed.feed_moment(now=now)
    return _conditional(request, moment, fhir.FHIR_NDJSON, made(moment))


@require_GET
def locations_file(request: HttpRequest) -> HttpResponse:
    return _stored_or_made(request, "Location", lambda moment: feed.location_lines)


@require_GET
def schedules_file(request: HttpRequest) -> HttpResponse:
    return _stored_or_made(request, "Schedule", lambda moment: feed.schedule_lines)


@require_GET
def slots_file(request: HttpRequest, province: str) -> HttpResponse:
    if province not in Province.values:
        message = _("There is no Slot file for the province %(province)s.") % {"province": province}
        return _outcome(BadRequest(message, status=404, code="not-found"))
    return _stored_or_made(
        request, f"Slot-{province}", lambda moment: lambda: feed.slot_lines(now=moment.at, province=province)
    )


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    def resource(kind: str, interactions: list[str], params: list[tuple[str, str]]) -> dict[str, Any]:
        found: dict[str, Any] = {"type": kind, "interaction": [{"code": code} for code in interactions]}
        if params:
            found["searchParam"] = [{"name": name, "type": kind_} for name, kind_ in params]
        return found

    return _json(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": fhir.instant(timezone.now().replace(microsecond=0)),
            "publisher": "PainHero",
            "kind": "instance",
            "implementation": {"description": "PainHero open times", "url": absolute_url("/fhir/")},
            "fhirVersion": fhir.FHIR_VERSION,
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": _(
                            "Location, Schedule and Slot are public. Appointment needs a clinic staff API token "
                            "(Authorization: Bearer ...) and reaches that clinic's appointments only."
                        )
                    },
                    "resource": [
                        resource("Location", ["read"], []),
                        resource("Schedule", ["read", "search-type"], [("actor", "reference")]),
                        resource("Appointment", ["read"], []),
                        resource(
                            "Slot",
                            ["search-type"],
                            [("schedule", "reference"), ("start", "date"), ("status", "token")],
                        ),
                    ],
                }
            ],
        }
    )


def _clinic(pk: str) -> Clinic | None:
    if not pk.isascii() or not pk.isdigit():
        return None
    return feed.feed_clinics().filter(pk=int(pk)).first()


@require_GET
def location_read(request: HttpRequest, pk: str) -> HttpResponse:
    clinic = _clinic(pk)
    if clinic is None:
        return _not_found("Location", pk)
    return _json(
        fhir.location_resource(
            clinic, identifier_system=feed.identifier_system(), page_url=feed.clinic_page_url(clinic)
        )
    )


def _schedule(pk: str) -> tuple[Clinic, str] | None:
    parsed = fhir.schedule_parse(pk)
    if parsed is None:
        return None
    clinic = _clinic(str(parsed[0]))
    if clinic is None or parsed[1] not in feed.disciplines_by_clinic([clinic.pk]).get(clinic.pk, []):
        return None
    return clinic, parsed[1]


@require_GET
def schedule_read(request: HttpRequest, pk: str) -> HttpResponse:
    found = _schedule(pk)
    if found is None:
        return _not_found("Schedule", pk)
    return _json(fhir.schedule_resource(found[0].pk, found[1]))


def _only(request: HttpRequest, allowed: set[str]) -> None:
    for name in request.GET:
        if name not in allowed:
            raise BadRequest(
                _("The search parameter %(name)s is not supported here (supported: %(names)s).")
                % {"name": name, "names": ", ".join(sorted(allowed))},
                parameter=name,
                code="not-supported",
            )


def _one(request: HttpRequest, name: str, *, required: bool = False) -> str | None:
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise BadRequest(_("Give the parameter %(name)s once.") % {"name": name}, parameter=name)
    if not values or not values[0]:
        if required:
            raise BadRequest(_("The parameter %(name)s is required.") % {"name": name}, parameter=name)
        return None
    return values[0]


def _reference(value: str, kind: str, name: str) -> str:
    if not value.startswith(f"{kind}/") or not fhir.FHIR_ID.fullmatch(value[len(kind) + 1 :]):
        raise BadRequest(
            _("The parameter %(name)s must be a reference such as %(example)s.")
            % {"name": name, "example": f"{kind}/123"},
            parameter=name,
        )
    return value[len(kind) + 1 :]


def _bundle(
    request: HttpRequest, kind: str, resources: list[dict[str, Any]], *, total: int, offset: int, count: int
) -> HttpResponse:
    base = absolute_url(reverse(f"interop:{kind.lower()}_search"))

    def page(at: int) -> str:
        params = [(k, v) for k in request.GET if k not in ("_offset", "_count") for v in request.GET.getlist(k)]
        return f"{base}?{urlencode([*params, ('_count', count), ('_offset', at)])}"

    links = [{"relation": "self", "url": page(offset)}]
    if offset + count < total:
        links.append({"relation": "next", "url": page(offset + count)})
    if offset > 0:
        links.append({"relation": "previous", "url": page(max(0, offset - count))})
    return _json(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": total,
            "link": links,
            "entry": [
                {
                    "fullUrl": absolute_url(f"/fhir/{resource['resourceType']}/{resource['id']}"),
                    "resource": resource,
                    "search": {"mode": "match"},
                }
                for resource in resources
            ],
        }
    )


def _paging(request: HttpRequest) -> tuple[int, int]:
    found = []
    for name, default, top in (("_count", DEFAULT_COUNT, MAX_COUNT), ("_offset", 0, None)):
        raw = _one(request, name)
        if raw is None:
            found.append(default)
            continue
        if not raw.isascii() or not raw.isdigit() or (top is not None and not 1 <= int(raw) <= top):
            if top is None:
                message = _("The parameter %(name)s must be a whole number, 0 or more.") % {"name": name}
            else:
                message = _("The parameter %(name)s must be a whole number from 1 to %(top)s.") % {
                    "name": name,
                    "top": top,
                }
            raise BadRequest(message, parameter=name)
        found.append(int(raw))
    return found[0], found[1]


@require_GET
def schedule_search(request: HttpRequest) -> HttpResponse:
    try:
        _only(request, {"actor", "_count", "_offset"})
        actor = _reference(_one(request, "actor", required=True) or "", "Location", "actor")
        count, offset = _paging(request)
    except BadRequest as error:
        return _outcome(error)
    clinic = _clinic(actor)
    disciplines = feed.disciplines_by_clinic([clinic.pk]).get(clinic.pk, []) if clinic is not None else []
    resources = [fhir.schedule_resource(clinic.pk, d) for d in disciplines] if clinic is not None else []
    return _bundle(
        request, "Schedule", resources[offset : offset + count], total=len(resources), offset=offset, count=count
    )


def _moment(raw: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime:
    day = parse_date(raw) if len(raw) == 10 else None
    if day is not None:
        return datetime.combine(day + timedelta(days=1 if end_of_day else 0), time(0), tzinfo=zone)
    # A full date and time with its offset as FHIR writes it ("-05:00", not "-05", which Python would take).
    moment = parse_datetime(raw) if fhir.INSTANT.fullmatch(raw) else None
    if moment is None or moment.tzinfo is None:
        raise BadRequest(
            _(
                "The parameter start takes a date (2026-12-08) or a date and time with its offset "
                "(2026-12-08T09:00:00-05:00), after a prefix ge, gt, le or lt; %(value)s is neither."
            )
            % {"value": raw},
            parameter="start",
        )
    return moment


def _start_range(request: HttpRequest, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    low, high = now, None
    for value in request.GET.getlist("start"):
        # An unencoded "+01:00" offset arrives as a space: read it as the plus it was.
        prefix, raw = value[:2], value[2:].replace(" ", "+")
        if prefix not in ("ge", "gt", "le", "lt"):
            raise BadRequest(
                _("Each start must begin with ge, gt, le or lt (e.g. start=ge2026-12-08), not %(value)s.")
                % {"value": value},
                parameter="start",
            )
        # A date as a lower bound is its first moment; as an upper bound with "le", its last.
        moment = _moment(raw, zone, end_of_day=prefix == "le")
        if prefix in ("ge", "gt"):
            low = max(low, moment + timedelta(seconds=1) if prefix == "gt" else moment)
        else:
            high = moment if high is None else min(high, moment)
    if high is None:
        high = low + timedelta(days=feed.FEED_DAYS)
    if high - low > timedelta(days=MAX_SEARCH_DAYS):
        raise BadRequest(
            _("The start range may span at most %(days)s days.") % {"days": MAX_SEARCH_DAYS}, parameter="start"
        )
    return low, high


@require_GET
def slot_search(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    try:
        _only(request, {"schedule", "start", "status", "_count", "_offset"})
        pk = _reference(_one(request, "schedule", required=True) or "", "Schedule", "schedule")
        status = _one(request, "status") or "free"
        if status not in fhir.SLOT_STATUSES:
            raise BadRequest(
                _("The parameter status must be one of %(values)s.")
                % {"values": ", ".join(sorted(fhir.SLOT_STATUSES))},
                parameter="status",
            )
        count, offset = _paging(request)
        found = _schedule(pk)
        if found is None:
            raise BadRequest(_("There is no Schedule with the id %(id)s.") % {"id": pk}, parameter="schedule")
        clinic, discipline = found
        low, high = _start_range(request, ZoneInfo(clinic.time_zone), now)
    except BadRequest as error:
        return _outcome(error)
    if high <= low or status not in ("free", "busy"):
        slots: list[feed.PublishedSlot] = []  # the other statuses are never published
    elif status == "free":
        slots = feed.clinic_slots(clinic=clinic, now=now, start=low, end=high, discipline=discipline)
    else:
        found_busy = feed.busy_slots(clinics=[clinic], start=low, end=high).get(clinic.pk, [])
        slots = [slot for slot in found_busy if slot.discipline == discipline]
    page = slots[offset : offset + count]
    made = feed.slot_resources if status == "free" else feed.busy_resources
    resources = list(made(clinic, page))
    return _bundle(request, "Slot", resources, total=len(slots), offset=offset, count=count)


def _unauthorized(message: str) -> HttpResponse:
    response = _outcome(BadRequest(message, status=401, code="login"))
    response["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return response


@require_GET
def appointment_read(request: HttpRequest, pk: str) -> HttpResponse:
    """One appointment of the token's clinic; another clinic's is "not found", as one that does not exist."""
    raw = secret_token(request, "X-Api-Token")
    if not raw:
        return _unauthorized(_("Send a clinic API token as Authorization: Bearer <token>."))
    token = api_token_check(raw)
    if token is None:
        return _unauthorized(_("This API token is unknown or revoked: make a new one in the clinic portal."))
    found = None
    if pk.isascii() and pk.isdigit():
        found = (
            Appointment.objects.filter(clinic_id=token.clinic_id, pk=int(pk))
            .select_related("practitioner", "service", "clinic")
            .first()
        )
    if found is None:
        return _not_found("Appointment", pk)
    zone = ZoneInfo(found.clinic.time_zone)
    response = _json(
        fhir.appointment_resource(
            pk=found.pk,
            clinic_id=found.clinic_id,
            status=found.status,
            discipline=found.service.discipline,
            start=found.start.astimezone(zone),
            end=found.end.astimezone(zone),
            practitioner=found.practitioner.full_name,
        )
    )
    response["Cache-Control"] = "private, no-store"
    return response
