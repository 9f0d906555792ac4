"""Shortest paths: the nearest of many targets for every origin at once, and routes to it.

:func:`target_field` runs ONE multi-source Dijkstra (SciPy, ``min_only=True``) from all targets
of a set together. Each target is a node of its own, joined to the two ends of the edge it
snapped to by its offset plus the distance along the edge, so a target between two nodes counts
exactly. Every origin's distance then comes from the field at its own edge's two ends, or
directly along that edge when a target snapped to the same edge: array arithmetic, no loop over
origins and no single-pair queries. :func:`route` follows the field's predecessors.

All distances are metres in RD New; unreachable is ``inf`` (target ``-1``), a value, not an
error (like pandana's ``max_distance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import scipy.sparse as sp
import shapely
import shapely.ops
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from geo.network.graph import WalkGraph
from geo.network.snap import Snapped


@dataclass(frozen=True, eq=False)
class TargetField:
    """Distance from every graph node to its nearest target, and the way there.

    ``distance`` and ``nearest`` have one entry per graph node; ``predecessor`` one per node of
    the augmented graph (graph nodes, then one node per snapped target), pointing one step
    towards the nearest target. ``target_index`` maps target nodes back to ``targets``.
    """

    graph: WalkGraph
    targets: Snapped
    distance: NDArray[np.float64]
    nearest: NDArray[np.int64]
    predecessor: NDArray[np.int32]
    target_index: NDArray[np.int64]

    @cached_property
    def _same_edge(self) -> _SameEdge:
        scale = float(self.graph.edge_length.max(initial=0.0)) + 1.0
        return _SameEdge.of(self.targets, self.target_index, scale)

    @cached_property
    def _carries_target(self) -> NDArray[np.bool_]:
        """Per edge: True where a target snapped to it."""
        carries = np.zeros(self.graph.n_edges, dtype=bool)
        carries[self.targets.edge[self.target_index]] = True
        return carries

    def nearest_for(self, origins: Snapped) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Walking distance (m) from each origin to its nearest target, and which target.

        ``inf`` and ``-1`` for origins beyond the snap limit or with no target reachable.
        """
        return _nearest(self, origins)[:2]


def target_field(graph: WalkGraph, targets: Snapped) -> TargetField:
    """Multi-source Dijkstra from every snapped target at once (one SciPy call)."""
    n = graph.n_nodes
    target_index = np.flatnonzero(targets.snapped)
    if len(target_index) == 0:
        return TargetField(
            graph,
            targets,
            np.full(n, np.inf),
            np.full(n, -1, dtype=np.int64),
            np.full(n, -9999, dtype=np.int32),
            target_index,
        )
    edge = targets.edge[target_index]
    to_u = targets.offset_m[target_index] + targets.position_m[target_index]
    to_v = (
        targets.offset_m[target_index] + graph.edge_length[edge] - targets.position_m[target_index]
    )
    augmented = _with_target_nodes(graph, graph.edge_u[edge], graph.edge_v[edge], to_u, to_v)
    k = len(target_index)
    distance, predecessor, source = dijkstra(
        augmented,
        directed=True,
        indices=np.arange(n, n + k),
        return_predecessors=True,
        min_only=True,
    )
    reached = source[:n] >= 0
    nearest = np.full(n, -1, dtype=np.int64)
    nearest[reached] = target_index[source[:n][reached] - n]
    return TargetField(graph, targets, distance[:n], nearest, predecessor, target_index)


def _with_target_nodes(
    graph: WalkGraph,
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    to_u: NDArray[np.float64],
    to_v: NDArray[np.float64],
) -> sp.csr_array:
    """The graph's CSR with one extra row per target (edges target → u, target → v)."""
    n, k = graph.n_nodes, len(u)
    loop = u == v  # a target on a closed loop edge: one entry, the shorter way round
    columns = np.column_stack([u, v])
    weights = np.column_stack([np.where(loop, np.minimum(to_u, to_v), to_u), to_v])
    keep = np.column_stack([np.ones(k, dtype=bool), ~loop])
    matrix = graph.matrix
    indptr = np.concatenate([matrix.indptr, matrix.indptr[-1] + np.cumsum(keep.sum(axis=1))])
    indices = np.concatenate([matrix.indices, columns[keep]])
    data = np.concatenate([matrix.data, weights[keep]])
    return sp.csr_array((data, indices, indptr), shape=(n + k, n + k))


