"""The isochrones as built now (Dijkstra on the nodes near the origin only; each cut-off buffers
only the lines that reach beyond the previous one) against the way they were built before
(Dijkstra on the whole graph; every cut-off buffers and unites all its lines, then the previous
polygon), on the real Delft extract from random points.

The first cut-off is built by the same GEOS calls on the same lines, so it must be the same
polygon byte for byte; a later one covers the same area (the lines it no longer buffers are
vertex for vertex lines of the previous cut-off, already inside its polygon), but GEOS unites
other inputs, so its vertices may be listed differently: it must lie within a micrometre of the
old one and differ from it by no measurable area.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pytest
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from geo.network.graph import WalkGraph
from geo.network.isochrone import (
    DEFAULT_BUFFER_M,
    NearNodes,
    Reach,
    area_around,
    isochrones,
    merged_lines,
    near_nodes,
    reach,
    reachable_pieces,
    snap_line,
)
from geo.network.snap import Snapped, snap_points
from tests.conftest import DELFT_OSM, skip_without_shared_data
from tests.network.test_snap_equivalence import delft_graph

#: 5, 10 and 15 minutes at 0.8 m/s, and 3 and 7 (the rollator request of the goldens), metres.
CUTOFFS = ((240.0, 480.0, 720.0), (144.0, 336.0))
POINTS = 40


@pytest.fixture(scope="module")
def delft() -> WalkGraph:
    skip_without_shared_data(DELFT_OSM)
    return delft_graph()


def whole_graph_distances(graph: WalkGraph, origin: Snapped, limit_m: float) -> NearNodes:
    """The walking distance to every node, by Dijkstra on the whole graph (as before)."""
    edge = int(origin.edge[0])
    position = float(origin.position_m[0])
    ends = [int(graph.edge_u[edge]), int(graph.edge_v[edge])]
    from_ends = dijkstra(graph.matrix, directed=True, indices=ends, limit=limit_m)
    distance = np.minimum(
        from_ends[0] + position, from_ends[1] + (graph.edge_length[edge] - position)
    )
    return NearNodes(np.arange(graph.n_nodes, dtype=np.int64), distance)


def whole_graph_reach(graph: WalkGraph, origin: Snapped, near: NearNodes, budget: float) -> Reach:
    """Every segment of an edge with an end within ``budget`` (as before: a mask over all)."""
    distance = near.distance
    keep = (distance[graph.edge_u] <= budget) | (distance[graph.edge_v] <= budget)
    keep[int(origin.edge[0])] = True
    seg = graph.segments
    pick = keep[seg.edge]
    fields = {f.name: getattr(seg, f.name)[pick] for f in dataclasses.fields(seg)}
    local = dataclasses.replace(seg, **fields)
    return Reach(
        local,
        graph.edge_length[local.edge],
        distance[graph.edge_u[local.edge]],
        distance[graph.edge_v[local.edge]],
        local.edge == int(origin.edge[0]),
        float(origin.position_m[0]),
    )


def isochrones_as_before(
    graph: WalkGraph, origin: Snapped, point: shapely.Point, cutoffs_m: Sequence[float]
) -> list[shapely.Geometry]:
    """Every cut-off from all of its lines, united with the polygon before."""
    offset = float(origin.offset_m[0])
    largest = max(max(cutoffs_m) - offset, 0.0)
    near = whole_graph_distances(graph, origin, largest)
    reached = whole_graph_reach(graph, origin, near, largest)
    walked_to = snap_line(graph, origin, point)
    polygons: dict[float, shapely.Geometry] = {}
    previous: shapely.Geometry = shapely.Polygon()
    for cutoff in sorted(set(cutoffs_m)):
        budget = cutoff - offset
        if budget <= 0:
            polygons[cutoff] = shapely.Polygon()
            continue
        lines = merged_lines(np.append(reachable_pieces(reached, budget), walked_to))
        polygons[cutoff] = previous = shapely.union(area_around(lines, DEFAULT_BUFFER_M), previous)
    return [polygons[c] for c in cutoffs_m]


def random_origins(graph: WalkGraph, n: int, seed: int) -> NDArray[np.object_]:
    """Points up to 40 m beside random points of random edges (RD New)."""
    rng = np.random.default_rng(seed)
    edge = rng.integers(0, graph.n_edges, n)
    along = shapely.line_interpolate_point(
        graph.edge_geometry[edge], rng.uniform(0, 1, n), normalized=True
    )
    xy = shapely.get_coordinates(along) + rng.uniform(-40, 40, (n, 2))
    made: NDArray[np.object_] = shapely.points(xy)
    return made


def test_near_nodes_equal_the_whole_graph_dijkstra(delft: WalkGraph) -> None:
    """The Dijkstra on the nodes within the walk's circles finds every distance of the one on
    the whole graph, bit for bit, and the same segments in the same order."""
    origins = random_origins(delft, POINTS, seed=3)
    snapped = snap_points(delft, origins, 250)
    for k in range(POINTS):
        one = snapped.subset(np.array([k]))
        for limit in (100.0, 720.0, 3000.0):
            near = near_nodes(delft, one, limit)
            whole = whole_graph_distances(delft, one, limit)
            assert np.array_equal(near.of(whole.node), whole.distance)
            assert np.all(np.isinf(whole.distance[~np.isin(whole.node, near.node)]))
            local = reach(delft, one, near, limit)
            before = whole_graph_reach(delft, one, whole, limit)
            assert np.array_equal(local.seg.edge, before.seg.edge)
            assert np.array_equal(local.seg.x0, before.seg.x0)
            assert np.array_equal(local.to_u, before.to_u)
            assert np.array_equal(local.to_v, before.to_v)


def test_a_graph_shorter_than_straight_lines_walks_the_whole_graph(delft: WalkGraph) -> None:
    """Where an edge is shorter than the line between its ends, a walk can leave the circle:
    then Dijkstra runs on the whole graph (same distances as before)."""
    shorter = dataclasses.replace(delft, edge_length=delft.edge_length * 0.5)
    assert not shorter.walks_at_least_straight
    origin = snap_points(shorter, random_origins(shorter, 1, seed=4), 250)
    near = near_nodes(shorter, origin, 720.0)
    assert len(near.node) == shorter.n_nodes
    assert np.array_equal(near.distance, whole_graph_distances(shorter, origin, 720.0).distance)


@pytest.mark.parametrize("cutoffs", CUTOFFS, ids=["5-10-15-min", "3-7-min-rollator"])
def test_isochrones_cover_what_they_covered_before(
    delft: WalkGraph, cutoffs: tuple[float, ...]
) -> None:
    origins = random_origins(delft, POINTS, seed=5)
    snapped = snap_points(delft, origins, 250)
    for k in np.flatnonzero(snapped.snapped):
        one = snapped.subset(np.array([k]))
        now = isochrones(delft, one, origins[k], cutoffs)
        before = isochrones_as_before(delft, one, origins[k], cutoffs)
        assert shapely.to_wkb(now[0]) == shapely.to_wkb(before[0])
        for new, old in zip(now[1:], before[1:], strict=True):
            assert shapely.hausdorff_distance(new, old) < 1e-6
            assert shapely.symmetric_difference(new, old).area < 1e-9 * old.area


def test_cutoffs_in_any_order_and_below_the_snap_line(delft: WalkGraph) -> None:
    """Unsorted and repeated cut-offs, and one shorter than the snap line (empty)."""
    origin = shapely.points([(85600.0, 446020.0)])
    one = snap_points(delft, origin, 250)
    offset = float(one.offset_m[0])
    assert offset > 1.0
    cutoffs = [720.0, offset / 2, 240.0, 720.0, 480.0]
    now = isochrones(delft, one, origin[0], cutoffs)
    before = isochrones_as_before(delft, one, origin[0], cutoffs)
    assert now[1].is_empty
    assert before[1].is_empty
    assert shapely.to_wkb(now[2]) == shapely.to_wkb(before[2])
    assert shapely.to_wkb(now[0]) == shapely.to_wkb(now[3])
    for new, old in zip(now[2:], before[2:], strict=True):
        assert shapely.hausdorff_distance(new, old) < 1e-6
