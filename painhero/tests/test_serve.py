"""bin/serve keeps the site up: a dead worker is started again and never takes the web down; a database
that is down at start leaves the web answering 503; Ctrl-C stops everything."""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from painhero.serve import Program, Supervisor

ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"serve: started (\w+) \(pid (\d+)\)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition: Callable[[], Any], *, within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"timed out after {within:.0f}s waiting for {what}")


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _answers(url: str) -> int | None:
    try:
        return _get(url)[0]
    except OSError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone(pid: int) -> bool:
    return not _alive(pid)


class Serve:
    """bin/serve running in a session of its own, with its output in a file."""

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.output = tmp_path / "serve.log"
        env = {**os.environ, "PORT": str(self.port), "WORKERS": "1", "DATABASE_URL": database_url}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [str(ROOT / "bin" / "serve")],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def pids(self, name: str) -> list[int]:
        return [int(pid) for program, pid in STARTED.findall(self.log()) if program == name]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        return self.process.wait(timeout=40)

    def kill_all(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for name in ("web", "worker", "outbox", "availability"):
            for pid in self.pids(name):
                if _alive(pid):
                    os.killpg(pid, signal.SIGKILL)


@pytest.fixture
def serve(tmp_path: Path, collected_static: None) -> Iterator[Callable[[str], Serve]]:
    started: list[Serve] = []

    def start(database_url: str) -> Serve:
        server = Serve(tmp_path, database_url)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill_all()


def test_a_worker_killed_with_sigkill_is_started_again_and_the_web_keeps_answering(
    serve: Callable[[str], Serve], tmp_path: Path
) -> None:
    server = serve(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    _wait_for(lambda: _answers(f"{server.base}/healthz") == 200, within=60, what="the web to answer")
    [worker] = _wait_for(lambda: server.pids("worker"), within=10, what="the worker")
    [web] = server.pids("web")

    os.kill(worker, signal.SIGKILL)

    pids = _wait_for(lambda: server.pids("worker")[1:], within=15, what="the worker to be started again")
    assert pids[0] != worker
    assert _alive(pids[0])
    assert "worker exited (code -9)" in server.log()
    assert _answers(f"{server.base}/healthz") == 200
    assert server.pids("web") == [web]  # the web was never restarted: nothing took it down

    assert server.stop() == 0
    for pid in (web, pids[0]):
        _wait_for(functools.partial(_gone, pid), within=5, what=f"process {pid} to end after Ctrl-C")


def test_with_the_database_down_at_start_the_site_answers_503_and_the_worker_waits_for_it(
    serve: Callable[[str], Serve],
) -> None:
    # Nothing listens on port 1: connections are refused at once, as when PostgreSQL is down.
    server = serve("postgres://painhero@127.0.0.1:1/painhero")
    _wait_for(lambda: _answers(f"{server.base}/healthz") == 200, within=60, what="the web to answer")

    status, headers, body = _get(f"{server.base}/fr/clinics/")
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert '<html lang="fr">' in body.decode()
    assert 'class="site-header"' in body.decode()

    status, headers, body = _get(f"{server.base}/api/v1/cities?q=Tor")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["detail"]

    status, _, body = _get(f"{server.base}/readyz")
    assert status == 503
    assert json.loads(body)["checks"]["database"]["ok"] is False

    _wait_for(lambda: "worker: database unavailable" in server.log(), within=30, what="the worker to notice")
    [worker] = server.pids("worker")
    assert _alive(worker)  # it waits for the database instead of exiting
    assert server.stop() == 0


def test_the_supervisor_restarts_a_crashing_program_with_growing_pauses_and_leaves_the_others_alone() -> None:
    lines: list[str] = []
    crasher = Program("crasher", [sys.executable, "-c", "raise SystemExit(3)"])
    steady = Program("steady", [sys.executable, "-c", "import time; time.sleep(60)"])
    supervisor = Supervisor(
        [crasher, steady], backoff_first=0.05, backoff_max=0.4, poll=0.02, grace=5, say=lines.append
    )
    runner = threading.Thread(target=supervisor.run, kwargs={"install_signals": False})
    runner.start()
    try:
        _wait_for(lambda: crasher.restarts >= 5, within=20, what="five restarts")
        steady_pid = steady.process.pid if steady.process else None
        assert steady.restarts == 0
        pauses = re.findall(r"crasher exited \(code 3\) after \d+s; restarting in ([\d.]+)s", "\n".join(lines))
        assert pauses[:5] == ["0.05", "0.1", "0.2", "0.4", "0.4"]
    finally:
        supervisor.stop()
        runner.join(timeout=10)
    assert not runner.is_alive()
    assert steady_pid is not None and not _alive(steady_pid)
