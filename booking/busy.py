"""Booking's busy times for the availability engine: appointments that take time and active holds.

Registered in ``BookingConfig.ready`` (``scheduling.busy``); scheduling joins this SQL to its own intervals.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection

from booking.models import Appointment, AppointmentStatus, Hold
from scheduling.busy import BusyQuery, busy_columns, sql_instant, sql_marks, sql_table

# Appointments are never longer than a working day; looking this far back finds those still running.
LONGEST_APPOINTMENT = timedelta(hours=12)


def appointments_and_holds(query: BusyQuery) -> tuple[str, list[Any]]:
    """Appointments not cancelled that start in the window (or up to 12 h before it) and unexpired holds."""
    q = connection.ops.quote_name
    marks = sql_marks(len(query.practitioner_ids))
    sql = (
        f"SELECT {busy_columns()} FROM {sql_table(Appointment)}"  # noqa: S608 (no input)
        f" WHERE practitioner_id IN ({marks}) AND {q('start')} > %s AND {q('start')} < %s AND status <> %s"
        f" UNION ALL SELECT {busy_columns(lapses='expires_at')} FROM {sql_table(Hold)}"
        f" WHERE practitioner_id IN ({marks}) AND {q('end')} > %s AND {q('start')} < %s AND expires_at > %s"
    )
    low, high = sql_instant(query.low), sql_instant(query.high)
    params: list[Any] = [
        *query.practitioner_ids,
        sql_instant(query.low - LONGEST_APPOINTMENT),
        high,
        AppointmentStatus.CANCELLED.value,
    ]
    params += [*query.practitioner_ids, low, high, sql_instant(query.now)]
    return sql, params
