"""The HTTP benches' inputs and parsing (the benches themselves run under `make bench`)."""

from __future__ import annotations

import os
import sys
from urllib.parse import parse_qs, urlsplit

from bench import server
from bench.bench_http import GTA, search_paths

WRK_REPORT = """Running 10s test @ http://127.0.0.1:8123/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.50ms    3.10ms  80.00ms   90.00%
  1234 requests in 10.00s, 1.00MB read
  Non-2xx or 3xx responses: 7
Requests/sec:    123.40
"""


def test_search_points_are_over_200_distinct_places_of_the_gta():
    paths = search_paths()
    assert len(paths) == len(set(paths)) >= 200
    points = {(query["lat"][0], query["lng"][0]) for query in (parse_qs(urlsplit(p).query) for p in paths)}
    assert len(points) >= 200
    for lat, lng in points:
        assert GTA["south"] <= float(lat) <= GTA["north"]
        assert GTA["west"] <= float(lng) <= GTA["east"]
    assert search_paths() == paths  # the same points every run, so runs compare


def test_wrk_reports_are_read_for_rate_latency_and_errors():
    found = server.wrk_parse(WRK_REPORT)
    assert found == {
        "rps": "123.40",
        "latency": "avg 12.50ms, stdev 3.10ms, max 80.00ms",
        "requests": "1234",
        "non_2xx": "7",
    }
    assert server.wrk_parse("Requests/sec: 5.0")["non_2xx"] == "0"


def test_the_wrk_script_lists_every_path_once(tmp_path):
    paths = ["/api/v1/clinics?lat=43.7&lng=-79.4", '/odd"path']
    script = server.wrk_script(paths, tmp_path / "paths.lua").read_text()
    assert '"/api/v1/clinics?lat=43.7&lng=-79.4"' in script
    assert '"/odd\\"path"' in script
    assert "function request()" in script


def test_the_machines_busy_share_comes_from_two_readings_of_proc_stat():
    before = server.cpu_jiffies("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\n")
    after = server.cpu_jiffies("cpu  250 0 150 800 100 0 0 0 0 0\n")
    assert before == (200, 1000)  # idle and iowait are not busy
    assert after == (400, 1300)
    assert server.busy_share(before, after) == 200 / 300
    assert server.busy_share(after, after) is None


def test_a_processs_cpu_is_found_by_its_command_line():
    if not os.path.exists("/proc/self/stat"):
        return
    mine = server.processes_cpu_seconds(" ".join(sys.argv[1:2]) or sys.executable)
    assert mine > 0  # this test process, which has run for a while
    assert server.processes_cpu_seconds("no process has this in its command line, 8c1f") == 0
