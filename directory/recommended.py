"""The "recommended" order of a search: near, soon, and a little better inspected and rated.

Each clinic gets a cost in kilometres, and the page lists the lowest costs first::

    cost_km = distance_km + WAIT_KM_PER_DAY × min(wait_days, WAIT_CAP_DAYS) − BOOST_MAX_KM × quality

    quality = SCORE_WEIGHT × score / 100 + RATING_WEIGHT × (adjusted − 1) / 4          (between 0 and 1)

- ``distance_km``: along the Earth's surface from the point searched.
- ``wait_days``: from now to the clinic's next open time for what was searched (fractions of a day count);
  a clinic with nothing open is given the cap, ``WAIT_CAP_DAYS``.
- ``score``: the stored inspection score (0 to 100); none yet counts as 0.
- ``adjusted``: the stored adjusted rating (1 to 5, the Bayesian average of ``quality/ratings.py``); before any
  review it counts as the network mean ``C`` the average pulls toward, so having no reviews neither helps nor hurts.

The boost is bounded: the best score and rating take at most ``BOOST_MAX_KM`` off, so a clinic more than that much
farther than another (and open no sooner) never comes first on its score alone. Ties end on name, then id.
Paid placement has no term here, and nothing else enters the order.

The cost is one SQL expression over columns the search already reads (the distance's ``hav``, the stored score,
the rating's one-to-one row, the next opening's index seek): no query per clinic, nothing sorted in Python.
Because ``cost_km >= distance_km − BOOST_MAX_KM``, a page can be looked for in growing circles
(``directory.selectors._recommended_ids``): once the page's last cost is below ``ring − BOOST_MAX_KM``, no clinic
outside the ring can come before it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import ExpressionWrapper, F, FloatField, Func, Value
from django.db.models.functions import ASin, Cast, Coalesce, Greatest, Least, Sqrt

from clinics.geo import EARTH_RADIUS_KM
from quality.ratings import C as NETWORK_MEAN_RATING
from scheduling.search import next_available_subquery

WAIT_KM_PER_DAY = 1.0  # a day's wait weighs as much as a kilometre farther
WAIT_CAP_DAYS = 14.0  # waits past two weeks (or nothing open) all weigh the same
BOOST_MAX_KM = 3.0  # the most the score and rating can take off (a perfect 100 and 5.0)
SCORE_WEIGHT = 0.6
RATING_WEIGHT = 0.4
SECONDS_PER_DAY = 86_400


class _EpochDays(Func):
    """Days since 1970-01-01 UTC of a datetime expression (a float), in each database's own arithmetic."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite stores UTC text; julianday() of the Unix epoch is 2440587.5.
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s) - 2440587.5)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template=f"(EXTRACT(EPOCH FROM %(expressions)s) / {SECONDS_PER_DAY}.0)", **extra
        )


def quality_of(*, score: int | None, adjusted: Decimal | float | None) -> float:
    """The quality term (0 to 1) for one clinic, as the SQL computes it: for tests and the README's examples."""
    rating = float(adjusted if adjusted is not None else NETWORK_MEAN_RATING)
    return SCORE_WEIGHT * (score or 0) / 100 + RATING_WEIGHT * (rating - 1) / 4


def cost_km(*, distance_km: float, wait_days: float | None, score: int | None, adjusted: Decimal | None) -> float:
    """The cost of one clinic, as the SQL computes it (``wait_days`` None: nothing open)."""
    wait = WAIT_CAP_DAYS if wait_days is None else min(WAIT_CAP_DAYS, max(0.0, wait_days))
    return distance_km + WAIT_KM_PER_DAY * wait - BOOST_MAX_KM * quality_of(score=score, adjusted=adjusted)


def recommended_cost(*, now: datetime, has_point: bool, **searched: Any) -> ExpressionWrapper:
    """The cost as an expression for a ``Clinic`` queryset (annotated with ``hav`` when ``has_point``).

    ``searched`` are the filters the next opening is read for (``discipline``, ``technique``, ``language``), the
    same ones the times shown on the page use. Lower is better.
    """
    float_ = FloatField()
    now_days = now.timestamp() / SECONDS_PER_DAY
    # Nothing open (NULL) takes the cap first: PostgreSQL's GREATEST and LEAST skip NULLs, SQLite's pass them on.
    waited = Coalesce(_EpochDays(next_available_subquery(now=now, **searched)) - Value(now_days), Value(WAIT_CAP_DAYS))
    wait = Least(Value(WAIT_CAP_DAYS), Greatest(Value(0.0), waited, output_field=float_), output_field=float_)
    cost = Value(WAIT_KM_PER_DAY) * wait - Value(BOOST_MAX_KM) * _quality()
    if has_point:
        cost = _distance() + cost
    return ExpressionWrapper(cost, output_field=float_)


def recommended_floor() -> ExpressionWrapper:
    """The lowest cost a clinic can have whatever its wait: ``distance_km − BOOST_MAX_KM × quality``.

    Stored columns only (the distance's ``hav``, the score, the rating's row): no seek into the next openings, so
    a dense circle's clinics are ordered by it for a fraction of what costing each would take. ``cost_km >= floor``
    always (the wait adds zero or more), which is what ``directory.selectors._recommended_ids`` relies on.
    """
    return ExpressionWrapper(_distance() - Value(BOOST_MAX_KM) * _quality(), output_field=FloatField())


def _quality() -> Any:
    float_ = FloatField()
    score = Coalesce(Cast("inspection_score", float_), Value(0.0))
    adjusted = Coalesce(Cast("rating__adjusted", float_), Value(float(NETWORK_MEAN_RATING)))
    return Value(SCORE_WEIGHT / 100) * score + Value(RATING_WEIGHT / 4) * (adjusted - Value(1.0))


def _distance() -> Any:
    float_ = FloatField()
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(Value(1.0), F("hav"), output_field=float_)))
