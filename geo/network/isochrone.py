"""Isochrones: the area reachable on foot within given distances, from reachable edge parts.

From one origin, SciPy's Dijkstra (bounded by the largest cut-off) gives the distance to every
node near it. An edge is then reachable from each end as far as the distance left at that end
allows — partial edges included — and along the origin's own edge both ways. Those pieces are
cut out of the edges' straight segments with array arithmetic and buffered into a polygon (RD
New). Polygons of increasing cut-offs nest: each is united with the one before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from geo.network.graph import Segments, WalkGraph
from geo.network.snap import Snapped

#: The walked street and this many metres either side count as reached (front doors, gardens).
DEFAULT_BUFFER_M = 40.0


def node_distances(graph: WalkGraph, origin: Snapped, limit_m: float) -> NDArray[np.float64]:
    """Metres from one snapped origin to every node (``inf`` beyond ``limit_m``); the origin's
    offset is not included."""
    edge = int(origin.edge[0])
    position = float(origin.position_m[0])
    u, v = int(graph.edge_u[edge]), int(graph.edge_v[edge])
    from_ends = dijkstra(graph.matrix, directed=True, indices=[u, v], limit=limit_m)
    via_u = from_ends[0] + position
    via_v = from_ends[1] + (graph.edge_length[edge] - position)
    nearest: NDArray[np.float64] = np.minimum(via_u, via_v)
    return nearest


def reachable_pieces(
    graph: WalkGraph, origin: Snapped, distances: NDArray[np.float64], budget_m: float
) -> NDArray[np.object_]:
    """Straight line pieces of the network within ``budget_m`` metres walked from the origin
    (``distances`` from :func:`node_distances`; the origin's offset already subtracted)."""
    # Only segments of edges with an end in reach (or the origin's own edge) can hold a piece.
    in_reach = (distances[graph.edge_u] <= budget_m) | (distances[graph.edge_v] <= budget_m)
    in_reach[int(origin.edge[0])] = True
    seg = _subset(graph.segments, in_reach[graph.segments.edge])
    edge = seg.edge
    length = graph.edge_length[edge]
    left_u = budget_m - distances[graph.edge_u[edge]]  # reach along the edge from its u end
    left_v = budget_m - distances[graph.edge_v[edge]]
    # From the v end only what the u end does not already reach: no piece is drawn twice.
    intervals = [
        (np.zeros_like(left_u), left_u),
        (np.maximum(length - left_v, left_u), length),
    ]
    on_origin = edge == int(origin.edge[0])
    position = float(origin.position_m[0])
    intervals.append(
        (
            np.where(on_origin, position - budget_m, np.inf),
            np.where(on_origin, position + budget_m, -np.inf),
        )
    )
    pieces = []
    for low, high in intervals:
        t0 = np.maximum(seg.s0, low)
        t1 = np.minimum(seg.s1, high)
        ok = t1 > t0
        pieces.append(_cut(seg, t0, t1, ok))
    return np.concatenate(pieces)


def _subset(seg: Segments, keep: NDArray[np.bool_]) -> Segments:
    return Segments(
        seg.edge[keep],
        seg.x0[keep],
        seg.y0[keep],
        seg.x1[keep],
        seg.y1[keep],
        seg.s0[keep],
        seg.s1[keep],
    )


def _cut(
    seg: Segments, t0: NDArray[np.float64], t1: NDArray[np.float64], ok: NDArray[np.bool_]
) -> NDArray[np.object_]:
    """Sub-segments ``[t0, t1]`` (metres along the edge) of segments ``[s0, s1]`` where ``ok``."""
    x0, y0, x1, y1, s0, s1 = seg.x0, seg.y0, seg.x1, seg.y1, seg.s0, seg.s1
    span = np.where(s1 > s0, s1 - s0, 1.0)[ok]
    a = (t0[ok] - s0[ok]) / span
    b = (t1[ok] - s0[ok]) / span
    dx, dy = (x1 - x0)[ok], (y1 - y0)[ok]
    coords = np.stack(
        [
            np.column_stack([x0[ok] + a * dx, y0[ok] + a * dy]),
            np.column_stack([x0[ok] + b * dx, y0[ok] + b * dy]),
        ],
        axis=1,
    )
    return np.asarray(shapely.linestrings(coords), dtype=object).reshape(-1)


def _area_around(lines: NDArray[np.object_], buffer_m: float) -> shapely.Geometry:
    """The area within ``buffer_m`` of ``lines``: merged into long lines first, each buffered on
    its own and then united — far faster in GEOS than buffering one big MultiLineString."""
    merged = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines)))
    return shapely.union_all(shapely.buffer(merged, buffer_m, quad_segs=2))


def isochrones(
    graph: WalkGraph,
    origin: Snapped,
    origin_point: shapely.Point,
    cutoffs_m: Sequence[float],
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> list[shapely.Geometry]:
    """One polygon (RD New) per cut-off in metres, in the order given; nested by construction.

    ``origin`` is one snapped point; its snap line is walked too. A cut-off shorter than the
    snap line gives an empty polygon.
    """
    offset = float(origin.offset_m[0])
    largest = max(cutoffs_m)
    distances = node_distances(graph, origin, max(largest - offset, 0.0))
    snapped_at = shapely.line_interpolate_point(
        graph.edge_geometry[int(origin.edge[0])], float(origin.position_m[0])
    )
    snap_line = shapely.LineString([origin_point, snapped_at])
    polygons: dict[float, shapely.Geometry] = {}
    previous: shapely.Geometry = shapely.Polygon()
    for cutoff in sorted(set(cutoffs_m)):
        budget = cutoff - offset
        if budget <= 0:
            polygons[cutoff] = shapely.Polygon()
            continue
        pieces = reachable_pieces(graph, origin, distances, budget)
        polygon = _area_around(np.append(pieces, snap_line), buffer_m)
        polygons[cutoff] = previous = shapely.union(polygon, previous)
    return [polygons[c] for c in cutoffs_m]
