"""The walking graph: OSM ways → nodes and edges with geometry, in arrays SciPy reads directly.

One representation (see ../shared/STYLE.md, "For the network stage"): node coordinates, edge
end nodes, lengths and LineStrings (RD New, metres), and a symmetric CSR matrix of the shortest
edge between each pair of nodes for :mod:`scipy.sparse.csgraph`. No NetworkX.

:func:`build_graph` cuts every walkable way into edges at the nodes where ways meet (and where
a blocking node interrupts it), numbers the end nodes, and keeps the largest connected
component. Everything it leaves out is counted in its :class:`BuildReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo.errors import NetworkError
from geo.network.osm import HighwayWays
from geo.network.rules import RULES_VERSION, ProfileName, blocked_nodes, classify_ways

#: Largest gap (m) between the sample points of a segment in the snapping k-d tree
#: (:attr:`WalkGraph.sample_index`, used by :mod:`geo.network.snap`).
SAMPLE_SPACING_M = 20.0


@dataclass(frozen=True)
class BuildReport:
    """What went into a graph and what was left out (counts; lengths in metres)."""

    profile: str
    rules_version: str
    ways_read: int
    ways_walkable: int
    #: Rule label → (ways, metres) of the ways that rule excluded.
    excluded: dict[str, tuple[int, float]]
    blocking_nodes: int
    blocked_m: float
    components_dropped: int
    edges_dropped: int
    dropped_m: float
    nodes: int
    edges: int
    walkable_m: float

    def lines(self) -> list[str]:
        """A readable summary, one fact per line."""
        lines = [
            f"profile {self.profile} (rules {self.rules_version}): {self.nodes:,} nodes, "
            f"{self.edges:,} edges, {self.walkable_m / 1000:,.1f} km walkable",
            f"{self.ways_walkable:,} of {self.ways_read:,} highway ways walkable",
        ]
        for label, (ways, metres) in sorted(self.excluded.items(), key=lambda kv: -kv[1][1]):
            lines.append(f"  excluded {label}: {ways:,} ways, {metres / 1000:,.2f} km")
        if self.blocking_nodes:
            lines.append(
                f"  {self.blocking_nodes:,} blocking nodes (barriers/kerbs) cut "
                f"{self.blocked_m / 1000:,.2f} km"
            )
        lines.append(
            f"  {self.components_dropped:,} smaller components dropped: {self.edges_dropped:,} "
            f"edges, {self.dropped_m / 1000:,.2f} km (only the largest connected part is kept)"
        )
        return lines


@dataclass(frozen=True)
class Segments:
    """Every straight piece of every edge: ends in RD New and distance along its edge (m)."""

    edge: NDArray[np.int64]
    x0: NDArray[np.float64]
    y0: NDArray[np.float64]
    x1: NDArray[np.float64]
    y1: NDArray[np.float64]
    s0: NDArray[np.float64]
    s1: NDArray[np.float64]

    def take(self, index: NDArray[np.int64]) -> Segments:
        """The segments at ``index`` (positions in these arrays), in that order."""
        return Segments(
            self.edge[index],
            self.x0[index],
            self.y0[index],
            self.x1[index],
            self.y1[index],
            self.s0[index],
            self.s1[index],
        )


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """An undirected walking graph in RD New; edges are oriented ``edge_u`` → ``edge_v``.

    ``edge_length`` is the length of ``edge_geometry`` in metres. Derived structures (the CSR
    matrix, the spatial index, the segments) are built on first use.
    """

    profile: str
    node_x: NDArray[np.float64]
    node_y: NDArray[np.float64]
    edge_u: NDArray[np.int64]
    edge_v: NDArray[np.int64]
    edge_length: NDArray[np.float64]
    edge_geometry: NDArray[np.object_]
    report: BuildReport = field(repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.node_x)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    @cached_property
    def _csr(self) -> tuple[sp.csr_array, NDArray[np.int64]]:
        return _shortest_edge_matrix(self.edge_u, self.edge_v, self.edge_length, self.n_nodes)

    @property
    def matrix(self) -> sp.csr_array:
        """Symmetric CSR (n × n): the shortest edge between two nodes, metres; no self loops."""
        return self._csr[0]

    @property
    def entry_edge(self) -> NDArray[np.int64]:
        """For each stored entry of :attr:`matrix`, the edge it stands for."""
        return self._csr[1]

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index over the edge geometries (for snapping)."""
        return shapely.STRtree(self.edge_geometry)

    @cached_property
    def sample_index(self) -> tuple[cKDTree, NDArray[np.int64]]:
        """A k-d tree of points along every segment, at most ``SAMPLE_SPACING_M`` apart (the
        centres of equal pieces), and the segment of each point (for fast snapping)."""
        seg = self.segments
        length = np.hypot(seg.x1 - seg.x0, seg.y1 - seg.y0)
        pieces = np.maximum(1, np.ceil(length / SAMPLE_SPACING_M)).astype(np.int64)
        segment = np.repeat(np.arange(len(length)), pieces)
        first = np.cumsum(pieces) - pieces
        fraction = (np.arange(len(segment)) - first[segment] + 0.5) / pieces[segment]
        x = seg.x0[segment] + fraction * (seg.x1 - seg.x0)[segment]
        y = seg.y0[segment] + fraction * (seg.y1 - seg.y0)[segment]
        return cKDTree(np.column_stack([x, y])), segment

    @cached_property
    def snap_table(self) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Per segment one row ``x0, y0, dx, dy, length², s0, s1 - s0`` (RD New metres;
        ``length²`` is 1 for a segment of length 0) and its edge: what snapping reads of a
        candidate segment, in one place in memory."""
        seg = self.segments
        dx, dy = seg.x1 - seg.x0, seg.y1 - seg.y0
        length2 = dx * dx + dy * dy
        safe = np.where(length2 > 0, length2, 1.0)
        table = np.column_stack([seg.x0, seg.y0, dx, dy, safe, seg.s0, seg.s1 - seg.s0])
        return np.ascontiguousarray(table), seg.edge

    @cached_property
    def segments(self) -> Segments:
        """The edges' straight pieces (for partial-edge isochrones)."""
        coords, owner = shapely.get_coordinates(self.edge_geometry, return_index=True)
        same = owner[1:] == owner[:-1]
        start = np.flatnonzero(same)
        x0, y0 = coords[start, 0], coords[start, 1]
        x1, y1 = coords[start + 1, 0], coords[start + 1, 1]
        length = np.hypot(x1 - x0, y1 - y0)
        edge = owner[start].astype(np.int64)
        running = np.cumsum(length)
        first_of_edge = np.r_[True, edge[1:] != edge[:-1]]
        edge_start = np.maximum.accumulate(np.where(first_of_edge, np.arange(len(edge)), 0))
        before = running[edge_start] - length[edge_start]
        s1 = running - before
        return Segments(edge, x0, y0, x1, y1, s1 - length, s1)

    @cached_property
    def segment_offsets(self) -> NDArray[np.int64]:
        """Per edge the index of its first segment in :attr:`segments`, and one past the last
        segment at the end (segments are ordered by edge)."""
        counts = np.bincount(self.segments.edge, minlength=self.n_edges)
        offsets = np.zeros(self.n_edges + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return offsets

    @cached_property
    def node_edges(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Every edge at each node, parallel edges and loops included: ``(offsets, edges)``,
        node ``i``'s edges being ``edges[offsets[i]:offsets[i + 1]]`` (ascending)."""
        ends = np.concatenate([self.edge_u, self.edge_v])
        edge = np.tile(np.arange(self.n_edges, dtype=np.int64), 2)
        order = np.lexsort((edge, ends))
        offsets = np.zeros(self.n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(ends, minlength=self.n_nodes), out=offsets[1:])
        return offsets, edge[order]

    @cached_property
    def node_tree(self) -> cKDTree:
        """A k-d tree of the nodes (RD New), for the nodes within a walk of a point."""
        return cKDTree(np.column_stack([self.node_x, self.node_y]))

    @cached_property
    def walks_at_least_straight(self) -> bool:
        """True when no edge is shorter than the straight line between its ends, so that a
        walk of ``d`` metres never leaves the circle of radius ``d`` around where it began."""
        straight = np.hypot(
            self.node_x[self.edge_v] - self.node_x[self.edge_u],
            self.node_y[self.edge_v] - self.node_y[self.edge_u],
        )
        return bool(np.all(self.edge_length >= straight * (1 - 1e-9)))

    @cached_property
    def _entry_keys(self) -> NDArray[np.int64]:
        """``row * n_nodes + column`` of every stored matrix entry, ascending (CSR order)."""
        matrix = self.matrix
        rows = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(matrix.indptr))
        keys: NDArray[np.int64] = rows * self.n_nodes + matrix.indices
        return keys

    def prepare(self) -> WalkGraph:
        """Build every derived structure now (the CSR matrix, the spatial indexes, the
        segments and what isochrones look up), so that request threads only ever read them;
        returns the graph."""
        _ = self.matrix, self.tree, self.sample_index, self.segments, self._entry_keys
        _ = self.snap_table, self.segment_offsets, self.node_edges, self.node_tree
        _ = self.walks_at_least_straight
        return self

    def edges_between(self, a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.int64]:
        """The shortest edge joining each node pair ``(a[i], b[i])`` (pairs must be adjacent)."""
        where = np.searchsorted(self._entry_keys, a.astype(np.int64) * self.n_nodes + b)
        return self.entry_edge[where]


def _shortest_edge_matrix(
    u: NDArray[np.int64], v: NDArray[np.int64], length: NDArray[np.float64], n: int
) -> tuple[sp.csr_array, NDArray[np.int64]]:
    """CSR of the shortest edge per ordered node pair, sorted, and the edge behind each entry.

    Built by hand (not through COO, which would *sum* parallel edges).
    """
    edge = np.arange(len(u))
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    weights = np.concatenate([length, length])
    edges = np.concatenate([edge, edge])
    loop = rows == cols
    rows, cols, weights, edges = rows[~loop], cols[~loop], weights[~loop], edges[~loop]
    order = np.lexsort((weights, cols, rows))
    rows, cols, weights, edges = rows[order], cols[order], weights[order], edges[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]
    rows, cols, weights, edges = rows[first], cols[first], weights[first], edges[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    matrix = sp.csr_array((weights, cols, indptr), shape=(n, n))
    return matrix, edges


def build_graph(
    ways: HighwayWays, node_tags: dict[int, dict[str, str]], profile: ProfileName
) -> WalkGraph:
    """The walking graph of ``profile`` from highway ways (RD New), largest component only.

    Raises :class:`~geo.errors.NetworkError` when no way is walkable.
    """
    way_of_vertex = ways.vertex_way
    walkable, labels = classify_ways(ways.tags, profile)
    blocking = np.isin(ways.node_id, blocked_nodes(node_tags, profile))

    is_segment = np.ones(len(ways.node_id), dtype=bool)
    is_segment[ways.offsets[1:] - 1] = False
    start = np.flatnonzero(is_segment)
    seg_way = way_of_vertex[start]
    seg_length = np.hypot(ways.x[start + 1] - ways.x[start], ways.y[start + 1] - ways.y[start])
    way_length = np.bincount(seg_way, weights=seg_length, minlength=len(ways))
    seg_blocked = blocking[start] | blocking[start + 1]
    keep = walkable[seg_way] & ~seg_blocked
    kept = start[keep]
    if len(kept) == 0:
        raise NetworkError(
            f"no walkable way for profile {profile!r} among {len(ways)} highway ways"
        )
    graph = _cut_into_edges(ways, kept)
    graph, dropped = _largest_component(graph)
    excluded: dict[str, tuple[int, float]] = {}
    for label in np.unique(labels[~walkable]):
        mask = ~walkable & (labels == label)
        excluded[str(label)] = (int(mask.sum()), float(way_length[mask].sum()))
    report = BuildReport(
        profile=profile,
        rules_version=RULES_VERSION,
        ways_read=len(np.unique(ways.way_id)),
        ways_walkable=len(np.unique(ways.way_id[walkable])),
        excluded=excluded,
        blocking_nodes=len(np.unique(ways.node_id[blocking & walkable[way_of_vertex]])),
        blocked_m=float(seg_length[walkable[seg_way] & seg_blocked].sum()),
        components_dropped=dropped[0],
        edges_dropped=dropped[1],
        dropped_m=dropped[2],
        nodes=graph.n_nodes,
        edges=graph.n_edges,
        walkable_m=float(graph.edge_length.sum()),
    )
    return WalkGraph(
        profile,
        graph.node_x,
        graph.node_y,
        graph.edge_u,
        graph.edge_v,
        graph.edge_length,
        graph.edge_geometry,
        report,
    )


@dataclass(frozen=True)
class _Edges:
    node_x: NDArray[np.float64]
    node_y: NDArray[np.float64]
    edge_u: NDArray[np.int64]
    edge_v: NDArray[np.int64]
    edge_length: NDArray[np.float64]
    edge_geometry: NDArray[np.object_]

    @property
    def n_nodes(self) -> int:
        return len(self.node_x)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)


def _cut_into_edges(ways: HighwayWays, kept: NDArray[np.int64]) -> _Edges:
    """Edges from the kept segments (segment ``i`` joins vertices ``i`` and ``i + 1``).

    An edge ends where a run of consecutive kept segments ends, and at every vertex whose node
    other kept segments also touch (an intersection): nodes touched by exactly two segments
    are inner vertices of an edge.
    """
    a, b = ways.node_id[kept], ways.node_id[kept + 1]
    ids, counts = np.unique(np.concatenate([a, b]), return_counts=True)
    junction = counts[np.searchsorted(ids, a)] != 2
    new_run = np.r_[True, kept[1:] != kept[:-1] + 1]
    new_edge = new_run | junction
    edge_of_segment = np.cumsum(new_edge) - 1
    first = np.flatnonzero(new_edge)
    last = np.r_[first[1:] - 1, len(kept) - 1]
    start_vertex, end_vertex = kept[first], kept[last] + 1
    n_edges = len(first)

    vertex = np.concatenate([kept, end_vertex])
    owner = np.concatenate([edge_of_segment, np.arange(n_edges)])
    order = np.argsort(np.concatenate([np.arange(len(kept)), last + 0.5]), kind="stable")
    geometry = shapely.linestrings(
        ways.x[vertex[order]], ways.y[vertex[order]], indices=owner[order]
    )

    end_ids = np.concatenate([ways.node_id[start_vertex], ways.node_id[end_vertex]])
    node_ids, index = np.unique(end_ids, return_inverse=True)
    node_x = np.empty(len(node_ids))
    node_y = np.empty(len(node_ids))
    ends = np.concatenate([start_vertex, end_vertex])
    node_x[index] = ways.x[ends]
    node_y[index] = ways.y[ends]
    return _Edges(
        node_x,
        node_y,
        index[:n_edges].astype(np.int64),
        index[n_edges:].astype(np.int64),
        shapely.length(geometry),
        geometry,
    )


def _largest_component(edges: _Edges) -> tuple[_Edges, tuple[int, int, float]]:
    """Keep the largest connected component; report (components, edges, metres) dropped."""
    n = edges.n_nodes
    adjacency = sp.csr_array((np.ones(edges.n_edges), (edges.edge_u, edges.edge_v)), shape=(n, n))
    n_components, label = connected_components(adjacency, directed=False)
    largest = int(np.argmax(np.bincount(label)))
    keep_node = label == largest
    keep_edge = keep_node[edges.edge_u]
    new_index = np.cumsum(keep_node) - 1
    dropped = (
        int(n_components - 1),
        int((~keep_edge).sum()),
        float(edges.edge_length[~keep_edge].sum()),
    )
    return (
        _Edges(
            edges.node_x[keep_node],
            edges.node_y[keep_node],
            new_index[edges.edge_u[keep_edge]],
            new_index[edges.edge_v[keep_edge]],
            edges.edge_length[keep_edge],
            edges.edge_geometry[keep_edge],
        ),
        dropped,
    )
