"""Distances between a point and the clinics, for every app that looks for clinics near someone.

A clinic stores its position as a unit vector (``unit_x/y/z``, generated columns), so "within r km" is a box on
the indexed latitude/longitude, then plain arithmetic on the vector: no trigonometry per row in the database.
"""

from __future__ import annotations

import math
from typing import cast

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields import FloatField

from clinics.models import Clinic, ClinicQuerySet

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box holding every point within ``radius_km`` of (lat, lng).

    A degree of longitude shrinks with the cosine of the latitude, so the box widens towards
    the poles; it is widened by the cosine at the box's poleward edge, not at the centre, since
    the circle reaches furthest east and west there. Near a pole the box spans every longitude.
    (Crossing the antimeridian is clamped, not wrapped: no Canadian search comes near it.)
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    edge = max(abs(south), abs(north))
    if edge >= 89.9:
        return south, -180.0, north, 180.0
    dlng = math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(edge))))
    return south, max(-180.0, lng - dlng), north, min(180.0, lng + dlng)


def unit_vector(lat: float, lng: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lng)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def distance_from_haversine(hav: float) -> float:
    """Kilometres along the Earth's surface for ``hav = sin²(θ/2)``."""
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, hav))))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay, az), (bx, by, bz) = unit_vector(*a), unit_vector(*b)
    return distance_from_haversine(((ax - bx) ** 2 + (ay - by) ** 2 + (az - bz) ** 2) / 4)


def clinics_within(clinics: QuerySet[Clinic], *, center: tuple[float, float], radius_km: float) -> QuerySet[Clinic]:
    """Clinics within ``radius_km`` of ``center``, annotated with ``hav``, the haversine of the angle between them.

    With both points as unit vectors, ``hav = sin²(θ/2) = |p − c|² / 4`` (the chord): exact, and plain
    arithmetic on the clinic's stored ``unit_x/y/z``, so the database filters and orders by it. The arcsine and
    square root that turn it into kilometres are left to Python (``distance_from_haversine``).
    """
    south, west, north, east = bounding_box(center[0], center[1], radius_km)
    clinics = cast(ClinicQuerySet, clinics).within_box(south=south, west=west, north=north, east=east)
    # The columns are unqualified: no other table a clinic query joins has them (inside a subquery they name
    # the subquery's own clinic).
    return clinics.annotate(hav=haversine_sql(center)).filter(hav__lte=haversine_limit(radius_km))


def haversine_sql(center: tuple[float, float], *, table: str | None = None) -> RawSQL:
    """SQL for the haversine of the angle between ``center`` and the row's ``unit_x/y/z`` (see ``clinics_within``).

    Any table storing a place as those three columns can be tested with it (the practitioners' open days keep
    a copy of their clinic's); ``table`` qualifies the columns where a query joins another table that has them.
    """
    # Written as SQL: built from expressions, this one annotation cost a search more to compile than the
    # database spent evaluating it.
    prefix = f"{connection.ops.quote_name(table)}." if table else ""
    terms = " + ".join(f'({prefix}"{axis}" - %s) * ({prefix}"{axis}" - %s)' for axis in ("unit_x", "unit_y", "unit_z"))
    x, y, z = unit_vector(*center)
    return RawSQL(f"({terms}) / 4", (x, x, y, y, z, z), output_field=FloatField())  # noqa: S611 (names; values are parameters)


def haversine_limit(radius_km: float) -> float:
    """The largest haversine (``sin²(θ/2)``) of a point within ``radius_km``."""
    return math.sin(radius_km / EARTH_RADIUS_KM / 2) ** 2
