"""The benchmark runner's own arithmetic and cache key (the benchmarks themselves run under `make bench`)."""

from __future__ import annotations

from bench import databases
from bench.__main__ import summarize


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
