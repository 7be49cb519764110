"""The search API as a patient's browser calls it: GET /api/v1/clinics near Toronto, and the city autocomplete."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client

TORONTO = {"lat": "43.6532", "lng": "-79.3832"}
WARM_UP = 20
REQUESTS = 200
CASES: list[tuple[str, str, dict[str, str]]] = [
    ("clinics within 25 km of Toronto", "/api/v1/clinics", {**TORONTO, "radius_km": "25"}),
    (
        "... physiotherapy only",
        "/api/v1/clinics",
        {**TORONTO, "radius_km": "25", "discipline": "physiotherapy"},
    ),
    ("... by score, page 3", "/api/v1/clinics", {**TORONTO, "radius_km": "25", "sort": "score", "page": "3"}),
    ("clinics within 250 km of Toronto", "/api/v1/clinics", {**TORONTO, "radius_km": "250"}),
    ("city autocomplete 'mon'", "/api/v1/cities", {"q": "mon"}),
]


def run(*, clinics: int) -> list[dict[str, Any]]:
    client = Client()
    figures: list[dict[str, Any]] = []
    for label, path, query in CASES:
        first = client.get(path, query)
        if first.status_code != 200:
            raise RuntimeError(f"{path} {query} answered {first.status_code}: {first.content[:300]!r}")
        body = first.json()
        for _ in range(WARM_UP):
            client.get(path, query)
        samples = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(path, query)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} {query} answered {response.status_code} after warm-up")
        matched = body["count"] if isinstance(body, dict) else len(body)
        figures.append({"label": f"{label} ({matched:,} found)", "samples_ms": samples})
    return figures
