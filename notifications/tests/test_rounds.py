"""RoundsCommand: the loop of the workers bin/serve runs (outbox, availability, SMART feed)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections

from notifications import rounds


class Stop(Exception):
    pass


class Counting(rounds.RoundsCommand):
    """Does ``work[i]`` units in round i; goes again at once after a round of 3 or more."""

    def __init__(self, work: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work = work
        self.rounds = 0

    def one_round(self, **options: Any) -> rounds.Round:
        done = self.work[self.rounds]
        self.rounds += 1
        return rounds.Round(done, f"did {done}", more_waiting=done >= 3)


def _sleeps_until(monkeypatch: pytest.MonkeyPatch, command: Counting) -> list[float]:
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if command.rounds >= len(command.work):
            raise Stop

    monkeypatch.setattr(rounds.time, "sleep", nap)
    return naps


def test_once_by_default_and_quiet_when_nothing_was_done() -> None:
    out = StringIO()
    command = Counting([0], stdout=out)
    call_command(command)
    assert command.rounds == 1
    assert out.getvalue() == ""
    call_command(Counting([2], stdout=out))
    assert out.getvalue() == "did 2\n"


class Flushes(StringIO):
    """What a pipe's reader sees: only what was flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = ""

    def flush(self) -> None:
        self.seen = self.getvalue()


def test_each_line_is_flushed_as_it_is_written() -> None:
    out = Flushes()
    call_command(Counting([2], stdout=out))
    assert out.seen == "did 2\n"


def test_every_n_seconds_and_at_once_while_more_is_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    out = StringIO()
    command = Counting([5, 4, 1, 0], stdout=out)
    naps = _sleeps_until(monkeypatch, command)
    with pytest.raises(Stop):
        call_command(command, "--every", "30", verbosity=2)
    assert command.rounds == 4
    assert naps == [30, 30]  # none after the two full rounds
    assert out.getvalue().splitlines() == ["did 5", "did 4", "did 1", "did 0"]


@pytest.mark.django_db(transaction=True)
def test_a_connection_broken_while_the_loop_slept_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    connection = connections["default"]
    connection.ensure_connection()
    broken = connection.connection
    command = Counting([0, 0], stdout=StringIO())

    def nap(seconds: float) -> None:
        # The database went away during the sleep: the next use of this connection would fail.
        connection.errors_occurred = True
        monkeypatch.setattr(connection, "is_usable", lambda: False, raising=False)
        if command.rounds >= len(command.work):
            raise Stop

    monkeypatch.setattr(rounds.time, "sleep", nap)
    with pytest.raises(Stop):
        call_command(command, "--every", "60")
    monkeypatch.undo()
    assert connection.connection is not broken  # closed after the first round: the next opens a new one
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
