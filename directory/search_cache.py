"""Search answers near a point, kept in the shared cache (``SEARCH_CACHE_SECONDS``) while nothing they show changes.

What a search near a point answers depends on the clinics of its circle (their records, ratings and next open
times), on its parameters and on the time. So an answer is stored under its parameters and the tokens of the
areas its circle touches (``scheduling.cache.area_cells``), and of the labels:

- every write that changes a clinic's open times (a booking, a hold, a cancellation, a reschedule, a schedule
  change: ``next_open_times_refresh_after_commit``) or its public record (``page_cache.clinic_changed``) replaces
  the token of the clinic's area, as the write is made and once it commits; the next search there is computed;
- time alone is bounded: an answer is kept until the first open time of its clinics reaches its minimum notice
  or the first hold at one of them lapses, and never longer than ``SEARCH_CACHE_SECONDS`` (10 s with Redis).
  Within that bound an answer can miss what time alone changed elsewhere in the circle (a hold lapsing at a
  clinic not listed, "within 3 days" reaching one more time): what a read replica a few seconds behind would
  show, and booking re-checks every time under the practitioner's lock, answering a refusal with alternatives.

Only searches around a point (``lat``/``lng``) within ``MAX_RADIUS_KM`` are kept: a wider circle touches too
many areas for their tokens to be worth reading, and a city's search has no point to key by until it reads the
city. The answer is the API's JSON, which holds no text in the visitor's language (slugs and names only).
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min

from booking.models import Hold
from clinics.geo import bounding_box
from directory.page_cache import REFERENCE_KEY
from directory.search import SearchParams
from scheduling.cache import area_cells, area_tokens, cache_tokens
from scheduling.models import NextOpenTime

# The widest circle whose answers are kept: 50 km touches at most 9 areas at Canadian latitudes.
MAX_RADIUS_KM = 50.0


def answer_key(params: SearchParams) -> str | None:
    """Where the answer to ``params`` is kept (two reads of the cache: the tokens, then the answer); None when
    it is not kept (the setting is 0, there is no point, the circle is wide, or a city bounds it)."""
    if settings.SEARCH_CACHE_SECONDS <= 0 or params.lat is None or params.lng is None:
        return None
    if params.in_city or params.radius_km > MAX_RADIUS_KM:
        return None
    south, west, north, east = bounding_box(params.lat, params.lng, params.radius_km)
    tokens = area_tokens(area_cells(south=south, west=west, north=north, east=east))
    (reference,) = cache_tokens(REFERENCE_KEY)
    made_of = repr((astuple(params), tokens, reference)).encode()
    return f"search-answer:{hashlib.blake2b(made_of, digest_size=16).hexdigest()}"


def answer_read(key: str) -> bytes | None:
    content = cache.get(key)
    return content if isinstance(content, bytes) else None


def answer_seconds(*, clinic_ids: list[int], now: datetime) -> int:
    """How long an answer listing ``clinic_ids``, computed at ``now``, stays true if nothing is written: until the
    first of their open times reaches its minimum notice, until the first hold at one of them lapses (it gives its
    time back without a write), and at most ``SEARCH_CACHE_SECONDS``. Two indexed queries."""
    cap = settings.SEARCH_CACHE_SECONDS
    if not clinic_ids:
        return cap
    leaves = NextOpenTime.objects.filter(clinic_id__in=clinic_ids, bookable_until__gte=now).aggregate(
        first=Min("bookable_until")
    )["first"]
    lapses = Hold.objects.filter(practitioner__clinic_id__in=clinic_ids, expires_at__gt=now).aggregate(
        first=Min("expires_at")
    )["first"]
    bounds = [cap] + [(moment - now).total_seconds() for moment in (leaves, lapses) if moment is not None]
    return max(0, min(cap, int(min(bounds))))


def answer_write(key: str, content: bytes, *, seconds: int) -> None:
    if seconds >= 1:
        cache.set(key, content, timeout=seconds)
