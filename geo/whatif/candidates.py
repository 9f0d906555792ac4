"""Candidate sites generated inside an area: the walking network's nodes thinned to a spacing.

RD New throughout. Thinning keeps one node per square of ``spacing_m`` metres (the node nearest
the square's centre), vectorised; a file of candidates goes through the voorzieningen reader
instead (:func:`geo.read.voorzieningen.read_voorzieningen`, CRS and coordinates checked).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geo.crs import WORKING_CRS
from geo.errors import QueryError

#: Most candidates one placement considers (limits are checked before the work).
MAX_CANDIDATES = 20_000


def thinned_nodes(
    x: NDArray[np.float64], y: NDArray[np.float64], area: shapely.Geometry, spacing_m: float
) -> gpd.GeoDataFrame:
    """Nodes inside ``area``, one per ``spacing_m`` square, as candidates with ``id``
    (``node-<n>``); RD New."""
    if not spacing_m > 0:
        raise QueryError(f"the candidates' spacing must be more than 0 m, got {spacing_m}")
    inside = np.flatnonzero(shapely.contains_xy(area, x, y))
    cell_x = np.floor(x[inside] / spacing_m)
    cell_y = np.floor(y[inside] / spacing_m)
    off = np.hypot(x[inside] - (cell_x + 0.5) * spacing_m, y[inside] - (cell_y + 0.5) * spacing_m)
    order = np.lexsort((off, cell_y, cell_x))
    keys = np.column_stack([cell_x[order], cell_y[order]])
    first = np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)]
    nodes = inside[order][first]
    return gpd.GeoDataFrame(
        {"id": [f"node-{n}" for n in nodes], "name": [f"network node {n}" for n in nodes]},
        geometry=shapely.points(x[nodes], y[nodes]),
        crs=WORKING_CRS,
    )


def check_candidates(candidates: gpd.GeoDataFrame, k: int) -> None:
    """Refuse too many or too few candidates before any walking is measured."""
    if len(candidates) > MAX_CANDIDATES:
        raise QueryError(
            f"{len(candidates):,} candidates, more than the {MAX_CANDIDATES:,} one placement "
            "considers; thin them (a larger spacing) or choose a smaller area"
        )
    if not 1 <= k <= len(candidates):
        raise QueryError(f"k must be between 1 and the {len(candidates)} candidates, got {k}")
