"""Which demand points each site reaches within a limit, and how far: the coverage matrix.

Sites (candidates or existing voorzieningen) and demand points (resident points) are snapped
to the walking network's edges (:mod:`geo.network.snap`). Each site becomes a node of its own,
joined to the two ends of its edge, and SciPy's Dijkstra runs from blocks of sites at once with
``limit`` = the norm, so no search walks further than the norm. Only the pairs the straight
line allows (a k-d tree's ``sparse_distance_matrix``: a walk is never shorter than the straight
line) are read from each block, by array gathers; a site and a demand point on the same edge
also count the walk straight along it. The answer is a sparse list of (site, demand, metres) pairs.

What depends on the demand points alone (their k-d tree and their snapping, :class:`Demand`)
is built once and shared by every reach from them: a click on the map ("a new voorziening
here") then costs only its own site's snap and bounded walk.

Straight lines (no network) give the same pairs by Euclidean distance. All coordinates are
RD New (EPSG:28992), all distances metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo.common.progress import Progress, silent
from geo.network.graph import WalkGraph
from geo.network.snap import Snapped

#: Dijkstra results held at once (sites per block × graph nodes), bounding memory (8 B each).
BLOCK_CELLS = 8_000_000


@dataclass(frozen=True, eq=False)
class Demand:
    """Demand points (RD New) with what every reach from them shares: their k-d tree and,
    for walking, their snapping to the graph (None for straight lines). Build with
    :func:`demand_of` once per set of points (per analysis) and keep it."""

    points: NDArray[np.object_]
    tree: cKDTree
    snapped: Snapped | None = None

    def __len__(self) -> int:
        return len(self.points)


def demand_of(points: NDArray[np.object_], snapped: Snapped | None = None) -> Demand:
    """``points`` (RD New) with their k-d tree (and ``snapped``, their snapping, for walking)."""
    coordinates = shapely.get_coordinates(points) if len(points) else np.empty((0, 2))
    return Demand(points, cKDTree(coordinates), snapped)


@dataclass(frozen=True)
class Reach:
    """Site–demand pairs within the limit: ``site[i]`` reaches ``demand[i]`` in
    ``distance_m[i]`` metres (RD New). ``site_off_network`` marks sites beyond the snap limit
    (they reach nobody); ``demand_off_network`` demand points beyond it."""

    site: NDArray[np.int64]
    demand: NDArray[np.int64]
    distance_m: NDArray[np.float64]
    n_sites: int
    n_demand: int
    limit_m: float
    site_off_network: NDArray[np.bool_]
    demand_off_network: NDArray[np.bool_]

    def matrix(self) -> sp.csr_array:
        """Boolean sites × demand matrix (True where the site reaches the point)."""
        ones = np.ones(len(self.site), dtype=bool)
        return sp.csr_array((ones, (self.site, self.demand)), shape=(self.n_sites, self.n_demand))

    def within(self, limit_m: float) -> Reach:
        """The pairs no further than ``limit_m`` (≤ this reach's limit)."""
        keep = self.distance_m <= limit_m
        return Reach(
            self.site[keep],
            self.demand[keep],
            self.distance_m[keep],
            self.n_sites,
            self.n_demand,
            min(limit_m, self.limit_m),
            self.site_off_network,
            self.demand_off_network,
        )


def straight_reach(sites: NDArray[np.object_], demand: Demand, limit_m: float) -> Reach:
    """Pairs within ``limit_m`` metres by straight line (RD New points)."""
    site, point, distance = _straight_pairs(sites, demand, limit_m)
    none = np.zeros(len(sites), dtype=bool)
    return Reach(
        site, point, distance, len(sites), len(demand), limit_m, none, np.zeros(len(demand), bool)
    )


def walking_reach(
    graph: WalkGraph,
    sites: tuple[NDArray[np.object_], Snapped],
    demand: Demand,
    limit_m: float,
    *,
    progress: Progress = silent,
) -> Reach:
    """Pairs within ``limit_m`` metres of walking: bounded Dijkstra from blocks of sites.

    ``sites`` are (RD New points, their snapping to ``graph``); ``demand`` has its snapping to
    ``graph`` (:func:`demand_of` with ``snapped``).
    """
    site_points, site_snap = sites
    demand_snap = demand.snapped
    if demand_snap is None:
        raise ValueError("walking reach needs the demand points snapped to the graph")
    site, point, _ = _straight_pairs(site_points, demand, limit_m)
    usable = site_snap.snapped[site] & demand_snap.snapped[point]
    site, point = site[usable], point[usable]
    order = np.argsort(site, kind="stable")
    site, point = site[order], point[order]
    distance = np.full(len(site), np.inf)
    on = np.flatnonzero(site_snap.snapped)
    augmented = _with_site_nodes(graph, site_snap.subset(on))
    slot = np.full(len(site_points), -1, dtype=np.int64)
    slot[on] = np.arange(len(on))
    block = max(1, BLOCK_CELLS // max(1, augmented.shape[0]))
    for start in range(0, len(on), block):
        ids = on[start : start + block]
        progress(f"  walking from sites {start + 1:,}–{start + len(ids):,} of {len(on):,}")
        field = dijkstra(augmented, directed=True, indices=graph.n_nodes + slot[ids], limit=limit_m)
        lo, hi = np.searchsorted(site, [ids[0], ids[-1] + 1])
        distance[lo:hi] = _gather(
            graph, field, slot[site[lo:hi]] - slot[ids[0]], point[lo:hi], demand_snap
        )
    same = _same_edge(site_snap, demand_snap, site, point)
    distance = np.minimum(distance, same)
    keep = distance <= limit_m
    return Reach(
        site[keep],
        point[keep],
        distance[keep],
        len(site_points),
        len(demand),
        limit_m,
        ~site_snap.snapped,
        ~demand_snap.snapped,
    )


def _straight_pairs(
    sites: NDArray[np.object_], demand: Demand, limit_m: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """(site, demand, metres) of every pair no further apart than ``limit_m`` in a line (the
    demand's own k-d tree against one built over the sites)."""
    if len(sites) == 0 or len(demand) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), np.empty(0)
    near = cKDTree(shapely.get_coordinates(sites)).sparse_distance_matrix(
        demand.tree, limit_m, output_type="coo_matrix"
    )
    site, point = near.row.astype(np.int64), near.col.astype(np.int64)
    order = np.lexsort((point, site))
    return site[order], point[order], np.asarray(near.data[order], dtype=float)


def _with_site_nodes(graph: WalkGraph, sites: Snapped) -> sp.csr_array:
    """The graph's CSR with one extra row per site: edges site → u and site → v, weighted by
    the site's offset plus the distance along its edge to that end."""
    n, k = graph.n_nodes, len(sites)
    u, v = graph.edge_u[sites.edge], graph.edge_v[sites.edge]
    to_u = sites.offset_m + sites.position_m
    to_v = sites.offset_m + graph.edge_length[sites.edge] - sites.position_m
    matrix = graph.matrix
    indptr = np.concatenate([matrix.indptr, matrix.indptr[-1] + 2 * np.arange(1, k + 1)])
    indices = np.concatenate([matrix.indices, np.column_stack([u, v]).ravel()])
    data = np.concatenate([matrix.data, np.column_stack([to_u, to_v]).ravel()])
    return sp.csr_array((data, indices, indptr), shape=(n + k, n + k))


def _gather(
    graph: WalkGraph,
    field: NDArray[np.float64],
    row: NDArray[np.int64],
    point: NDArray[np.int64],
    demand: Snapped,
) -> NDArray[np.float64]:
    """Walk from each pair's site (``field`` row) to its demand point, by either end of the
    point's edge, plus the point's own offset."""
    field = np.atleast_2d(field)
    edge = demand.edge[point]
    position = demand.position_m[point]
    via_u = field[row, graph.edge_u[edge]] + position
    via_v = field[row, graph.edge_v[edge]] + graph.edge_length[edge] - position
    return np.asarray(np.minimum(via_u, via_v) + demand.offset_m[point], dtype=float)


def _same_edge(
    sites: Snapped, demand: Snapped, site: NDArray[np.int64], point: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Walk straight along the edge for pairs on the same edge; ``inf`` elsewhere."""
    same = sites.edge[site] == demand.edge[point]
    walk = (
        np.abs(sites.position_m[site] - demand.position_m[point])
        + sites.offset_m[site]
        + demand.offset_m[point]
    )
    return np.where(same, walk, np.inf)
