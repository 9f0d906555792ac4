"""The walking network's streets as light lines for a map without tiles (the residents' map).

The edges of the walking graph (RD New) that cross an area are merged into as few lines as
possible (``shapely.line_merge``), simplified and written in WGS84 (RFC 7946), rounded to about
a metre, as one MultiLineString. The answer is bounded: at most :data:`MAX_STREET_EDGES` edges
are drawn (the longest, when an area holds more), counted before any line is merged. The graph
keeps no street names, so the lines carry none.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import WORKING_CRS
from geo.network.graph import WalkGraph

#: Most edges drawn in one answer (the longest are kept beyond it).
MAX_STREET_EDGES = 40_000
#: Simplification tolerance, metres (RD New): well under a street's width on the map.
SIMPLIFY_M = 2.0
#: Coordinates are rounded to this many degrees (about 1 m).
GRID_DEGREES = 1e-5
#: The streets drawn reach this far (metres) beyond the area asked for.
MARGIN_M = 300.0


@dataclass(frozen=True)
class StreetLines:
    """The lines (WGS84, one MultiLineString feature without attributes; none when the area
    has no edges), how many edges they hold, and whether edges were left out (more than the
    bound in the area)."""

    lines: gpd.GeoDataFrame
    edges: int
    truncated: bool


def street_lines(
    graph: WalkGraph,
    area: shapely.Geometry | None = None,
    *,
    max_edges: int = MAX_STREET_EDGES,
    tolerance_m: float = SIMPLIFY_M,
) -> StreetLines:
    """The graph's edges crossing ``area`` (RD New, its envelope grown by :data:`MARGIN_M`;
    None: all) as merged, simplified lines in WGS84. At most ``max_edges`` edges (the
    longest) are used, counted before any line is merged."""
    if area is None:
        chosen = np.arange(graph.n_edges)
    else:
        grown = shapely.buffer(shapely.envelope(area), MARGIN_M)
        chosen = graph.tree.query(grown, predicate="intersects")
    truncated = len(chosen) > max_edges
    if truncated:
        chosen = chosen[np.argsort(-graph.edge_length[chosen], kind="stable")[:max_edges]]
    chosen = np.sort(chosen)
    if len(chosen) == 0:
        empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
        return StreetLines(empty, 0, truncated)
    merged = shapely.line_merge(shapely.multilinestrings(graph.edge_geometry[chosen]))
    parts = shapely.simplify(shapely.get_parts(merged), tolerance_m, preserve_topology=False)
    frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries(parts, crs=WORKING_CRS)).to_crs("EPSG:4326")
    rounded = shapely.set_precision(np.asarray(frame.geometry.values), GRID_DEGREES)
    kept = ~shapely.is_empty(rounded)
    one = shapely.multilinestrings(rounded[kept])  # one feature: no per-line overhead
    lines = gpd.GeoDataFrame(geometry=gpd.GeoSeries([one], crs="EPSG:4326"))
    return StreetLines(lines, len(chosen), truncated)
