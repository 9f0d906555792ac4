"""``wsz batch``: coverage for many gemeenten at once, one gemeente per Dask task.

* :mod:`~geo.batch.settings` — workers, memory per worker, timeouts (typed, ``WSZ_BATCH_*``);
* :mod:`~geo.batch.partition` — the buurten grouped by gemeente, each gemeente's box (its
  buurten plus 1 km, as ``wsz download osm`` cuts), how much of it each extract covers, and the
  hash of everything its figures depend on;
* :mod:`~geo.batch.split` — each OSM extract read once and split into per-gemeente parts;
* :mod:`~geo.batch.results` — a gemeente's figures per buurt, wijk, zone and gemeente, written
  atomically (a half-written result is never taken as finished) and merged to GeoParquet;
* :mod:`~geo.batch.driver` — the run: LocalCluster or a scheduler, progress bar, resume,
  failures reported per gemeente.

The per-gemeente chain itself is :func:`geo.pipeline.analyse_gemeente`.
"""
