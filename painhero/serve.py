"""``bin/serve``: run the web server and the background workers, each supervised on its own.

A program that exits (a crash, kill -9, a database that is down at start) is started again after a
pause that doubles on each quick failure (1 s, 2 s, 4 s ... 30 s) and resets once it has stayed up for a
minute. One program's death never stops another; the web keeps answering while a worker comes back.
Ctrl-C or SIGTERM stops everything: each program gets SIGTERM, then SIGKILL after a grace period.

Why not honcho (or foreman): they stop every process when one exits, which is the behaviour this
replaces. Why not supervisord or systemd: they are the right tools on a server (see the README) but not
something ``make run`` can assume; this file is small and has no dependency.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Program:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float = 0.0
    restart_at: float | None = None
    restarts: int = field(default=0)


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the supervisor itself is killed (Linux), so nothing is orphaned."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Supervisor:
    def __init__(
        self,
        programs: Sequence[Program],
        *,
        backoff_first: float = 1.0,
        backoff_max: float = 30.0,
        stable_after: float = 60.0,
        grace: float = 20.0,
        poll: float = 0.2,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.programs = list(programs)
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.grace = grace
        self.poll = poll
        self.stopping = threading.Event()
        self._say = say or (lambda line: print(f"serve: {line}", flush=True))

    def _start(self, program: Program) -> None:
        # A session of its own: Ctrl-C reaches only the supervisor, which stops the children in order,
        # and a kill of the whole group (gunicorn and its workers) is one call.
        program.process = subprocess.Popen(program.argv, cwd=ROOT, start_new_session=True, preexec_fn=_die_with_parent)  # noqa: S603
        program.started_at = time.monotonic()
        program.restart_at = None
        self._say(f"started {program.name} (pid {program.process.pid})")

    def _reap(self, program: Program, now: float) -> None:
        assert program.process is not None  # noqa: S101
        code = program.process.returncode
        ran_for = now - program.started_at
        program.delay = (
            self.backoff_first
            if ran_for >= self.stable_after
            else min(max(program.delay * 2, self.backoff_first), self.backoff_max)
        )
        program.restart_at = now + program.delay
        program.restarts += 1
        program.process = None
        self._say(f"{program.name} exited (code {code}) after {ran_for:.0f}s; restarting in {program.delay:g}s")

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def run(self, *, install_signals: bool = True) -> int:
        if install_signals:
            signal.signal(signal.SIGINT, self.stop)
            signal.signal(signal.SIGTERM, self.stop)
        try:
            for program in self.programs:
                self._start(program)
            while not self.stopping.is_set():
                now = time.monotonic()
                for program in self.programs:
                    if program.process is not None and program.process.poll() is not None:
                        self._reap(program, now)
                    elif program.process is None and program.restart_at is not None and now >= program.restart_at:
                        self._start(program)
                self.stopping.wait(self.poll)
        finally:
            self._stop_all()
        return 0

    def _signal(self, program: Program, sig: int) -> None:
        if program.process is None or program.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(program.process.pid, sig)

    def _stop_all(self) -> None:
        self._say("stopping")
        for program in self.programs:
            self._signal(program, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for program in self.programs:
            if program.process is None:
                continue
            try:
                program.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self._say(f"{program.name} did not stop in {self.grace:.0f}s: killing it")
                self._signal(program, signal.SIGKILL)
                program.process.wait()


def programs_from_env(env: dict[str, str] | None = None) -> list[Program]:
    """What ``bin/serve`` runs: gunicorn, the task worker, and the two safety-net loops."""
    env = dict(os.environ if env is None else env)
    bin_dir = Path(sys.executable).parent
    python = sys.executable
    manage = str(ROOT / "manage.py")
    host, port, workers = env.get("HOST", "127.0.0.1"), env.get("PORT", "8000"), env.get("WORKERS", "2")
    return [
        Program(
            "web",
            [
                str(bin_dir / "gunicorn"),
                "painhero.wsgi",
                "--config",
                str(ROOT / "painhero" / "gunicorn_conf.py"),
                "--bind",
                f"{host}:{port}",
                "--workers",
                workers,
            ],
        ),
        # Delivers queued tasks, beats a heartbeat, and re-queues the tasks of workers that died.
        Program("worker", [python, manage, "task_worker", "--interval", "1"]),
        # Safety nets: outbox rows whose task was lost, and next-available times as time passes.
        Program("outbox", [python, manage, "outbox_sweep", "--every", "60"]),
        Program("availability", [python, manage, "refresh_availability", "--every", "60"]),
    ]


def main() -> int:
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    print(f"PainHero is serving on http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    return Supervisor(programs_from_env()).run()


if __name__ == "__main__":
    sys.exit(main())
