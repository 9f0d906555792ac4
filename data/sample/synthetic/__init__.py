"""The SYNTHETIC parts of the Nieuwegein sample, one module per thing generated.

``data/sample/make_synthetic.py`` is the script that runs them (see its docstring and
data/sample/README.md); these modules are what it is made of:

* :mod:`synthetic.common` — file names, the seed, the coordinate transform, the real CBS
  buurten the points are placed in, and :class:`~synthetic.common.Network` (nodes and ways
  under construction);
* the streets: :mod:`synthetic.barriers` (canals, the Lek, the A2 and the A27),
  :mod:`synthetic.crossings` (the bridges and tunnels over them), :mod:`synthetic.lattice`
  (the jittered street grid, thinned out and tagged), :mod:`synthetic.special_ways` (messy but
  real tags for the walking rules) and :mod:`synthetic.streets` (all of it put together and
  written as an OSM PBF file);
* :mod:`synthetic.voorzieningen` — the voorzieningen, as GeoJSON (lon/lat) and CSV (RD New);
* :mod:`synthetic.summary` — figures of the generated files, as the script prints them.

Every random draw comes from one generator seeded with :data:`~synthetic.common.SEED`, in a
fixed order: the same inputs give byte-identical files.
"""
