"""The adjusted rating: a Bayesian average toward the network mean, so a few five-star reviews do not outrank
hundreds of 4.7s. Pure; the "How we inspect" page states ``M`` and ``C``.

    adjusted = v / (v + M) × R + M / (v + M) × C

with ``v`` the clinic's count of published verified reviews, ``R`` their mean rating, ``M`` the weight of the
prior (as many reviews as it counts for) and ``C`` the network mean it pulls toward.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

M = 10
C = Decimal("4.20")
TWO_PLACES = Decimal("0.01")


def adjusted_rating(*, mean: Decimal | None, count: int) -> Decimal | None:
    """The adjusted rating to two places; None without any review (nothing to adjust)."""
    if not count or mean is None:
        return None
    v = Decimal(count)
    value = v / (v + M) * Decimal(mean) + Decimal(M) / (v + M) * C
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