@dataclass(frozen=True)
class _SameEdge:
    """Targets sorted by (edge, position) with grouped running minima, for origins that share
    an edge with a target: the best target at or before a position (``offset - position``
    smallest) and at or after it (``offset + position`` smallest)."""

    key: NDArray[np.float64]
    edge: NDArray[np.int64]
    best_before: NDArray[np.int64]
    best_after: NDArray[np.int64]
    scale: float

    @classmethod
    def of(cls, targets: Snapped, target_index: NDArray[np.int64], scale: float) -> _SameEdge:
        """``scale`` must exceed every edge's length (positions never spill into the next
        edge's key range)."""
        edge = targets.edge[target_index]
        position = targets.position_m[target_index]
        offset = targets.offset_m[target_index]
        order = np.lexsort((position, edge))
        edge, position, offset = edge[order], position[order], offset[order]
        group = np.cumsum(np.r_[True, edge[1:] != edge[:-1]]) - 1
        before = _grouped_argmin(offset - position, group)
        after = _grouped_argmin((offset + position)[::-1], (group.max(initial=0) - group)[::-1])
        after = len(after) - 1 - after[::-1]
        ids = target_index[order]
        return cls(edge * scale + position, edge, ids[before], ids[after], scale)


def _grouped_argmin(values: NDArray[np.float64], group: NDArray[np.int64]) -> NDArray[np.int64]:
    """Index of the running minimum of ``values`` within each run of equal ``group`` (ascending).

    Earlier groups are lifted by a large constant so they never win inside a later group.
    """
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    lift = (float(np.abs(values).max()) + 1.0) * 4.0
    lifted = values + (group.max() - group) * lift
    running = np.minimum.accumulate(lifted)
    is_min = lifted <= running
    return np.maximum.accumulate(np.where(is_min, np.arange(len(values)), 0)).astype(np.int64)


