"""``make bench``: time the hot paths on generated networks of a given size.

``python -m bench [--sizes 10000,50000] [--only search,availability] [--rebuild]``

For each size the runner makes (once, then reuses) a database holding
``manage.py demo --clinics N --seed 1``, copies it to a scratch database so a
benchmark that writes (booking) never changes the cached one, and runs every
``bench/bench_<topic>.py`` in a subprocess pointed at the copy. Each module has::

    def run(*, clinics: int) -> list[dict]:
        # Django is set up; the database holds a demo network of `clinics` clinics.
        # Return {"label": str, "samples_ms": [float, ...]} (printed as n, median, p95, max)
        # or {"label": str, "value": str} for any other figure ("1234 req/s").

Databases: a SQLite file under ``bench-results/`` or, when DATABASE_URL is a
postgres:// URL, databases named after the one it names (``<name>_bench_10k`` and
``<name>_bench_10k_run`` for ``postgres://.../<name>``), created through that URL's
host, user and database: no other database on the server is connected to or touched. The cache is
keyed by size, seed, the migrations and the demo command's source, so a schema
or generator change rebuilds it.
"""
