"""HTTP throughput on one gunicorn (2 workers) with ``wrk`` on loopback, all in one run on one server.

``/healthz`` (the ceiling: Django with no query), the search API over 240 points across the Greater Toronto
Area (radius, discipline and order varying, so no single cached answer serves them), and 200 clinic pages
of the area; search and clinic pages are printed as a percentage of ``/healthz`` (targets >= 15% and >= 10%).
The server shares a Redis cache as deployed (REDIS_URL, or one on 127.0.0.1:6379, its database 15): clinic pages
are measured as visitors without a session get them once each has been visited (stored, for at most 30 s or
until a write), and again on a second server that renders every one (a signed-in visitor, or a first visit).
Search answers are kept as deployed (``SEARCH_CACHE_SECONDS``, 10 s, until a write in their area; the run
begins with nothing kept, so its first pass computes every answer), and measured again on the second server
with every answer computed.

Without ``wrk`` the figures are skipped with a message saying how to install it. The port is
BENCH_HTTP_PORT (``--http-port``) or a free one; ``BENCH_HTTP_SECONDS`` sets each run's length (10 s).
The figures depend on the machine more than anything else: note the load average.
"""

from __future__ import annotations

import os
import random
import tempfile
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Everything this benchmark asks of the project, in one place (other branches move code around).
from bench import server
from clinics.models import Clinic
from scheduling.cache import next_open_times_refresh

SEARCH = "/api/v1/clinics"
HEALTH = "/healthz"


def clinic_page(city_slug: str, clinic_slug: str) -> str:
    return f"/clinics/{city_slug}/{clinic_slug}/"


WORKERS = 2
CONNECTIONS = 16
THREADS = 2
SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", "10"))
# The Greater Toronto Area, roughly Hamilton's edge to Oshawa and Lake Ontario to Newmarket.
GTA = {"south": 43.45, "north": 44.05, "west": -79.95, "east": -78.85}
SEARCH_POINTS = 240
CLINIC_PAGES = 200


def search_paths(count: int = SEARCH_POINTS, seed: int = 1) -> list[str]:
    """``count`` distinct search URLs at random points of the GTA, radius, discipline and order varying."""
    rng = random.Random(seed)
    paths: list[str] = []
    while len(paths) < count:
        query = {
            "lat": f"{rng.uniform(GTA['south'], GTA['north']):.4f}",
            "lng": f"{rng.uniform(GTA['west'], GTA['east']):.4f}",
            "radius_km": str(rng.choice([5, 10, 25])),
        }
        if discipline := rng.choice(["", "physiotherapy", "chiropractic", "massage_therapy"]):
            query["discipline"] = discipline
        if rng.random() < 0.5:
            query["sort"] = "soonest"
        path = f"{SEARCH}?{urlencode(query)}"
        if path not in paths:
            paths.append(path)
    return paths


def _clinic_paths() -> list[str]:
    rows = (
        Clinic.objects.in_network()
        .filter(
            latitude__gte=GTA["south"],
            latitude__lte=GTA["north"],
            longitude__gte=GTA["west"],
            longitude__lte=GTA["east"],
        )
        .order_by("pk")
        .values_list("city__slug", "slug")
    )
    found = [clinic_page(city, slug) for city, slug in rows]
    rng = random.Random(2)
    return rng.sample(found, min(CLINIC_PAGES, len(found)))


def _check(base: str, paths: list[str]) -> None:
    for path in paths[:3]:
        with urllib.request.urlopen(base + path, timeout=30) as answer:  # noqa: S310 (our own loopback URL)
            if answer.status != 200:
                raise RuntimeError(f"{path} answered {answer.status}")


def _visit_each(base: str, paths: list[str]) -> None:
    for path in paths:
        with urllib.request.urlopen(base + path, timeout=30) as answer:  # noqa: S310 (our own loopback URL)
            answer.read()


