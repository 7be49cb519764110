"""The booking tests use the suite's one world (painhero/testing.py, fixture ``world`` in the root conftest)."""

from __future__ import annotations

# directory/tests/test_search_availability.py still imports ``patient`` from here; it lives in painhero.testing.
from painhero.testing import patient

__all__ = ["patient"]
