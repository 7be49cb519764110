from __future__ import annotations

from datetime import timedelta

import pytest

from booking.errors import SlotTaken, TooManyHolds
from booking.models import Hold
from booking.services import HOLD_FOR, MAX_HOLDS_PER_IP, MAX_HOLDS_PER_OWNER, hold_create, hold_release
from painhero.testing import NOW, SLOT, World, later


def hold(world: World, start=SLOT, now=NOW, owner_key="me", ip=None) -> Hold:
    return hold_create(practitioner=world.chen, service=world.service, start=start, now=now, owner_key=owner_key, ip=ip)


def test_a_hold_lasts_a_few_minutes_and_then_lapses_by_itself(world: World) -> None:
    held = hold(world)
    assert held.expires_at == NOW + HOLD_FOR
    assert Hold.objects.active(NOW + HOLD_FOR - timedelta(seconds=1)).filter(pk=held.pk).exists()
    assert not Hold.objects.active(NOW + HOLD_FOR).filter(pk=held.pk).exists()


def test_a_held_time_cannot_be_held_by_someone_else_until_it_lapses(world: World) -> None:
    hold(world)
    with pytest.raises(SlotTaken):
        hold(world, owner_key="someone-else")
    assert hold(world, owner_key="someone-else", now=NOW + HOLD_FOR).owner_key == "someone-else"


def test_clicking_the_same_time_again_gives_the_same_hold_without_extending_it(world: World) -> None:
    first = hold(world)
    again = hold(world, now=NOW + timedelta(minutes=2))
    assert again.pk == first.pk and again.expires_at == first.expires_at


def test_one_visitor_cannot_hoard_times(world: World) -> None:
    for n in range(MAX_HOLDS_PER_OWNER):
        hold(world, start=later(60 * n))
    with pytest.raises(TooManyHolds):
        hold(world, start=later(60 * MAX_HOLDS_PER_OWNER))
    # Once a hold lapses, the visitor may hold again.
    assert hold(world, start=later(300), now=NOW + HOLD_FOR)


def test_one_address_cannot_hoard_times_with_fresh_sessions(world: World) -> None:
    for n in range(MAX_HOLDS_PER_IP):
        hold(world, start=later(30 * n), owner_key=f"session-{n}", ip="203.0.113.9")
    with pytest.raises(TooManyHolds):
        hold(world, start=later(30 * MAX_HOLDS_PER_IP), owner_key="fresh", ip="203.0.113.9")


def test_a_released_hold_frees_the_time(world: World) -> None:
    held = hold(world)
    hold_release(hold=held, now=NOW)
    assert hold(world, owner_key="someone-else").start == SLOT
