"""Benchmark databases: built once per (size, seed, schema, generator), copied for each run."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
# What the cached data depends on besides its size and seed.
SOURCES = ["*/migrations/*.py", "demo/*.py", "demo/management/commands/demo.py"]


def cache_key(*, clinics: int, seed: int) -> str:
    digest = hashlib.sha256(f"{clinics}:{seed}".encode())
    for path in sorted({p for pattern in SOURCES for p in ROOT.glob(pattern) if ".venv" not in p.parts}):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


# PostgreSQL cuts identifiers at 63 bytes: a longer name would silently become another database's.
_MAX_IDENTIFIER = 63


def size_tag(clinics: int) -> str:
    """10000 -> "10k", 1500 -> "1500": short, and the same size always gives the same name."""
    return f"{clinics // 1000}k" if clinics >= 1000 and clinics % 1000 == 0 else str(clinics)


def bench_database_names(url: str, *, clinics: int) -> tuple[str, str]:
    """The cached and the scratch database for ``clinics`` on the server of ``url``, named after its database.

    ``postgres://root@host/root`` gives ``root_bench_10k`` and ``root_bench_10k_run``: whoever may use the
    database ``DATABASE_URL`` names owns every name that starts with it, and no other database is touched.
    """
    parts = urlsplit(url)
    base = unquote(parts.path.lstrip("/")) or unquote(parts.username or "")
    if not base:
        raise ValueError("DATABASE_URL names no database (and no user whose database it would be)")
    cached = f"{base}_bench_{size_tag(clinics)}"
    scratch = f"{cached}_run"
    if len(scratch.encode()) > _MAX_IDENTIFIER:
        raise ValueError(
            f"the bench database name {scratch!r} is longer than PostgreSQL's {_MAX_IDENTIFIER} bytes: "
            "use a DATABASE_URL with a shorter database name"
        )
    return cached, scratch


@contextlib.contextmanager
def scratch_database(*, clinics: int, seed: int, rebuild: bool) -> Iterator[str]:
    """Yield the DATABASE_URL of a throwaway copy of the cached demo database for this size."""
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres(url):
        yield from _postgres(url, clinics=clinics, seed=seed, rebuild=rebuild)
    else:
        yield from _sqlite(clinics=clinics, seed=seed, rebuild=rebuild)


def _run_manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    print(f"  $ DATABASE_URL={_redacted(url)} {' '.join(command[1:])}", flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603 (our own argv)


def _populate(url: str, *, clinics: int, seed: int) -> None:
    if not (ROOT / "demo/management/commands/demo.py").exists():
        raise SystemExit("bench: `manage.py demo` does not exist yet (demo/management/commands/demo.py).")
    _run_manage(url, "migrate", "--no-input", "--verbosity", "0")
    _run_manage(url, "demo", "--clinics", str(clinics), "--seed", str(seed))


# --- SQLite --------------------------------------------------------------------------------------------------


def _sqlite(*, clinics: int, seed: int, rebuild: bool) -> Iterator[str]:
    RESULTS.mkdir(exist_ok=True)
    key = cache_key(clinics=clinics, seed=seed)
    cached = RESULTS / f"demo-{clinics}-seed{seed}-{key}.sqlite3"
    if rebuild or not cached.exists():
        for stale in RESULTS.glob(f"demo-{clinics}-seed{seed}-*.sqlite3*"):
            stale.unlink()
        building = cached.with_suffix(".building")
        for leftover in RESULTS.glob(building.name + "*"):
            leftover.unlink()
        print(f"Building the {clinics:,}-clinic database (cached as {cached.relative_to(ROOT)})", flush=True)
        _populate(f"sqlite:///{building}", clinics=clinics, seed=seed)
        _settle(building)
        # Renamed only once complete, so an interrupted build is never mistaken for a cache.
        building.rename(cached)
    scratch = RESULTS / f"run-{clinics}.sqlite3"
    _remove_sqlite(scratch)
    shutil.copyfile(cached, scratch)
    try:
        yield f"sqlite:///{scratch}"
    finally:
        _remove_sqlite(scratch)


def _settle(path: Path) -> None:
    """Fold the write-ahead log into the file and update the planner's statistics, so one file is the database."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- PostgreSQL ----------------------------------------------------------------------------------------------


def _postgres(url: str, *, clinics: int, seed: int, rebuild: bool) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    key = cache_key(clinics=clinics, seed=seed)
    try:
        cached, scratch = bench_database_names(url, clinics=clinics)
    except ValueError as exc:
        raise SystemExit(f"bench: {exc}") from None
    # Creating and dropping go through the database the URL names, as its user: nothing else on the server.
    with _connect(url) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [cached]
        ).fetchone()
        if rebuild or row is None or row[0] != key:
            print(f"Building the {clinics:,}-clinic database {cached}", flush=True)
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(cached)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cached)))
            _populate(_with_database(url, cached), clinics=clinics, seed=seed)
            with psycopg.connect(_with_database(url, cached), autocommit=True) as built:
                built.execute("VACUUM ANALYZE")
            # The comment marks the build complete: a half-built database has none and is rebuilt.
            admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(cached), sql.Literal(key)))
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(scratch), sql.Identifier(cached)))
        try:
            yield _with_database(url, scratch)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))


def _connect(url: str) -> Any:
    """The connection to the database ``url`` names, or a sentence saying what to do when there is none."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as exc:
        name = unquote(urlsplit(url).path.lstrip("/")) or "(none)"
        raise SystemExit(
            f"bench: cannot connect to the PostgreSQL database {name!r} at {_redacted(url)}: "
            f"{str(exc).strip().splitlines()[-1]}\n"
            f"The bench builds its networks inside the database DATABASE_URL names; create it first, "
            f"e.g. `createdb {name}`, or point DATABASE_URL at one that exists."
        ) from None


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{quote(name)}", parts.query, parts.fragment))
