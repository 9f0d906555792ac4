"""Domain and analysis for woonservicezones. Data flows one way; each stage imports only those
before it, and :mod:`geo.pipeline` is the one place they are chained::

    common/    atomic files, hashes, text folding, tables        errors, crs, vocabulary, settings
    read/      file or body -> validated frame in RD New (buurten, CBS tables, voorzieningen,
               zone definitions, addresses, samples, downloads; limits and checks)
    zones      a zone definition checked against the buurten, dissolved to zones
    join       the one point-in-buurt rule: voorzieningen -> buurt and zone
    network/   OSM -> walk rules -> graph (cached) -> snap, shortest paths, isochrones
    coverage/  resident points -> distances (walking, straight) -> figures (the one "beyond"
               rule) -> gap polygons
    store/     the dataset, the GeoPackage, and import transactions (lock, diff, modes, log)
    analysis   a dataset with its coverage, as served;  pipeline: analyse, run_import
    ask/       questions of an analysis: locate, reach, search, features, filters, export

All geometry inside this package is in RD New (EPSG:28992, metres); WGS84 only at the edges.
"""
