"""Domain and analysis for woonservicezones.

Data flows one way through these modules, each importing only those before it::

    errors, crs, settings, vocabulary
      -> load (read & validate buurten and voorzieningen)
      -> zones (zone definitions, dissolve)
      -> join (voorzieningen -> buurt, zone)
      -> population (where residents are placed) -> distance -> coverage
      -> store (embedded GeoPackage) -> pipeline (the one place stages are chained)

All geometry inside this package is in the working CRS (EPSG:28992, RD New, metres).
"""
