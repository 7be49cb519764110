"""``make bench``: time the hot paths on generated networks of a given size.

``python -m bench [--sizes 10000,50000] [--only search,availability] [--rebuild] [--practitioners 1000]
[--http-port PORT] [--one-pass]``

Topics: ``availability``, ``search`` (compared across sizes: p95 at the largest / the smallest),
``bigclinic`` (a 1,000-practitioner clinic: the availability API, refusals, 20 simultaneous requests,
bookings quiet vs while schedules change), ``booking``, ``http`` (wrk on gunicorn: search and clinic pages as
a share of /healthz), ``feed`` (the SMART Scheduling Links files: a 304, Locations and Schedules of the whole
network, Slots timed on 100 clinics and scaled, or all with BENCH_FEED_ALL=1) and ``scaleout`` (bookings/s from 1,
2 and 4 workers, PostgreSQL only). ``bigclinic``,
``booking`` and ``scaleout`` do not depend on the network's size and run at the first size only.

For each size the runner makes (once, then reuses) a database holding
``manage.py demo --clinics N --seed 1``, copies it to a scratch database so a
benchmark that writes (booking) never changes the cached one, and runs every
``bench/bench_<topic>.py`` in a subprocess pointed at the copy. The compared topics then run a second time,
the sizes in reverse order (10k, 50k, 50k, 10k), and their ratios are of both passes' samples, so that a machine
getting busier or quieter during the run weighs on both sizes alike (``--one-pass`` skips it). Each module has::

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
