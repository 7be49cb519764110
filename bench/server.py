"""gunicorn for the HTTP benches: started on 127.0.0.1 against the configured database, always stopped."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 30


def port() -> int:
    """BENCH_HTTP_PORT (the runner's --http-port) when set, else a free port."""
    from bench.__main__ import http_port

    return http_port(os.environ.get("BENCH_HTTP_PORT"))


def gunicorn_path() -> Path | None:
    found = Path(sys.executable).with_name("gunicorn")
    return found if found.exists() else None


def wrk_path() -> str | None:
    return shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)


def redis_url() -> str:
    """The Redis the web processes share as their cache: REDIS_URL, else one answering on 127.0.0.1:6379 (its
    database 15, for the bench alone), else "" (each process keeps its own cache)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        import redis

        local = "redis://127.0.0.1:6379/15"
        redis.Redis.from_url(local, socket_connect_timeout=1).ping()
    except Exception:
        return ""
    return local


def load_average() -> str:
    loadavg = Path("/proc/loadavg")
    return loadavg.read_text().split()[0] if loadavg.exists() else "?"


def cpu_jiffies(stat: str | None = None) -> tuple[int, int]:
    """(busy, total) clock ticks of all the machine's CPUs since boot, from /proc/stat's first line (or ``stat``);
    (0, 0) where there is no /proc. Two readings tell how busy the machine was between them, whoever kept it so."""
    if stat is None:
        path = Path("/proc/stat")
        if not path.exists():
            return 0, 0
        stat = path.read_text()
    fields = [int(value) for value in stat.splitlines()[0].split()[1:]]
    idle = sum(fields[3:5])  # idle, iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """The share of the machine's CPU time in use between two ``cpu_jiffies`` readings (None without /proc)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else None


def processes_cpu_seconds(needle: str) -> float:
    """CPU seconds used so far by the processes whose command line contains ``needle`` (0 where there is no /proc).

    A gunicorn's workers keep its command line (no setproctitle here), so its ``--bind`` address finds them all.
    """
    proc = Path("/proc")
    if not proc.exists():
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    used = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        used += int(fields[11]) + int(fields[12])  # utime, stime
    return used / ticks


@contextlib.contextmanager
def gunicorn(*, workers: int, check_path: str = "/healthz", env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:PORT``) of a running gunicorn with ``workers`` sync workers
    (``env``: settings added to this process's environment)."""
    binary = gunicorn_path()
    if binary is None:
        raise RuntimeError("gunicorn is not installed in the virtualenv")
    _collect_static()
    bound = port()
    base = f"http://127.0.0.1:{bound}"
    env = {**os.environ, "DEBUG": "0", **(env or {})}
    command = [str(binary), "painhero.wsgi", "--bind", f"127.0.0.1:{bound}", "--workers", str(workers)]
    command += ["--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (our own argv)
    try:
        _wait_until_up(base + check_path, server)
        yield base
    finally:
        _stop(server)


def _collect_static() -> None:
    """What ``make run`` does first: with DEBUG off, pages name their CSS through the collected manifest."""
    command = [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input", "--verbosity", "0"]
    subprocess.run(command, cwd=ROOT, env={**os.environ, "DEBUG": "0"}, check=True)  # noqa: S603 (our own argv)


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited early (code {server.returncode}); is the port taken?")
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (our own loopback URL)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer 200 on {url} within {STARTUP_SECONDS} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wrk_parse(output: str) -> dict[str, str]:
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


# Each wrk thread walks the list from its own place, so no two threads ask the same thing in step.
_ROTATE = """
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  i = id * 97
end
function request()
  i = i + 1
  return wrk.format(nil, paths[(i % #paths) + 1])
end
"""


def wrk_script(paths: list[str], script: Path) -> Path:
    """Write to ``script`` a wrk Lua script that requests ``paths`` in turn."""
    quoted = ",\n".join('  "' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script.write_text(f"paths = {{\n{quoted}\n}}\n{_ROTATE}")
    return script


def wrk_run(
    wrk: str, url: str, *, threads: int, connections: int, seconds: int, script: Path | None = None
) -> tuple[dict[str, str], str]:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    report = subprocess.run(  # noqa: S603 (our own argv)
        [*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    return wrk_parse(report), report
