from __future__ import annotations

from typing import Any

import pytest

from booking.tests.conftest import World, make_world


@pytest.fixture
def world(db: Any) -> World:
    return make_world()
