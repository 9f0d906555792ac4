"""Snapping: points onto the nearest walkable **edge** (not node), vectorised.

A snapped point is an edge, a position along it (metres from the edge's ``u`` end) and the
straight distance from the point to the edge (the *offset*, walked too). Points further than
the limit from every edge are *unsnapped*: reported and counted as unreachable, never dropped.

How: every straight segment of the network is sampled every :data:`SAMPLE_SPACING_M` metres
(at most) into a SciPy k-d tree. The points are looked up in Z-order (neighbours on the map are
neighbours in the lookups, so the tree stays in the CPU cache). For each point the segments of
its :data:`CANDIDATES` nearest samples are candidates, and the exact distance to each is
computed with array arithmetic, a few thousand points at a time (:data:`CHUNK`, so that the
candidates' arrays stay in the cache too). The answer is certain when the best exact distance
is no larger than the farthest candidate sample's distance minus half the spacing (every other
segment is at least that far away); a tie among the candidates goes to the first (nearest
sample) of them. A point that is not certain gets a second look at :data:`SECOND_LOOK` samples,
and where that settles it, GEOS measures the position and offset on the edge found; what is
still uncertain, and every *tie* of the second look (another edge within :data:`TIE_M` of the
best), is answered by shapely's STRtree over the edges. So the answers are those of one look
plus the STRtree, bit for bit, many times faster on many points.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from geo.network.graph import SAMPLE_SPACING_M, WalkGraph
from geo.network.zorder import z_order

#: Samples (and so candidate segments) looked at per point.
CANDIDATES = 8
#: Samples looked at in the second look, for the points the first did not settle.
SECOND_LOOK = 16
#: Points per k-d tree query (the unit of work of one core; bounds the memory).
BLOCK = 32_768
#: Points per step of the candidate arithmetic (its arrays fit in the CPU cache).
CHUNK = 2_048
#: Metres: another edge at most this much further than the best is a tie (for the STRtree).
TIE_M = 1e-6
#: ``edge`` of a point whose answer is not certain yet.
UNSURE = -2


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
    order = z_order(xy)
    xy = xy[order]
    e, p, o = _snap_looked_up(graph, xy, max_distance_m, CANDIDATES, ties_unsure=False)
    unsure = np.flatnonzero(e == UNSURE)
    if len(unsure):
        # Once the STRtree's, these points' answers: the same edge, and GEOS's numbers.
        second, _, _ = _snap_looked_up(graph, xy[unsure], max_distance_m, SECOND_LOOK)
        e[unsure] = second
        settled = unsure[second >= 0]
        p[settled], o[settled] = _measured(graph, e[settled], points[order[settled]])
    unsure = np.flatnonzero(e == UNSURE)
    if len(unsure):
        e[unsure], p[unsure], o[unsure] = _snap_exactly(
            graph, points[order[unsure]], max_distance_m
        )
    edge[order], position[order], offset[order] = e, p, o
    return Snapped(edge, position, offset)


def _measured(
    graph: WalkGraph, edge: NDArray[np.int64], points: NDArray[np.object_]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Metres along each edge to the point's nearest spot on it, and the distance to it, as
    GEOS measures them (as :func:`_snap_exactly` does)."""
    lines = graph.edge_geometry[edge]
    return shapely.line_locate_point(lines, points), shapely.distance(lines, points)


def _snap_looked_up(
    graph: WalkGraph,
    xy: NDArray[np.float64],
    max_distance_m: float,
    k: int,
    *,
    ties_unsure: bool = True,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The exact answer among the segments of each point's ``k`` nearest samples; ``edge`` is
    :data:`UNSURE` where it is not certain (or tied, with ``ties_unsure``). Blocks of points
    run on all cores (the k-d tree and NumPy release the GIL)."""
    n = len(xy)
    edge = np.empty(n, dtype=np.int64)
    position, offset = np.empty(n), np.empty(n)

    def run(start: int) -> None:
        block = slice(start, min(start + BLOCK, n))
        edge[block], position[block], offset[block] = _snap_block(
            graph, xy[block], max_distance_m, k, ties_unsure
        )

    starts = range(0, n, BLOCK)
    if len(starts) == 1:
        run(0)
    else:
        with ThreadPoolExecutor(max_workers=_cores()) as pool:
            list(pool.map(run, starts))
    return edge, position, offset


def _cores() -> int:
    """The CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _snap_block(
    graph: WalkGraph, xy: NDArray[np.float64], max_distance_m: float, k: int, ties_unsure: bool
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """:func:`_snap_looked_up` for one block, on one core."""
    tree, sample_segment = graph.sample_index
    k = min(k, len(sample_segment))
    n = len(xy)
    sample_distance, sample = tree.query(
        xy, k=k, distance_upper_bound=max_distance_m + SAMPLE_SPACING_M
    )
    sample_distance = sample_distance.reshape(n, k)
    sample = sample.reshape(n, k)
    segment = sample_segment[np.where(np.isfinite(sample_distance), sample, 0)]
    edge = np.empty(n, dtype=np.int64)
    position, offset = np.empty(n), np.empty(n)
    for at in range(0, n, CHUNK):
        rows = slice(at, min(at + CHUNK, n))
        edge[rows], position[rows], offset[rows] = _best_candidate(
            graph, xy[rows], (sample_distance[rows], segment[rows]), max_distance_m, ties_unsure
        )
    return edge, position, offset


def _best_candidate(
    graph: WalkGraph,
    xy: NDArray[np.float64],
    samples: tuple[NDArray[np.float64], NDArray[np.int64]],
    max_distance_m: float,
    ties_unsure: bool,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The nearest of each point's candidate segments (``samples``: per point a row of sample
    distances, ``inf`` where none was found, and their segments): edge (:data:`UNSURE` where
    not certain, or tied with ``ties_unsure``; -1 beyond the limit), metres along it from its
    ``u`` end, and the offset in metres. A tie left in goes to the first nearest candidate."""
    sample_distance, segment = samples
    table, segment_edge = graph.snap_table
    x0, y0, dx, dy, length2, s0, ds = np.moveaxis(table[segment], -1, 0)
    px, py = xy[:, :1], xy[:, 1:]
    t = np.clip(((px - x0) * dx + (py - y0) * dy) / length2, 0, 1)
    found = np.isfinite(sample_distance)
    distance = np.where(found, np.hypot(px - (x0 + t * dx), py - (y0 + t * dy)), np.inf)
    best = np.argmin(distance, axis=1)
    rows = np.arange(len(xy))
    best_distance = distance[rows, best]
    best_edge = segment_edge[segment[rows, best]]
    # Any segment not among the candidates has all its samples beyond the k-th one, so it is
    # at least (k-th sample distance - half the spacing) away.
    certain = best_distance <= sample_distance[:, -1] - SAMPLE_SPACING_M / 2
    within = best_distance <= max_distance_m
    edge = np.where(within, best_edge, -1)
    edge[~certain] = UNSURE
    if ties_unsure:
        other = segment_edge[segment] != best_edge[:, None]
        rival = np.where(other, distance, np.inf).min(axis=1)
        edge[within & (rival <= best_distance + TIE_M)] = UNSURE
    along = s0[rows, best] + t[rows, best] * ds[rows, best]
    # Float noise must not push a position off its edge (substring reads negatives from the end).
    along = np.clip(along, 0.0, graph.edge_length[best_edge])
    return (
        edge,
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
