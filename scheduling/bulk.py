"""Fast multi-row INSERTs (COPY on PostgreSQL) from plain tuples, for the precomputed table and the demo generator.

Django's ``bulk_create`` builds a model instance per row and runs every value through the field's
conversion chain; at hundreds of thousands of rows that is most of the time. Here rows are tuples
of Python values, converted once per column kind, and sent with ``executemany``. Fields not named
get their default (callable defaults are called per row; ``auto_now``/``auto_now_add`` get ``now``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from django.db import connection, models
from django.utils import timezone

# From this many rows PostgreSQL gets COPY; fewer (a booking's refresh writes five) go as one pipelined
# executemany, which costs fewer round trips than starting a COPY.
COPY_FROM = 1000


@lru_cache(maxsize=65536)
def _sqlite_datetime(value: datetime | None) -> str | None:
    # The format Django's SQLite backend stores: naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    # Cached: a batch repeats the same instants (computed_at, shared slot starts) many times.
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))


def _iso(value: date | time | None) -> str | None:
    return None if value is None else value.isoformat()


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    if connection.vendor != "sqlite":
        return None  # psycopg adapts datetimes, dates, times and booleans itself
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(field, models.DateField | models.TimeField):
        return _iso
    return None


def rows_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple], *, batch: int = 5000) -> int:
    """Insert ``rows`` (values for the fields named by attname in ``columns``) into ``model``'s table."""
    meta = model._meta
    named = [_concrete(meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)) for name in columns]
    others = [
        f
        for f in meta.concrete_fields
        if f.attname not in columns
        and not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
        and not f.generated  # the database computes it
    ]
    now = timezone.now()
    fillers: list[Callable[[], Any]] = []
    for field in others:
        if _auto(field):
            fillers.append(lambda: now)
        elif field.has_default():
            default = field.default
            if callable(default):
                fillers.append(default)
            else:
                fillers.append(_constant(default))
        elif field.null:
            fillers.append(lambda: None)
        else:
            raise ValueError(f"{model.__name__}.{field.name} has no default: name it in the columns")
    if connection.vendor == "postgresql":
        rows = list(rows)
        if len(rows) >= COPY_FROM:
            return _copy(meta.db_table, [*named, *others], rows, fillers)
    converting = [(i, c) for i, c in enumerate(_converter(f) for f in [*named, *others]) if c is not None]
    names = ", ".join(_column(f) for f in [*named, *others])
    marks = ", ".join(["%s"] * (len(named) + len(others)))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    pending: list[list] = []
    count = 0
    tail: tuple | None = None
    if not any(callable(f.default) and f.has_default() and not _auto(f) for f in others):
        # Every filled-in column is the same on each row: fill and convert it once, not per row.
        filled = [fill() for fill in fillers]
        for i, convert in converting:
            if i >= len(named):
                filled[i - len(named)] = convert(filled[i - len(named)])
        tail = tuple(filled)
        converting = [(i, c) for i, c in converting if i < len(named)]
    with connection.cursor() as cursor:
        for row in rows:
            values = [*row, *(tail if tail is not None else (fill() for fill in fillers))]
            for i, convert in converting:
                values[i] = convert(values[i])
            pending.append(values)
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                count += len(pending)
                pending = []
        if pending:
            cursor.executemany(sql, pending)
            count += len(pending)
    return count


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _concrete(field: models.Field[Any, Any] | models.ForeignObjectRel | Any) -> models.Field[Any, Any]:
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{field} is not a column")
    return field


def _column(field: models.Field[Any, Any]) -> str:
    if field.column is None:
        raise ValueError(f"{field} has no column")
    return connection.ops.quote_name(field.column)


def _auto(field: models.Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _copy(table: str, fields: list[models.Field], rows: Iterable[tuple], fillers: list[Callable[[], Any]]) -> int:
    """PostgreSQL: ``COPY ... FROM STDIN``, several times faster than INSERTs (no statement per row to parse)."""
    names = ", ".join(_column(f) for f in fields)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((*row, *(fill() for fill in fillers)) if fillers else row)
            count += 1
    return count
