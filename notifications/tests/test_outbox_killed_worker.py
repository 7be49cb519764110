"""Nothing is sent twice after a worker is killed mid-batch: real worker processes on the test database.

A first worker (``manage.py outbox_sweep`` in a subprocess) sends a batch of once-only messages through an email
backend that records each one in a file (``killable_email_backend``) and hangs right after handing over the
fourth: sent, not yet marked sent. The test SIGKILLs it there, then a second worker process drains the outbox
after the dead worker's claims have lapsed. Every message must be in the file exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from booking.models import WaitlistEntry
from booking.waitlist import WaitlistWhere, waitlist_join
from notifications.models import OutboxMessage
from notifications.services import CLAIM_FOR
from painhero.testing import make_world, patient

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 10
BLOCK_AFTER = 3  # the 4th message is handed over, then the worker hangs
# How long a worker may take to start and reach the hang (Django's start-up on a loaded 2-core machine).
STARTUP = 120


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "painhero.settings",
        "EMAIL_BACKEND": "notifications.tests.killable_email_backend.KillableBackend",
        "OUTBOX_TEST_LOG": str(tmp_path / "delivered.log"),
        "OUTBOX_TEST_BLOCKED": str(tmp_path / "blocked"),
        **extra,
    }


def _wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the worker says it hangs (the file appears); fail if it ends or takes too long instead."""
    deadline = time.monotonic() + STARTUP
    while not path.exists():
        if process.poll() is not None:
            errors = process.stderr.read().decode()[-2000:] if process.stderr else ""
            pytest.fail(f"the first worker ended (exit {process.returncode}) before it hung: {errors}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the first worker did not reach the hang")
        time.sleep(0.05)  # polling a file another process writes: no clock of ours is involved


def _delivered(tmp_path: Path) -> Counter[str]:
    log = tmp_path / "delivered.log"
    return Counter(log.read_text().split()) if log.exists() else Counter()


def test_a_worker_killed_mid_batch_leaves_nothing_sent_twice_and_the_next_worker_sends_the_rest(tmp_path: Path) -> None:
    # The real clock: the workers are other processes, which no frozen clock of this one reaches.
    world = make_world()
    now = timezone.now()
    for n in range(MESSAGES):
        waitlist_join(
            where=WaitlistWhere(clinic=world.clinic),
            before=now.date() + timedelta(days=30),
            windows=[],
            patient=patient(n),
            language="en",
            now=now,
        )
    expected = {f"patient{n}@example.com" for n in range(MESSAGES)}
    assert OutboxMessage.objects.filter(kind="booking.waitlist_joined", dedupe_key__isnull=False).count() == MESSAGES

    first = subprocess.Popen(
        [sys.executable, "manage.py", "outbox_sweep"],
        cwd=ROOT,
        env=_env(tmp_path, OUTBOX_TEST_BLOCK_AFTER=str(BLOCK_AFTER)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _wait_for(tmp_path / "blocked", first)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert first.returncode == -signal.SIGKILL
    after_kill = _delivered(tmp_path)
    assert sum(after_kill.values()) == BLOCK_AFTER + 1, "killed mid-batch: four handed over, six never tried"
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == BLOCK_AFTER, "the fourth was never marked"

    # The second worker comes after the dead one's claims have lapsed: whatever it may take again, it takes.
    later = (timezone.now() + CLAIM_FOR + timedelta(seconds=1)).isoformat()
    second = subprocess.run(  # noqa: S603 (our own argv)
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from datetime import datetime; from notifications.services import outbox_sweep; "
            f"outbox_sweep(now=datetime.fromisoformat({later!r}))",
        ],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        timeout=STARTUP,
        check=False,
    )
    assert second.returncode == 0, second.stderr.decode()[-2000:]
    delivered = _delivered(tmp_path)
    twice = sorted(address for address, count in delivered.items() if count > 1)
    assert twice == [], f"sent more than once: {twice}"
    never = sorted(expected - set(delivered))
    assert never == [], f"never sent: {never}"
    assert set(delivered) == expected
    assert WaitlistEntry.objects.count() == MESSAGES