def _nearest(
    field: TargetField, origins: Snapped
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """(distance, target, how) per origin; ``how`` is 0 via the edge's u end, 1 via its v end,
    2 directly along the shared edge, -1 unreachable."""
    graph = field.graph
    n = len(origins)
    distance = np.full(n, np.inf)
    target = np.full(n, -1, dtype=np.int64)
    how = np.full(n, -1, dtype=np.int64)
    on = np.flatnonzero(origins.snapped)
    if len(on) == 0 or len(field.target_index) == 0:
        return distance, target, how
    edge = origins.edge[on]
    position = origins.position_m[on]
    u, v = graph.edge_u[edge], graph.edge_v[edge]
    via_u = field.distance[u] + position
    via_v = field.distance[v] + (graph.edge_length[edge] - position)
    take_v = via_v < via_u
    best = np.where(take_v, via_v, via_u)
    chosen = np.where(take_v, field.nearest[v], field.nearest[u])
    choice = take_v.astype(np.int64)
    # Directly along the edge: only for origins on an edge that carries a target (few).
    shared = np.flatnonzero(field._carries_target[edge])
    if len(shared):
        direct, direct_target = _direct(field, edge[shared], position[shared])
        better = direct < best[shared]
        best[shared[better]] = direct[better]
        chosen[shared[better]] = direct_target[better]
        choice[shared[better]] = 2
    finite = np.isfinite(best)
    distance[on[finite]] = best[finite] + origins.offset_m[on[finite]]
    target[on[finite]] = chosen[finite]
    how[on[finite]] = choice[finite]
    return distance, target, how


def nearest_distances(fields: Sequence[TargetField], origins: Snapped) -> NDArray[np.float64]:
    """Walking distance (m) from each origin to the nearest target of each field: one column
    per field (all on one graph), the values of :meth:`TargetField.nearest_for` bit for bit.

    One pass for all fields: what each origin reads of its edge (its ends, the metres to each)
    is looked up once, and each field's distances are gathered into preallocated rows (no
    target numbers, no temporary arrays per field). ``inf`` where no target is reachable or
    the origin lies beyond the snap limit.
    """
    distance = np.full((len(fields), len(origins)), np.inf)
    on = np.flatnonzero(origins.snapped)
    if len(on) == 0 or len(fields) == 0:
        return distance.T
    graph = fields[0].graph
    all_on = len(on) == len(origins)
    edge = origins.edge if all_on else origins.edge[on]
    position = origins.position_m if all_on else origins.position_m[on]
    offset = origins.offset_m if all_on else origins.offset_m[on]
    u, v = graph.edge_u.take(edge), graph.edge_v.take(edge)
    rest = graph.edge_length.take(edge)
    np.subtract(rest, position, out=rest)  # metres from the origin to its edge's v end
    via_u = np.empty(len(on))
    via_v = np.empty(len(on))
    for row, field in zip(distance, fields, strict=True):
        if len(field.target_index) == 0:
            continue
        field.distance.take(u, out=via_u)
        via_u += position
        field.distance.take(v, out=via_v)
        via_v += rest
        best = np.minimum(via_u, via_v, out=via_u)
        shared = np.flatnonzero(field._carries_target.take(edge))
        if len(shared):
            direct, _ = _direct(field, edge[shared], position[shared])
            best[shared] = np.minimum(best[shared], direct)
        best += offset
        if all_on:
            row[:] = best
        else:
            row[on] = best
    return distance.T


def _direct(
    field: TargetField, edge: NDArray[np.int64], position: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Distance (m, excluding the origin's offset) and target along the origin's own edge."""
    same = field._same_edge
    targets = field.targets
    n = len(edge)
    best = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    if len(same.key) == 0:
        return best, which
    key = edge * same.scale + position
    sides: tuple[tuple[Literal["left", "right"], NDArray[np.int64]], ...] = (
        ("right", same.best_before),
        ("left", same.best_after),
    )
    for side, lookup in sides:
        slot = np.searchsorted(same.key, key, side=side) - (1 if side == "right" else 0)
        inside = (slot >= 0) & (slot < len(same.key))
        slot = np.clip(slot, 0, len(same.key) - 1)
        inside &= same.edge[slot] == edge
        candidate = lookup[slot]
        length = np.abs(position - targets.position_m[candidate]) + targets.offset_m[candidate]
        better = inside & (length < best)
        best[better] = length[better]
        which[better] = candidate[better]
    return best, which


@dataclass(frozen=True)
class Route:
    """A walk from an origin to its nearest target: geometry (RD New) and length (m)."""

    geometry: shapely.LineString
    distance_m: float
    target: int


def route(
    field: TargetField,
    origin: Snapped,
    origin_point: shapely.Point,
    target_points: NDArray[np.object_],
) -> Route | None:
    """The walk from one snapped origin to its nearest target; None if none is reachable.

    The geometry runs from ``origin_point`` along its snap line, the network and the target's
    snap line to the target's point; its length equals the reported distance.
    """
    distance, target, how = _nearest(field, origin)
    if how[0] < 0:
        return None
    graph = field.graph
    edge = int(origin.edge[0])
    position = float(origin.position_m[0])
    goal = int(target[0])
    if how[0] == 2:
        middle = [_along(graph, edge, position, float(field.targets.position_m[goal]))]
    else:
        start_node = int(graph.edge_u[edge] if how[0] == 0 else graph.edge_v[edge])
        nodes = _follow(field.predecessor, start_node, graph.n_nodes)
        goal = int(field.target_index[nodes[-1] - graph.n_nodes])
        path = np.asarray(nodes[:-1], dtype=np.int64)
        middle = [_along(graph, edge, position, 0.0 if how[0] == 0 else None)]
        middle += _edge_chain(graph, path)
        goal_edge = int(field.targets.edge[goal])
        from_u = int(graph.edge_u[goal_edge]) == path[-1]
        start = 0.0 if from_u else None
        middle.append(_along(graph, goal_edge, start, float(field.targets.position_m[goal])))
    origin_on = shapely.line_interpolate_point(graph.edge_geometry[edge], position)
    goal_on = shapely.line_interpolate_point(
        graph.edge_geometry[int(field.targets.edge[goal])], float(field.targets.position_m[goal])
    )
    pieces = [
        np.array([[origin_point.x, origin_point.y], [origin_on.x, origin_on.y]]),
        *middle,
        np.array([[goal_on.x, goal_on.y], [target_points[goal].x, target_points[goal].y]]),
    ]
    line = shapely.LineString(_join(pieces))
    return Route(line, float(distance[0]), goal)


def _follow(predecessor: NDArray[np.int32], node: int, n_nodes: int) -> list[int]:
    """Nodes from ``node`` to its nearest target's node (the last, ``>= n_nodes``)."""
    nodes = [node]
    while nodes[-1] < n_nodes:
        step = int(predecessor[nodes[-1]])
        if step < 0:
            raise RuntimeError("predecessor chain broken; the field does not reach this node")
        nodes.append(step)
    return nodes


def _along(
    graph: WalkGraph, edge: int, start: float | None, end: float | None
) -> NDArray[np.float64]:
    """Coordinates along ``edge`` from ``start`` to ``end`` metres (None = the far end, i.e.
    the edge's length), in walking order."""
    length = float(graph.edge_length[edge])
    a = length if start is None else min(max(start, 0.0), length)
    b = length if end is None else min(max(end, 0.0), length)
    piece = shapely.ops.substring(graph.edge_geometry[edge], min(a, b), max(a, b))
    coords: NDArray[np.float64] = shapely.get_coordinates(piece)
    return coords[::-1] if a > b else coords


def _edge_chain(graph: WalkGraph, path: NDArray[np.int64]) -> list[NDArray[np.float64]]:
    """Coordinates of the edges joining consecutive nodes of ``path``, each in walking order."""
    if len(path) < 2:
        return []
    edges = graph.edges_between(path[:-1], path[1:])
    pieces = []
    for edge, start in zip(edges, path[:-1], strict=True):
        coords = shapely.get_coordinates(graph.edge_geometry[edge])
        pieces.append(coords if graph.edge_u[edge] == start else coords[::-1])
    return pieces


def _join(pieces: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    coords = np.concatenate([p for p in pieces if len(p)])
    keep = np.r_[True, np.any(np.diff(coords, axis=0) != 0, axis=1)]
    coords = coords[keep]
    return coords if len(coords) >= 2 else np.vstack([coords, coords])
