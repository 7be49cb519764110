"""Who else takes a practitioner's time: busy-time sources, registered by the apps above scheduling.

scheduling computes open times but does not own appointments or holds (booking does, one layer up), and a
lower app never imports a higher one. So booking registers a source in ``BookingConfig.ready``: a function
that answers a ``BusyQuery`` with one SQL ``SELECT`` of busy intervals. ``loading`` joins every source's
``SELECT`` to its own (time off, posted openings) in one ``UNION ALL`` query, so the database still turns the
stored datetimes into epoch seconds and an availability read still costs one round trip for every interval.

No source registered means nobody's appointments would count: that is a configuration error, raised, never
"everyone is free".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models


@dataclass(frozen=True)
class BusyQuery:
    """Busy intervals of these practitioners that overlap ``[low, high)``, as of ``now``."""

    practitioner_ids: list[int]
    low: datetime
    high: datetime
    now: datetime


# A source returns SELECTs of ``busy_columns(...)`` joined by UNION ALL (no ORDER BY, no semicolon), and parameters.
BusySource = Callable[[BusyQuery], tuple[str, list[Any]]]

_sources: dict[str, BusySource] = {}

# The kind loading gives a source's rows (its own are time off and posted openings).
BUSY_KIND = 2


def busy_source_register(name: str, source: BusySource) -> None:
    """Register (or replace, when ``ready()`` runs again) the source called ``name``."""
    _sources[name] = source


def busy_sources() -> list[BusySource]:
    """Every registered source, in name order; raises if there is none."""
    if not _sources:
        raise ImproperlyConfigured(
            "No busy-time source is registered, so appointments and holds would not count: "
            "is 'booking' in INSTALLED_APPS (its AppConfig.ready registers one)?"
        )
    return [_sources[name] for name in sorted(_sources)]


def busy_columns(*, start: str = "start", end: str = "end", lapses: str | None = None) -> str:
    """The select list every source yields: practitioner id, start, end (epoch seconds), kind, lapses.

    ``lapses``: the column of the moment a busy time frees itself (a hold's expiry), or none.
    """
    q = connection.ops.quote_name
    lapse = sql_epoch(q(lapses)) if lapses is not None else "CAST(NULL AS BIGINT)"
    return f"practitioner_id, {sql_epoch(q(start))}, {sql_epoch(q(end))}, {BUSY_KIND}, {lapse}"


# Plain-SQL helpers shared by loading and the sources.


def sql_epoch(column: str) -> str:
    """An expression for a datetime column as integer epoch seconds."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"  # %% is a literal % next to %s parameters


def sql_marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def sql_table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def sql_instant(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)
