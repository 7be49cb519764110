"""Reads of clinics for patients: the search and one clinic's public record.

The search runs in the database: an indexed latitude/longitude box first, then
the exact great-circle test and the ordering on what is left, then one page.
Its cost grows with the clinics near the point, not with the whole network.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.db.models.expressions import OrderBy, Value
from django.utils.translation import gettext as _

from clinics.geo import bounding_box as bounding_box  # re-exported: the search tests use it
from clinics.geo import clinics_within
from clinics.geo import distance_km as _distance_km
from clinics.models import Clinic, OpeningHours, Practitioner, Service, Technique
from directory.params import SLUG as _SLUG
from directory.params import clinic_params_parse as clinic_params_parse  # re-exported: views, API and tests use it
from directory.recommended import BOOST_MAX_KM, recommended_cost, recommended_floor
from directory.search import (
    COUNT_CAP,
    MAX_RADIUS_KM,
    NEXT_TIMES,
    ClinicHit,
    RatingFigures,
    SearchError,
    SearchPage,
    SearchParams,
    SortOrder,
)
from places.models import City
from scheduling.cache import day_end_of, next_open_times_refresh
from scheduling.search import (
    next_available_subquery,
    next_times_and_services,
    open_before_exists,
    open_today_clinics,
    soonest_clinics,
    stale_clinic_ids,
)

# The circles a nearest-first page is looked for in (see _nearest_ids): FIRST_RING_KM, then RING_GROWTH times
# wider each time, then the radius asked. Fixed sizes, not fractions of the radius: the circle that holds a
# page then holds at most about RING_GROWTH² pages of clinics wherever the network is dense, whatever its size
# (an eighth of 250 km held 1,500 clinics near Toronto at 10,000 and five times as many at 50,000).
FIRST_RING_KM = 2
RING_GROWTH = 4
# The recommended order's first circle, and how it grows while it holds less than a page; once it holds a page,
# the next circle is the one that page's costs say is enough (see _recommended_ids). Per circle, the clinics of
# this many pages with the lowest floors are costed.
RECOMMENDED_FIRST_RING_KM = 2.0
RECOMMENDED_RING_GROWTH = 4
RECOMMENDED_CANDIDATES = 3


# --- search ----------------------------------------------------------------------------------------------------


def clinic_search(*, params: SearchParams, now: datetime) -> SearchPage:
    """One page of in-network clinics matching ``params``, with the count (capped at ``COUNT_CAP``).

    Each hit carries its next available time and next few open times for what was searched, read from
    the precomputed next openings (``now`` decides which are still bookable); clinics of the page whose
    openings are stale are recomputed first. Raises ``SearchError`` for an unknown city or a page past
    the last one. When nothing is stale, seven queries whatever the page size (one more with a city; up to
    two more for nearest first within 25 km, which looks in growing circles, four more within 250 km; one more for
    the recommended order's floors, one more where it needs a second look; one
    more for soonest first on a page that also lists clinics with nothing open; with "today", one for the
    zones; soonest first counts from its one read of the matches, with no query apart).
    """
    city_id, center = _center(params)
    day_ends = _day_ends(now) if params.available == "today" else None
    filtered = _filtered(params, Clinic.objects.in_network())
    matching = _available(params, filtered, now=now, day_ends=day_ends)
    if params.in_city:
        # The municipality's own clinics, whatever their distance; a radius would only order them.
        matching = matching.filter(city_id=city_id) if city_id is not None else matching.none()
        params = replace(params, radius_km=MAX_RADIUS_KM)
    clinics = matching if center is None else clinics_within(matching, center=center, radius_km=params.radius_km)
    offset = (params.page - 1) * params.page_size
    count: int | None = None
    # "Available today" around a point: its matches (up to the cap) from the practitioners' open days.
    today = _open_today(params, filtered, center=center, now=now, day_ends=day_ends)
    if params.sort == "soonest":
        # The matches' first ids, up to the cap: both the count and, when they are few, the small area the
        # walk answers from its clinics' own rows (reading them twice, up to 501 then up to 1,001, tested each
        # clinic's filters twice). With "today", their zones too: only a match can be on the page, so only
        # the matches' zones bound the walk (not every clinic of the circle, read for its zone alone).
        latest: datetime | None
        if today is not None:
            read: list[tuple[Any, ...]] = [(pk,) for pk, _end in today]
            latest = _today_walk_bound(today, day_ends=day_ends)
        else:
            read = _first_matches(clinics, with_zone=day_ends is not None)
            zones = _zones_of(read, wanted=offset + params.page_size, params=params, city_id=city_id, center=center)
            latest = _latest_day_end(day_ends, zones=zones)
        count = len(read)
        ids = _soonest_ids(
            params,
            clinics,
            now=now,
            offset=offset,
            has_point=center is not None,
            day_end=latest,
            area_ids=[row[0] for row in read],
            box=None if center is None else bounding_box(center[0], center[1], params.radius_km),
        )
    elif params.sort == "distance" and center is not None:
        ids = _nearest_ids(matching, center=center, radius_km=params.radius_km, offset=offset, size=params.page_size)
    elif params.sort == "recommended" and center is not None:
        ids = _recommended_ids(params, matching, center=center, now=now, offset=offset)
    elif params.sort == "score" and center is not None:
        ids = _by_score_ids(clinics, offset=offset, size=params.page_size)
    else:
        ordered = _ordered(clinics, sort=params.sort, has_point=center is not None)
        ids = list(ordered.values_list("pk", flat=True)[offset : offset + params.page_size])
    if count is None and today is not None:
        count = len(today)
    if count is None:
        # Counted apart, and only up to the cap: a window over every match cost more than the page.
        count = clinics.order_by()[: COUNT_CAP + 1].count()
    capped = count > COUNT_CAP
    if not ids and params.page > 1:
        # The page is past the end: name the last one (rare, so an exact count is affordable here).
        last = max(1, -(-clinics.count() // params.page_size))
        raise SearchError(
            "page", _("page %(page)s is past the last page (%(last)s)") % {"page": params.page, "last": last}
        )
    stale = stale_clinic_ids(clinic_ids=ids, now=now)
    if stale:
        # The worker is behind on these: recompute just the page's, so what it shows is right.
        next_open_times_refresh(clinic_ids=stale, now=now)
    times, services = next_times_and_services(
        clinic_ids=ids,
        now=now,
        discipline=params.discipline,
        technique=params.technique,
        language=params.language,
        count=NEXT_TIMES,
    )
    # The stored rating comes in the same query (a LEFT JOIN on its one-to-one row): no query more per page.
    rows = Clinic.objects.filter(pk__in=ids).select_related("city", "rating").in_bulk()
    disciplines, techniques, names, languages, insurers = _page_summaries(ids)
    items = [
        ClinicHit(
            clinic=rows[pk],
            distance_km=_distance_km(center, (rows[pk].latitude, rows[pk].longitude)) if center else None,
            disciplines=sorted(disciplines[pk]),
            techniques=sorted(techniques[pk]),
            languages=sorted(languages[pk]),
            insurers=sorted(insurers[pk]),
            next_available=times[pk][0].start if pk in times else None,
            next_times=times.get(pk, []),
            services={slot.service_id: services[slot.service_id] for slot in times.get(pk, [])},
            practitioner_names={
                slot.practitioner_id: names.get(slot.practitioner_id, "") for slot in times.get(pk, [])
            },
            rating=_rating_of(rows[pk]),
        )
        for pk in ids
    ]
    return SearchPage(params=params, count=min(count, COUNT_CAP), items=items, center=center, count_is_capped=capped)


def _nearest_ids(
    clinics: QuerySet[Clinic], *, center: tuple[float, float], radius_km: float, offset: int, size: int
) -> list[int]:
    """A page of ``clinics`` within ``radius_km`` of ``center``, nearest first, looking in growing circles.

    Sorting every clinic of a city to show the nearest twenty is most of a search's cost; if a smaller
    circle already holds the clinics up to the end of the page, they are the nearest ones (everything
    outside is further), so only that circle is sorted. One query in a city; at most five (2, 8, 32 and
    128 km, then 250) where clinics are sparse, each over few clinics.
    """
    wanted = offset + size
    ring = float(FIRST_RING_KM)
    while True:
        ring = min(ring, radius_km)
        near = clinics_within(clinics, center=center, radius_km=ring)
        ids = list(_ordered(near, sort="distance", has_point=True).values_list("pk", flat=True)[:wanted])
        if len(ids) == wanted or ring >= radius_km:
            return ids[offset:]
        ring *= RING_GROWTH


def _recommended_ids(
    params: SearchParams, clinics: QuerySet[Clinic], *, center: tuple[float, float], now: datetime, offset: int
) -> list[int]:
    """A page of ``clinics`` in the recommended order (``directory/recommended.py``), looking in growing circles.

    Costing a clinic takes a seek into its next openings (its wait), and a dense circle holds many clinics:
    costing every clinic of a 6 km circle near Toronto took three times as long at 50,000 clinics as at 10,000.
    So a circle is read by *floor* first (``recommended_floor``: the distance less the boost, stored columns only,
    never more than the cost), and only a fixed number of clinics are costed whatever the density:

    1. the circle's ``RECOMMENDED_CANDIDATES`` pages' worth of lowest floors are costed and ordered (ties on name,
       then id); the page's last cost is a ``bound``: a clinic whose floor is above it cannot come before;
    2. a clinic outside a circle of ``ring`` km costs more than ``ring − BOOST_MAX_KM``: if ``bound`` is below
       that, and every clinic of the circle with a floor up to ``bound`` was among those costed, the page is final
       (one circle where clinics are dense);
    3. otherwise the circle of ``bound + BOOST_MAX_KM`` km holds the page: its clinics with a floor up to ``bound``
       (those costed already among them) are costed and ordered, and that page is final.

    Where a circle holds less than a page it grows ``RECOMMENDED_RING_GROWTH`` times. Two queries where clinics
    are dense, three elsewhere, one more for each circle that held less than a page.
    """
    wanted = offset + params.page_size
    read = wanted * RECOMMENDED_CANDIDATES
    cost = recommended_cost(has_point=True, **_searched(params, now=now))

    def circle(ring: float) -> QuerySet[Any]:  # annotated with rec_floor
        return clinics_within(clinics, center=center, radius_km=ring).annotate(rec_floor=recommended_floor())

    def ordered(rows: QuerySet[Any]) -> list[tuple[int, float]]:
        # Ordered in the database, as every other order of the search is (names sort by its collation).
        costed = rows.annotate(rec_cost=cost).order_by("rec_cost", "name", "pk")
        return list(costed.values_list("pk", "rec_cost")[:wanted])

    ring = RECOMMENDED_FIRST_RING_KM
    while True:
        ring = min(ring, params.radius_km)
        near = circle(ring)
        floors = list(near.order_by("rec_floor", "pk").values_list("pk", "rec_floor")[:read])
        if len(floors) < wanted and ring < params.radius_km:  # less than a page here: nothing to cost yet
            ring *= RECOMMENDED_RING_GROWTH
            continue
        page = ordered(near.filter(pk__in=[pk for pk, _floor in floors]))
        if len(page) < wanted:  # the whole radius holds less than the page
            return [pk for pk, _cost in page[offset:]]
        bound = page[-1][1]
        every_one_costed = len(floors) < read or floors[-1][1] > bound
        final = ring >= params.radius_km or bound < ring - BOOST_MAX_KM
        if final and every_one_costed:
            return [pk for pk, _cost in page[offset:]]
        if not final:
            near = circle(min(params.radius_km, bound + BOOST_MAX_KM + 0.01))
        return [pk for pk, _cost in ordered(near.filter(rec_floor__lte=bound))[offset:]]


def _first_matches(clinics: QuerySet[Clinic], *, with_zone: bool) -> list[tuple[Any, ...]]:
    """(id,) or (id, time zone) of the first ``COUNT_CAP + 1`` of ``clinics``, in no particular order: as many
    as the count needs, and more than ``SMALL_AREA`` (all of them when fewer)."""
    fields = ("pk", "time_zone") if with_zone else ("pk",)
    return list(clinics.order_by().values_list(*fields)[: COUNT_CAP + 1])


def _open_today(
    params: SearchParams,
    filtered: QuerySet[Clinic],
    *,
    center: tuple[float, float] | None,
    now: datetime,
    day_ends: dict[datetime, list[str]] | None,
) -> list[tuple[int, datetime]] | None:
    """(id, end of its today) of the first ``COUNT_CAP + 1`` matches of an "available today" search around a point,
    from the practitioners' open days (``open_today_clinics``), so its count does not grow with the circle.
    ``filtered`` are the network's clinics that pass the search's own filters (``_filtered``).

    None where the open days cannot answer and the next openings are asked instead: a technique or a language
    (the open days know only a discipline), a city's own clinics (no circle), or a second availability filter.
    """
    asks_more = params.in_city or params.technique or params.language or params.within_days
    if day_ends is None or center is None or asks_more:
        return None
    return open_today_clinics(
        clinics=filtered,
        center=center,
        radius_km=params.radius_km,
        discipline=params.discipline,
        day_ends=day_ends,
        now=now,
        limit=COUNT_CAP + 1,
    )


def _today_walk_bound(today: list[tuple[int, datetime]], *, day_ends: dict[datetime, list[str]] | None) -> datetime:
    """What bounds the soonest walk of an "available today" search answered from the open days: the latest end of
    today among its matches when it read them all; past the cap, the latest anywhere (as ``_zones_of`` says)."""
    assert day_ends  # noqa: S101 (narrowing: only a "today" search has matches from the open days)
    if not today:
        return min(day_ends)  # nothing to walk for
    if len(today) <= COUNT_CAP:
        return max(end for _pk, end in today)
    return max(day_ends)


def _zones_of(
    read: list[tuple[Any, ...]],
    *,
    wanted: int,
    params: SearchParams,
    city_id: int | None,
    center: tuple[float, float] | None,
) -> set[str] | None:
    """The zones whose end of today bounds the soonest walk (``_latest_day_end``), from ``_first_matches``.

    Only a match can be on the page, so when ``read`` holds every match (at most the cap), their zones. Past the
    cap, a page within the cap is found before any match's day ends, so the bound is never reached: None (any
    zone). A deeper page may walk on: the zones of the whole area, as before. ``read`` without zones: None.
    """
    if not read:
        return set()
    if len(read[0]) < 2:
        return None
    if len(read) <= COUNT_CAP:
        return {row[1] for row in read}
    if wanted <= COUNT_CAP:
        return None
    area = _area(params, city_id=city_id, center=center)
    return None if area is None else set(area.order_by().values_list("time_zone", flat=True).distinct())


def _by_score_ids(clinics: QuerySet[Clinic], *, offset: int, size: int) -> list[int]:
    """A page of ``clinics`` (within a circle: annotated with ``hav``) best score first, then nearest.

    Walked in score order on the (score, latitude, longitude, ...) index, which SQLite reads one latitude range
    per score (a skip-scan: a few dozen scores) and stops once a score completes the page; only the page's
    clinics and their ties are read from the table. The box index instead had every clinic of the circle looked
    up and sorted (2.4 ms at 10,000 clinics, 10.8 at 50,000 near Toronto). SQLite is told the index (after
    ANALYZE it picks the box, whose latitude range is narrower); PostgreSQL's planner chooses for itself.
    """
    ordered = _ordered(clinics, sort="score", has_point=True).values_list("pk", flat=True)[offset : offset + size]
    if connection.vendor != "sqlite":
        return list(ordered)
    sql, query_params = ordered.query.sql_with_params()
    table = connection.ops.quote_name(Clinic._meta.db_table)
    index = connection.ops.quote_name("clinic_score_box_idx")
    sql = sql.replace(f"FROM {table} ", f"FROM {table} INDEXED BY {index} ", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, query_params)
        return [row[0] for row in cursor.fetchall()]


def _soonest_ids(
    params: SearchParams,
    clinics: QuerySet[Clinic],
    *,
    now: datetime,
    offset: int,
    has_point: bool,
    day_end: datetime | None = None,
    area_ids: list[int] | None = None,
    box: tuple[float, float, float, float] | None = None,
) -> list[int]:
    """A page of ``clinics`` soonest available first; those with nothing open follow, nearest (or best) first.

    The clinics with open times come from walking the next openings in start order (``soonest_clinics``),
    so the cost follows the page, not the number of clinics in the area. ``box`` holds every one of ``clinics``
    (the circle's): the walk passes over the rows outside it in its index.
    """
    size = params.page_size
    # With an availability filter a clinic passes only with a time before its bound, so the walk can stop
    # there instead of reading on (up to SCAN_LIMIT rows) where few clinics pass. For "today" that is the
    # latest end of the day in any zone (``day_end``); the exact end per zone is the filter's business. A
    # bound of 25 hours instead had the evening's walk read a whole day of tomorrow's rows, nationwide.
    bounds = [now + timedelta(days=params.within_days)] if params.within_days else []
    if params.available == "today":
        bounds.append(day_end if day_end is not None else now + timedelta(hours=25))
    found = soonest_clinics(
        clinics=clinics,
        now=now,
        discipline=params.discipline,
        technique=params.technique,
        language=params.language,
        before=min(bounds, default=None),
        limit=size,
        offset=offset,
        area_ids=area_ids,
        box=box,
    )
    ids = [pk for pk, _start in found]
    if len(ids) == size or params.available or params.within_days:
        return ids  # a full page; or an availability filter, which every match passes by having a time
    # The walk ran out: every clinic with a time is on this page or an earlier one.
    with_times = offset + len(ids) if ids or offset == 0 else _with_times_count(params, clinics, now=now)
    without = clinics.annotate(next_at=next_available_subquery(**_searched(params, now=now))).filter(
        next_at__isnull=True
    )
    start = max(0, offset - with_times)
    rest = _ordered(without, sort="distance", has_point=has_point).values_list("pk", flat=True)
    return ids + list(rest[start : start + size - len(ids)])


def _with_times_count(params: SearchParams, clinics: QuerySet[Clinic], *, now: datetime) -> int:
    return (
        clinics.annotate(next_at=next_available_subquery(**_searched(params, now=now)))
        .filter(next_at__isnull=False)
        .count()
    )


def _available(
    params: SearchParams,
    clinics: QuerySet[Clinic],
    *,
    now: datetime,
    day_ends: dict[datetime, list[str]] | None = None,
) -> QuerySet[Clinic]:
    """Only clinics with an open time today (in the clinic's zone) or within ``within_days`` days, if asked.

    ``day_ends`` is ``_day_ends(now)`` (computed here when not given)."""
    searched = _searched(params, now=now)
    if params.within_days:
        clinics = clinics.filter(open_before_exists(before=now + timedelta(days=params.within_days), **searched))
    if params.available == "today":
        by_end = day_ends if day_ends is not None else _day_ends(now)
        ends = Case(
            *(When(time_zone__in=names, then=Value(end)) for end, names in sorted(by_end.items()) if names),
            default=Value(_day_end(now, settings.TIME_ZONE)),
            output_field=DateTimeField(),
        )
        clinics = clinics.annotate(day_ends=ends).filter(open_before_exists(before=OuterRef("day_ends"), **searched))
    return clinics


def _searched(params: SearchParams, *, now: datetime) -> dict[str, Any]:
    """What the next openings are read for: the practitioner-level filters, the same ones ``_filtered`` applies."""
    return {"now": now, "discipline": params.discipline, "technique": params.technique, "language": params.language}


def _day_ends(now: datetime) -> dict[datetime, list[str]]:
    """When "today" ends in each zone clinics are in (midnight on the wall clock), zones grouped by that instant.

    Zones whose day ends at the same instant share one branch of the filter's CASE: two dozen zones are half
    a dozen offsets, and that expression is compiled into each query of the search (the walk, the count).
    The default zone's end is among the keys (it may have no zone listed), so ``max`` bounds every clinic.
    """
    zones = sorted(set(City.objects.order_by().values_list("time_zone", flat=True).distinct()))
    by_end: defaultdict[datetime, list[str]] = defaultdict(list)
    for zone in zones:
        by_end[_day_end(now, zone)].append(zone)
    by_end.setdefault(_day_end(now, settings.TIME_ZONE), [])
    return dict(by_end)


def _latest_day_end(day_ends: dict[datetime, list[str]] | None, *, zones: set[str] | None) -> datetime | None:
    """When "today" ends last among the zones of the clinics searched: what bounds the soonest walk.

    The whole country's latest end is up to a day away (just after midnight in St. John's, the walk would read
    every clinic's next 24 hours); an area's zones (one, nearly always) end within hours. ``zones`` are those of
    the clinics that may be on the page (``_zones_of``); None means everywhere.
    """
    if not day_ends:
        return None
    if zones is None:
        return max(day_ends)
    if not zones:
        return min(day_ends)  # no clinic there: nothing to walk for
    if not zones <= {name for names in day_ends.values() for name in names}:
        return max(day_ends)  # a zone no city lists: the filter gives it the default zone's end; stay safe
    return max(end for end, names in day_ends.items() if zones & set(names))


def _area(params: SearchParams, *, city_id: int | None, center: tuple[float, float] | None) -> QuerySet[Clinic] | None:
    """The in-network clinics where a search looks, before any filter (their zones bound "today"); None: anywhere."""
    if params.in_city:
        return Clinic.objects.in_network().filter(city_id=city_id) if city_id is not None else Clinic.objects.none()
    if center is None:
        return None
    return clinics_within(Clinic.objects.in_network(), center=center, radius_km=params.radius_km)


def _day_end(now: datetime, zone_name: str) -> datetime:
    # The same midnight the open days are stored under (``OpenDay.day_end``): one function makes both.
    zone = ZoneInfo(zone_name)
    return day_end_of(now.astimezone(zone).date(), zone)


def _center(params: SearchParams) -> tuple[int | None, tuple[float, float] | None]:
    """The city's id (if one was named) and the point distances are measured from: lat/lng if given (then a
    city only labels the search), else the city's centre."""
    city_id, city_center = None, None
    if params.city:
        # The shape check keeps odd bytes (NUL, quotes) away from the database.
        found = (
            _SLUG.match(params.city)
            and City.objects.filter(slug=params.city).values_list("pk", "latitude", "longitude").first()
        )
        if not found:
            raise SearchError(
                "city", _("unknown city '%(value)s': use a city slug such as 'toronto'") % {"value": params.city[:40]}
            )
        city_id, city_center = found[0], (found[1], found[2])
    if params.lat is not None and params.lng is not None:
        return city_id, (params.lat, params.lng)
    return city_id, city_center


def _filtered(params: SearchParams, clinics: QuerySet[Clinic]) -> QuerySet[Clinic]:
    # Discipline, technique and language go in one EXISTS: "a physiotherapist who does dry needling in
    # French" must be one person, not a physiotherapist, someone else who needles and a third who speaks
    # French. (The next times shown are read with the same filters: see _searched.)
    if params.discipline or params.technique or params.language:
        practitioners = Practitioner.objects.filter(clinic=OuterRef("pk"), is_active=True)
        if params.discipline:
            practitioners = practitioners.filter(discipline=params.discipline)
        if params.technique:
            practitioners = practitioners.filter(techniques__slug=params.technique)
        if params.language:
            practitioners = practitioners.filter(languages__slug=params.language)
        clinics = clinics.filter(Exists(practitioners))
    if params.insurer:
        through = Clinic.insurers.through.objects.filter(clinic=OuterRef("pk"), insurer__slug=params.insurer)
        clinics = clinics.filter(Exists(through))
    if params.accessible:
        clinics = clinics.filter(wheelchair_accessible=True)
    return clinics


def _ordered(clinics: QuerySet[Clinic], *, sort: SortOrder, has_point: bool) -> QuerySet[Clinic]:
    """The one place a search's order is chosen. Ties end on name then id, so pages never overlap."""
    by_score = [F("inspection_score").desc(nulls_last=True)]
    keys: Sequence[str | OrderBy]
    if sort == "score":
        keys = [*by_score, "hav"] if has_point else by_score
    elif has_point:
        keys = ["hav"]  # "soonest" is ordered by _soonest_ids; its clinics without times come nearest first
    else:
        keys = by_score
    return clinics.order_by(*keys, "name", "pk")


def _with_clinic_related(clinics: QuerySet[Clinic]) -> QuerySet[Clinic]:
    return clinics.select_related("city", "rating").prefetch_related("languages", "insurers")


def _rating_of(clinic: Clinic) -> RatingFigures | None:
    """The clinic's stored rating (loaded with it by ``select_related("rating")``); None before any review."""
    try:
        stored = clinic.rating  # quality.ClinicRating's reverse one-to-one
    except ObjectDoesNotExist:
        return None
    if not stored.count:
        return None
    return RatingFigures(mean=stored.mean, adjusted=stored.adjusted, count=stored.count)


def _page_summaries(
    clinic_ids: list[int],
) -> tuple[
    defaultdict[int, set[str]],
    defaultdict[int, set[str]],
    dict[int, str],
    defaultdict[int, list[str]],
    defaultdict[int, list[str]],
]:
    """What a page's cards list of each clinic, as plain values, in one query: the disciplines and technique slugs of
    its active practitioners and each one's name, its language slugs and its insurer slugs.

    Plain SQL, written once per process (``_summary_sql``): three ORM queries compiled on every search cost more than
    the database spent on them (2.5 ms of the page's 6 on PostgreSQL for 20 clinics), and building a model for each
    of the page's hundred-odd practitioners cost more than the search.
    """
    disciplines: defaultdict[int, set[str]] = defaultdict(set)
    techniques: defaultdict[int, set[str]] = defaultdict(set)
    names: dict[int, str] = {}
    languages: defaultdict[int, list[str]] = defaultdict(list)
    insurers: defaultdict[int, list[str]] = defaultdict(list)
    if not clinic_ids:
        return disciplines, techniques, names, languages, insurers
    marks = ", ".join(["%s"] * len(clinic_ids))
    with connection.cursor() as cursor:
        cursor.execute(_summary_sql().format(ids=marks), (*clinic_ids, *clinic_ids, *clinic_ids))
        for kind, clinic_id, pk, first_name, last_name, discipline, slug in cursor.fetchall():
            if kind == _LANGUAGE:
                languages[clinic_id].append(slug)
            elif kind == _INSURER:
                insurers[clinic_id].append(slug)
            else:
                disciplines[clinic_id].add(discipline)
                names[pk] = f"{first_name} {last_name}"
                if slug is not None:  # a practitioner without techniques: one row, no slug (LEFT JOIN)
                    techniques[clinic_id].add(slug)
    return disciplines, techniques, names, languages, insurers


_PRACTITIONER, _LANGUAGE, _INSURER = 0, 1, 2


@lru_cache(maxsize=1)
def _summary_sql() -> str:
    """The query of ``_page_summaries``, with ``{ids}`` for the clinic ids' placeholders (three times)."""
    q = connection.ops.quote_name
    people, through = Practitioner._meta.db_table, Practitioner.techniques.through._meta.db_table
    technique_field = Practitioner.techniques.field
    parts = [
        f"SELECT {_PRACTITIONER}, p.{q('clinic_id')}, p.{q('id')}, p.{q('first_name')}, p.{q('last_name')}, "  # noqa: S608 (names from the models; values are parameters)
        f"p.{q('discipline')}, t.{q('slug')} FROM {q(people)} p "
        f"LEFT JOIN {q(through)} pt ON pt.{q(technique_field.m2m_column_name())} = p.{q('id')} "
        f"LEFT JOIN {q(Technique._meta.db_table)} t ON t.{q('id')} = pt.{q(technique_field.m2m_reverse_name())} "
        f"WHERE p.{q('clinic_id')} IN ({{ids}}) AND p.{q('is_active')}"
    ]
    for kind, descriptor in ((_LANGUAGE, Clinic.languages), (_INSURER, Clinic.insurers)):
        field = descriptor.field
        target = field.remote_field.model._meta.db_table
        link = descriptor.through._meta.db_table
        parts.append(
            f"SELECT {kind}, l.{q(field.m2m_column_name())}, NULL, NULL, NULL, NULL, x.{q('slug')} FROM {q(link)} l "  # noqa: S608 (names from the models; values are parameters)
            f"JOIN {q(target)} x ON x.{q('id')} = l.{q(field.m2m_reverse_name())} "
            f"WHERE l.{q(field.m2m_column_name())} IN ({{ids}})"
        )
    return " UNION ALL ".join(parts)


# --- one clinic ------------------------------------------------------------------------------------------------


def clinic_get(*, id_or_slug: str, now: datetime | None = None) -> ClinicHit | None:
    """An in-network clinic by id (all digits) or slug, with everything its public page shows; None if not found.

    With ``now``, also its next available time and next few open times (any service; two queries more).

    Loaded with it: ``city``, ``languages``, ``insurers``, ``opening_hours``, ``active_practitioners``
    (each with ``techniques`` and ``languages``) and ``active_services`` (each with ``practitioners``,
    active ones only).
    """
    key = id_or_slug.strip()
    if key.isascii() and key.isdigit():  # str.isdigit() alone also takes "²", which int() refuses
        if len(key) > 18:  # past a 64-bit id: PostgreSQL would refuse the query, no clinic has it
            return None
        lookup = Q(pk=int(key))
    elif _SLUG.match(key):
        lookup = Q(slug=key)
    else:
        return None
    active_ids = Practitioner.objects.filter(is_active=True).only("id")
    services = Service.objects.filter(is_active=True).prefetch_related(Prefetch("practitioners", queryset=active_ids))
    active = Practitioner.objects.filter(is_active=True).prefetch_related("techniques", "languages")
    clinic = (
        _with_clinic_related(Clinic.objects.in_network().filter(lookup))
        .prefetch_related(
            Prefetch("practitioners", queryset=active, to_attr="active_practitioners"),
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch("services", queryset=services, to_attr="active_services"),
        )
        .first()
    )
    if clinic is None:
        return None
    practitioners = clinic.active_practitioners  # the Prefetch above
    times = next_times_and_services(clinic_ids=[clinic.pk], now=now, count=NEXT_TIMES)[0] if now is not None else {}
    return ClinicHit(
        clinic=clinic,
        distance_km=None,
        disciplines=sorted({p.discipline for p in practitioners}),
        techniques=sorted({t.slug for p in practitioners for t in p.techniques.all()}),
        languages=sorted(language.slug for language in clinic.languages.all()),
        insurers=sorted(insurer.slug for insurer in clinic.insurers.all()),
        next_available=times[clinic.pk][0].start if clinic.pk in times else None,
        next_times=times.get(clinic.pk, []),
        rating=_rating_of(clinic),
    )