def _fresh_next_open_times() -> None:
    """Bring the GTA clinics' next open times up to now, as the worker keeps them in production.

    The cached network's were computed when it was built: left stale, every search would recompute its page's
    clinics first (writes, which two workers on SQLite take turns at), and the bench would measure that instead.
    """
    from django.utils import timezone

    ids = list(
        Clinic.objects.in_network()
        .filter(
            latitude__range=(GTA["south"] - 0.3, GTA["north"] + 0.3),
            longitude__range=(GTA["west"] - 0.4, GTA["east"] + 0.4),
        )
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    for first in range(0, len(ids), 200):
        next_open_times_refresh(clinic_ids=ids[first : first + 200], now=now)


def run(*, clinics: int) -> list[dict[str, Any]]:
    from django.db import connection

    vendor = connection.vendor
    wrk = server.wrk_path()
    if wrk is None:
        return [{"label": "http: requests/s", "value": "skipped: wrk is not installed (apt-get install wrk)"}]
    if server.gunicorn_path() is None:
        return [{"label": "http: requests/s", "value": "skipped: gunicorn is not installed in the virtualenv"}]
    searches, pages = search_paths(), _clinic_paths()
    if not pages:
        return [{"label": "http: clinic pages", "value": "skipped: no clinic of the network in the GTA"}]
    found: dict[str, dict[str, str]] = {}
    _fresh_next_open_times()
    load = server.load_average()
    redis_url = server.redis_url()
    # Two servers, one after the other: as deployed (the shared cache, clinic pages stored for visitors without
    # a session) and with every clinic page rendered (what a first visit, or a signed-in visitor, costs).
    shared = {"REDIS_URL": redis_url, "CACHE_KEY_PREFIX": f"bench-{os.getpid()}"} if redis_url else {}
    servers: list[tuple[dict[str, str], dict[str, list[str] | None]]] = [
        (shared, {"healthz": None, "search": searches, "clinic": pages}),
        (
            {**shared, "CLINIC_PAGE_CACHE_SECONDS": "0", "SEARCH_CACHE_SECONDS": "0"},
            {"search-computed": searches, "clinic-rendered": pages},
        ),
    ]
    with tempfile.TemporaryDirectory() as folder:
        for env, runs in servers:
            with server.gunicorn(workers=WORKERS, env=env) as base:
                _check(base, searches)
                _check(base, pages)
                for name, paths in runs.items():
                    if name == "clinic" and env.get("REDIS_URL"):
                        _visit_each(base, paths or [])  # what visitors before this run left stored
                    script = server.wrk_script(paths, Path(folder) / f"{name}.lua") if paths else None
                    found[name], report = server.wrk_run(
                        wrk,
                        base + (HEALTH if paths is None else "/"),
                        threads=THREADS,
                        connections=CONNECTIONS,
                        seconds=SECONDS,
                        script=script,
                    )
                    print(f"--- wrk {name} ---\n{report}")
    cache = "Redis cache" if redis_url else "per-process cache (no Redis: clinic pages not stored)"
    setup = (
        f"gunicorn {WORKERS} workers, {cache}, wrk {CONNECTIONS} connections {SECONDS} s each, {vendor}, load {load}"
    )
    health = float(found["healthz"].get("rps", "0") or 0)

    def figure(name: str, label: str, target: int | None = None) -> dict[str, Any]:
        got = found[name]
        rps = float(got.get("rps", "0") or 0)
        share = f"; {100 * rps / health:.1f}% of /healthz (target >= {target}%)" if target and health else ""
        return {
            "label": f"http: {label}",
            "key": f"http-{name}",
            "value": f"{rps:.0f} requests/s ({got.get('requests', '?')} requests, {got['non_2xx']} non-2xx; "
            f"latency {got.get('latency', '?')}){share}",
        }

    return [
        {"label": "http: setup", "value": setup},
        figure("healthz", "/healthz (no query: the ceiling)"),
        figure("search", f"search API over {len(searches)} GTA points, answers kept (a miss computes it)", 15),
        figure("search-computed", f"search API over {len(searches)} GTA points, every answer computed", 15),
        figure("clinic", f"clinic pages ({len(pages)} clinics of the GTA), each visited once before (stored)", 10),
        figure("clinic-rendered", f"clinic pages ({len(pages)} clinics), each rendered (signed in, first visit)", 10),
    ]
