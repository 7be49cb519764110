"""The benchmark runner's own arithmetic and cache key (the benchmarks themselves run under `make bench`)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from bench import databases
from bench.__main__ import http_port, size_ratios, summarize


def test_summarize_gives_n_median_p95_and_max():
    samples = [float(n) for n in range(100, 0, -1)]
    assert summarize(samples) == (100, 50.5, 95.0, 100.0)
    assert summarize([3.0]) == (1, 3.0, 3.0, 3.0)


def test_the_cache_key_changes_with_size_seed_and_migrations(tmp_path, monkeypatch):
    monkeypatch.setattr(databases, "ROOT", tmp_path)
    migration = tmp_path / "clinics" / "migrations" / "0001_initial.py"
    migration.parent.mkdir(parents=True)
    migration.write_text("# one\n")
    key = databases.cache_key(clinics=10, seed=1)
    assert databases.cache_key(clinics=10, seed=1) == key
    assert databases.cache_key(clinics=11, seed=1) != key
    assert databases.cache_key(clinics=10, seed=2) != key
    migration.write_text("# two\n")
    assert databases.cache_key(clinics=10, seed=1) != key


def test_postgres_urls_get_the_bench_database_name_and_passwords_are_not_printed():
    url = "postgres://user:secret@db:5432/painhero?sslmode=disable"
    assert (
        databases._with_database(url, "painhero_bench_10")
        == "postgres://user:secret@db:5432/painhero_bench_10?sslmode=disable"
    )
    assert databases._redacted(url) == "postgres://user:***@db:5432/painhero?sslmode=disable"


def test_bench_databases_are_named_after_the_database_the_url_names():
    assert databases.bench_database_names("postgres://root@127.0.0.1:5432/root", clinics=10_000) == (
        "root_bench_10k",
        "root_bench_10k_run",
    )
    assert databases.bench_database_names("postgresql://u:pw@db/bench?sslmode=require", clinics=50_000) == (
        "bench_bench_50k",
        "bench_bench_50k_run",
    )
    assert databases.bench_database_names("postgres://root@db/x", clinics=1500)[0] == "x_bench_1500"
    assert databases.bench_database_names("postgres://root@db/x", clinics=300)[0] == "x_bench_300"


def test_without_a_database_in_the_url_the_users_database_is_the_prefix():
    # libpq connects such a URL to the database named like the user: the bench stays inside it too.
    assert databases.bench_database_names("postgres://alice@db:5432", clinics=10_000)[0] == "alice_bench_10k"
    with pytest.raises(ValueError, match="names no database"):
        databases.bench_database_names("postgres://db:5432/", clinics=10_000)


def test_a_name_postgresql_would_cut_is_refused_rather_than_shared():
    with pytest.raises(ValueError, match="63 bytes"):
        databases.bench_database_names(f"postgres://root@db/{'d' * 60}", clinics=10_000)


def test_the_postgres_bench_connects_only_through_the_url_it_was_given(monkeypatch):
    import psycopg

    seen = []

    class Refused(Exception):
        pass

    def connect(url, **kwargs):
        seen.append(url)
        raise Refused

    monkeypatch.setattr(psycopg, "connect", connect)
    url = "postgres://root:pw@db:5432/root"
    with pytest.raises(Refused):
        next(databases._postgres(url, clinics=10, seed=1, rebuild=False))
    assert seen == [url]


def test_the_http_port_is_the_one_asked_for_or_a_free_one():
    assert http_port("8123") == 8123
    assert http_port(" 8123 ") == 8123
    free = http_port("")
    assert 1 <= free <= 65535
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", free))  # nobody holds it
    assert 1 <= http_port(None) <= 65535
    for bad in ("0", "65536", "http", "-1", "８０"):
        with pytest.raises(ValueError, match="1 to 65535"):
            http_port(bad)


def test_size_ratios_pair_figures_by_key_across_sizes():
    small: dict[str, list[dict[str, Any]]] = {
        "search": [
            {"label": "soonest (120 found)", "key": "soonest", "samples_ms": [10.0] * 20},
            {"label": "only here", "samples_ms": [1.0]},
            {"label": "a value", "value": "3 req/s"},
        ],
        "booking": [{"label": "book", "samples_ms": [5.0]}],
    }
    large: dict[str, list[dict[str, Any]]] = {
        "search": [{"label": "soonest (900 found)", "key": "soonest", "samples_ms": [13.0] * 20}]
    }
    (ratio,) = size_ratios(small, large)
    assert ratio["label"] == "soonest"
    assert ratio["ratio"] == pytest.approx(1.3)


def test_the_second_pass_adds_its_samples_to_the_figure_of_the_same_key():
    from bench.__main__ import pooled

    first: dict[str, list[dict[str, Any]]] = {
        "search": [
            {"label": "soonest (120 found)", "key": "soonest", "samples_ms": [10.0, 11.0]},
            {"label": "not measured again", "samples_ms": [4.0]},
            {"label": "(wall time of this module)", "value": "30.0 s"},
        ],
        "booking": [{"label": "book", "samples_ms": [5.0]}],
    }
    second: dict[str, list[dict[str, Any]]] = {
        "search": [
            {"label": "soonest (121 found)", "key": "soonest", "samples_ms": [30.0]},
            {"label": "(wall time of this module)", "value": "31.0 s"},
        ]
    }
    merged = pooled(first, second)
    assert merged["search"][0]["samples_ms"] == [10.0, 11.0, 30.0]
    assert merged["search"][0]["label"] == "soonest (120 found)"
    assert merged["search"][1]["samples_ms"] == [4.0]
    assert merged["search"][2] == {"label": "(wall time of this module)", "value": "30.0 s"}
    assert merged["booking"] == first["booking"]
    assert first["search"][0]["samples_ms"] == [10.0, 11.0]  # the first pass's figures are left as they were


def test_the_runner_knows_the_bigclinic_parts():
    from bench.__main__ import BIGCLINIC_PARTS
    from bench.bench_bigclinic import PARTS

    assert BIGCLINIC_PARTS == PARTS


def test_a_postgresql_database_that_cannot_be_reached_gets_a_sentence_not_a_traceback(monkeypatch):
    # Nothing listens on port 1: psycopg raises OperationalError, as it does for a database that does not exist.
    monkeypatch.setenv("DATABASE_URL", "postgres://root:secret@127.0.0.1:1/painhero_missing")
    with pytest.raises(SystemExit) as stopped, databases.scratch_database(clinics=10, seed=1, rebuild=False):
        pass
    message = str(stopped.value)
    assert "'painhero_missing'" in message and "createdb painhero_missing" in message
    assert "secret" not in message, "the password is not printed"
