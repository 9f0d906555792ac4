"""Snapping: points onto the nearest walkable **edge** (not node), vectorised.

A snapped point is an edge, a position along it (metres from the edge's ``u`` end) and the
straight distance from the point to the edge (the *offset*, walked too). Points further than
the limit from every edge are *unsnapped*: reported and counted as unreachable, never dropped.

How: every straight segment of the network is sampled every :data:`SAMPLE_SPACING_M` metres
(at most) into a SciPy k-d tree. For each point the segments of its :data:`CANDIDATES` nearest
samples are candidates, and the exact distance to each is computed with array arithmetic. The
answer is certain when the best exact distance is no larger than the farthest candidate
sample's distance minus half the spacing (every other segment is at least that far away);
the few points where it is not are answered by shapely's STRtree over the edges. Same answer,
several times faster on many points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from geo.network.graph import SAMPLE_SPACING_M, WalkGraph

#: Samples (and so candidate segments) looked at per point.
CANDIDATES = 8
#: Points handled per block (bounds the memory of the candidate arrays).
BLOCK = 250_000


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
    """Snap shapely Points (RD New) to the nearest edge within ``max_distance_m`` metres."""
    n = len(points)
    edge = np.full(n, -1, dtype=np.int64)
    position = np.full(n, np.nan)
    offset = np.full(n, np.nan)
    if n == 0:
        return Snapped(edge, position, offset)
    xy = shapely.get_coordinates(points)
    for start in range(0, n, BLOCK):
        block = slice(start, min(start + BLOCK, n))
        e, p, o = _snap_block(graph, xy[block], max_distance_m)
        edge[block], position[block], offset[block] = e, p, o
    unsure = np.flatnonzero(edge == -2)
    if len(unsure):
        e, p, o = _snap_exactly(graph, points[unsure], max_distance_m)
        edge[unsure], position[unsure], offset[unsure] = e, p, o
    return Snapped(edge, position, offset)


def _snap_block(
    graph: WalkGraph, xy: NDArray[np.float64], max_distance_m: float
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Candidates from the k-d tree; ``edge`` is -2 where the answer is not certain."""
    tree, sample_segment = graph.sample_index
    seg = graph.segments
    half = SAMPLE_SPACING_M / 2
    k = min(CANDIDATES, len(sample_segment))
    sample_distance, sample = tree.query(
        xy, k=k, distance_upper_bound=max_distance_m + SAMPLE_SPACING_M
    )
    sample_distance = sample_distance.reshape(len(xy), k)
    sample = sample.reshape(len(xy), k)
    found = np.isfinite(sample_distance)
    candidate = sample_segment[np.where(found, sample, 0)]
    x0, y0, x1, y1 = seg.x0[candidate], seg.y0[candidate], seg.x1[candidate], seg.y1[candidate]
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    px, py = xy[:, :1], xy[:, 1:]
    t = np.clip(((px - x0) * dx + (py - y0) * dy) / np.where(length2 > 0, length2, 1.0), 0, 1)
    distance = np.where(found, np.hypot(px - (x0 + t * dx), py - (y0 + t * dy)), np.inf)
    best = np.argmin(distance, axis=1)
    rows = np.arange(len(xy))
    best_distance = distance[rows, best]
    best_segment = candidate[rows, best]
    # Any segment not among the candidates has all its samples beyond the k-th one, so it is
    # at least (k-th sample distance - half the spacing) away.
    certain = best_distance <= sample_distance[:, -1] - half
    within = best_distance <= max_distance_m
    edge = np.where(within, seg.edge[best_segment], -1)
    edge[~certain] = -2
    along = seg.s0[best_segment] + t[rows, best] * (seg.s1[best_segment] - seg.s0[best_segment])
    # Float noise must not push a position off its edge (substring reads negatives from the end).
    along = np.clip(along, 0.0, graph.edge_length[seg.edge[best_segment]])
    return (
        edge.astype(np.int64),
        np.where(edge >= 0, along, np.nan),
        np.where(edge >= 0, best_distance, np.nan),
    )


def _snap_exactly(
    graph: WalkGraph, points: NDArray[np.object_], max_distance_m: float
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The STRtree answer (for the points the k-d tree cannot settle)."""
    n = len(points)
    edge = np.full(n, -1, dtype=np.int64)
    position = np.full(n, np.nan)
    offset = np.full(n, np.nan)
    (which, nearest), distance = graph.tree.query_nearest(
        points, max_distance=max_distance_m, return_distance=True, all_matches=False
    )
    edge[which] = nearest
    offset[which] = distance
    position[which] = shapely.line_locate_point(graph.edge_geometry[nearest], points[which])
    return edge, position, offset


def snap_xy(
    graph: WalkGraph, x: NDArray[np.float64], y: NDArray[np.float64], max_distance_m: float
) -> Snapped:
    """:func:`snap_points` for coordinate arrays (RD New metres)."""
    return snap_points(graph, shapely.points(x, y), max_distance_m)
