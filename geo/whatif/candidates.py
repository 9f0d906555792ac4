"""Candidate sites generated inside an area: the walking network's nodes thinned to a spacing,
or every building of the OSM extract (residential and non-residential, a point on each).

RD New throughout. Thinning keeps one point per square of ``spacing_m`` metres (the one nearest
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
    nodes = thin(x, y, np.flatnonzero(shapely.contains_xy(area, x, y)), spacing_m)
    return gpd.GeoDataFrame(
        {"id": [f"node-{n}" for n in nodes], "name": [f"network node {n}" for n in nodes]},
        geometry=shapely.points(x[nodes], y[nodes]),
        crs=WORKING_CRS,
    )


def thin(
    x: NDArray[np.float64], y: NDArray[np.float64], inside: NDArray[np.int64], spacing_m: float
) -> NDArray[np.int64]:
    """Of the points ``inside`` (positions), one per ``spacing_m`` square: the one nearest
    the square's centre."""
    if not spacing_m > 0:
        raise QueryError(f"the candidates' spacing must be more than 0 m, got {spacing_m}")
    cell_x = np.floor(x[inside] / spacing_m)
    cell_y = np.floor(y[inside] / spacing_m)
    off = np.hypot(x[inside] - (cell_x + 0.5) * spacing_m, y[inside] - (cell_y + 0.5) * spacing_m)
    order = np.lexsort((off, cell_y, cell_x))
    keys = np.column_stack([cell_x[order], cell_y[order]])
    first = np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)]
    return np.asarray(inside[order][first], dtype=np.int64)


def building_sites(
    buildings: gpd.GeoDataFrame, area: shapely.Geometry, spacing_m: float | None = None
) -> gpd.GeoDataFrame:
    """A point on the surface of every building of the extract (``building`` tag of any
    value: residential and non-residential) whose point lies inside ``area``, as candidates
    with ``id`` (``building-<osm id>``) and ``name`` (its ``building`` value); thinned to one
    per ``spacing_m`` square where given. RD New."""
    if buildings.empty or "osm_id" not in buildings:
        return gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs=WORKING_CRS)
    points = shapely.point_on_surface(np.asarray(buildings.geometry.values, dtype=object))
    xy = shapely.get_coordinates(points) if len(points) else np.empty((0, 2))
    inside = np.flatnonzero(shapely.contains_xy(area, xy[:, 0], xy[:, 1]))
    if spacing_m is not None:
        inside = thin(xy[:, 0], xy[:, 1], inside, spacing_m)
    ids = buildings["osm_id"].astype(str).to_numpy()[inside]
    kinds = buildings["building"].astype(str).to_numpy()[inside]
    return gpd.GeoDataFrame(
        {"id": [f"building-{i}" for i in ids], "name": [f"building ({k})" for k in kinds]},
        geometry=points[inside],
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
