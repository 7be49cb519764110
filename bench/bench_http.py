"""Requests per second for the search endpoint over HTTP: gunicorn (2 workers) and ``wrk`` on loopback.

``run(clinics=...)`` starts gunicorn on a free 127.0.0.1 port against the configured database (the
runner's scratch copy), checks that the endpoint answers 200, runs ``wrk`` for a bounded time and
stops gunicorn whatever happens. Without ``wrk`` the figure is skipped with a message saying how to
install it. The figure depends on the machine more than anything else: note the load average.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/clinics?lat=43.6532&lng=-79.3832&radius_km=25&discipline=physiotherapy&sort=soonest"
WORKERS = 2
CONNECTIONS = 16
THREADS = 2
SECONDS = 10
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited early (code {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (our own loopback URL)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer 200 on {url} within {STARTUP_SECONDS} s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _parse(output: str) -> dict[str, str]:
    """Requests/s, latency and errors from wrk's report."""
    found = {}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        found["rps"] = match.group(1)
    if match := re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", output):
        found["latency"] = f"avg {match.group(1)}, stdev {match.group(2)}, max {match.group(3)}"
    if match := re.search(r"(\d+) requests in", output):
        found["requests"] = match.group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["non_2xx"] = errors.group(1) if errors else "0"
    return found


def run(*, clinics: int) -> list[dict[str, Any]]:
    from django.db import connection

    vendor = connection.vendor
    wrk = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if wrk is None:
        return [{"label": "http: search requests/s", "value": "skipped: wrk is not installed (apt-get install wrk)"}]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        return [{"label": "http: search requests/s", "value": "skipped: gunicorn is not installed in the virtualenv"}]
    port = _free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    env = {**os.environ, "DEBUG": "0"}
    command = [str(gunicorn), "painhero.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    command += ["--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (our own argv)
    try:
        _wait_until_up(url, server)
        load_before = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
        report = subprocess.run(  # noqa: S603 (our own argv)
            [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s", "--latency", url],
            capture_output=True,
            text=True,
            timeout=SECONDS + 30,
            check=True,
        ).stdout
    finally:
        _stop(server)
    found = _parse(report)
    print(report)
    return [
        {
            "label": f"http: search (physiotherapy, soonest, 25 km of Toronto), gunicorn {WORKERS} workers, "
            f"wrk {CONNECTIONS} connections {SECONDS} s ({vendor})",
            "value": f"{found.get('rps', '?')} requests/s ({found.get('requests', '?')} requests, "
            f"{found['non_2xx']} non-2xx; latency {found.get('latency', '?')}; load average {load_before})",
        }
    ]
