"""Snapping: points onto the nearest walkable **edge** (not node), vectorised.

A snapped point is an edge, a position along it (metres from the edge's ``u`` end) and the
straight distance from the point to the edge (the *offset*, walked too). Points further than
the limit from every edge are *unsnapped*: reported and counted as unreachable, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from geo.network.graph import WalkGraph


@dataclass(frozen=True)
class Snapped:
    """Points on the network. ``edge`` is -1 where a point is beyond the snap limit."""

    edge: NDArray[np.int64]
    position_m: NDArray[np.float64]
    offset_m: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.edge)

    @property
    def snapped(self) -> NDArray[np.bool_]:
        """True where the point lies within the snap limit of a walkable edge."""
        return self.edge >= 0

    def subset(self, mask: NDArray[np.bool_] | NDArray[np.int64]) -> Snapped:
        """The points selected by a boolean mask or index array."""
        return Snapped(self.edge[mask], self.position_m[mask], self.offset_m[mask])


def snap_points(graph: WalkGraph, points: NDArray[np.object_], max_distance_m: float) -> Snapped:
    """Snap shapely Points (RD New) to the nearest edge within ``max_distance_m`` metres.

    One STRtree query for all points (``query_nearest``), then ``line_locate_point`` for the
    position along each edge; ties between equally near edges go to the first in the index.
    """
    n = len(points)
    edge = np.full(n, -1, dtype=np.int64)
    position = np.full(n, np.nan)
    offset = np.full(n, np.nan)
    if n == 0:
        return Snapped(edge, position, offset)
    (which, nearest), distance = graph.tree.query_nearest(
        points, max_distance=max_distance_m, return_distance=True, all_matches=False
    )
    edge[which] = nearest
    offset[which] = distance
    position[which] = shapely.line_locate_point(graph.edge_geometry[nearest], points[which])
    return Snapped(edge, position, offset)


def snap_xy(
    graph: WalkGraph, x: NDArray[np.float64], y: NDArray[np.float64], max_distance_m: float
) -> Snapped:
    """:func:`snap_points` for coordinate arrays (RD New metres)."""
    return snap_points(graph, shapely.points(x, y), max_distance_m)
