"""The fast snapping (k-d tree lookups in Z-order, two looks, the rest to the STRtree) gives
the brute-force answer and the STRtree's, on the real Delft extract: random points near and
far, points exactly on nodes and on edges (ties between the edges meeting there), and
hypothesis points anywhere around the campus. At a tie (two edges equally near) any of the
tied edges is right: the offset is the same, and so is every walking distance through the
node they share."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from geo.network.graph import WalkGraph, build_graph
from geo.network.osm import read_osm
from geo.network.snap import BLOCK, TIE_M, Snapped, _snap_exactly, snap_points
from tests.conftest import DELFT_OSM, skip_without_shared_data

LIMIT_M = 250.0


@cache
def delft_graph() -> WalkGraph:
    """The Delft walking graph, read through the real reader (built once per session)."""
    extract = read_osm(DELFT_OSM)
    return build_graph(extract.ways, extract.node_tags, "walk").prepare()


@pytest.fixture(scope="module")
def delft() -> WalkGraph:
    skip_without_shared_data(DELFT_OSM)
    return delft_graph()


def brute_force(graph: WalkGraph, xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Metres from every point to every edge (points × edges), over all segments."""
    seg = graph.segments
    dx, dy = seg.x1 - seg.x0, seg.y1 - seg.y0
    length2 = np.where(dx * dx + dy * dy > 0, dx * dx + dy * dy, 1.0)
    first = np.flatnonzero(np.r_[True, seg.edge[1:] != seg.edge[:-1]])  # segments by edge
    assert np.array_equal(seg.edge[first], np.arange(graph.n_edges))
    out = np.empty((len(xy), graph.n_edges))
    for start in range(0, len(xy), 64):
        px, py = xy[start : start + 64, :1], xy[start : start + 64, 1:]
        ex, ey = px - seg.x0, py - seg.y0
        t = np.clip((ex * dx + ey * dy) / length2, 0, 1)
        ex -= t * dx
        ey -= t * dy
        out[start : start + 64] = np.minimum.reduceat(ex * ex + ey * ey, first, axis=1)
    return np.sqrt(out)


def sample_points(graph: WalkGraph, rng: np.random.Generator) -> NDArray[np.object_]:
    """About 20,000 points: near the network (some beyond the limit), on every node, on every
    edge's vertices and at random places along the edges."""
    edge = rng.integers(0, graph.n_edges, 14_000)
    on = shapely.line_interpolate_point(
        graph.edge_geometry[edge], rng.uniform(0, 1, 14_000), normalized=True
    )
    angle, radius = rng.uniform(0, 2 * np.pi, 14_000), rng.exponential(40.0, 14_000)
    radius[:2_000] = 0.0  # exactly on an edge
    near = shapely.points(
        shapely.get_x(on) + radius * np.cos(angle), shapely.get_y(on) + radius * np.sin(angle)
    )
    nodes = shapely.points(graph.node_x, graph.node_y)
    vertices = shapely.points(shapely.get_coordinates(graph.edge_geometry))
    made: NDArray[np.object_] = np.concatenate([near, nodes, vertices])
    return made


def assert_equivalent(
    graph: WalkGraph, pts: NDArray[np.object_], got: Snapped, every: int = 1
) -> int:
    """``got`` is the STRtree's answer and agrees with brute force (on every ``every``-th
    point: brute force is slow); the number of ties among those."""
    exact = Snapped(*_snap_exactly(graph, pts, LIMIT_M))
    np.testing.assert_array_equal(got.snapped, exact.snapped)
    np.testing.assert_allclose(got.offset_m, exact.offset_m, rtol=0, atol=1e-6)
    # Another edge than the STRtree's only at a tie: as near, by GEOS's measure.
    other = np.flatnonzero(got.edge != exact.edge)
    there = shapely.distance(graph.edge_geometry[got.edge[other]], pts[other])
    np.testing.assert_allclose(there, exact.offset_m[other], rtol=0, atol=TIE_M)
    same = got.edge == exact.edge
    np.testing.assert_allclose(got.position_m[same], exact.position_m[same], rtol=0, atol=1e-6)
    pts, got = pts[::every], got.subset(np.arange(0, len(pts), every))
    distance = brute_force(graph, shapely.get_coordinates(pts))
    nearest = distance.min(axis=1)
    assert np.array_equal(got.snapped, nearest <= LIMIT_M)
    on = got.snapped
    np.testing.assert_allclose(got.offset_m[on], nearest[on], rtol=0, atol=1e-6)
    # The edge is one of the nearest (several where edges meet or overlap: a tie).
    assert np.all(distance[np.flatnonzero(on), got.edge[on]] <= nearest[on] + TIE_M)
    return int(np.sum(np.sum(distance <= nearest[:, None] + TIE_M, axis=1) > 1))


def test_snapping_equals_brute_force_and_the_strtree_on_delft(delft: WalkGraph) -> None:
    pts = sample_points(delft, np.random.default_rng(16))
    assert len(pts) > 19_000
    got = snap_points(delft, pts, LIMIT_M)
    # The points on nodes and vertices include many ties (edges meeting at a node).
    assert assert_equivalent(delft, pts, got, every=2) > 1000
    # More points than one block: the blocks run on threads, in Z-order; same answers.
    twice = np.concatenate([pts, pts[::-1]])
    assert len(twice) > BLOCK
    both = snap_points(delft, twice, LIMIT_M)
    np.testing.assert_array_equal(both.edge[: len(pts)], got.edge)
    np.testing.assert_array_equal(both.edge[len(pts) :], got.edge[::-1])
    np.testing.assert_array_equal(both.offset_m[: len(pts)], got.offset_m)


@settings(max_examples=30, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.floats(-300, 300), st.floats(-300, 300), st.integers(0, 10**6), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_snapping_equals_the_strtree_anywhere(
    delft: WalkGraph, data: list[tuple[float, float, int, bool]]
) -> None:
    """Points around the campus, each either anywhere near a node or exactly on one."""
    node = np.array([d[2] % delft.n_nodes for d in data])
    exact = np.array([d[3] for d in data])
    x = delft.node_x[node] + np.where(exact, 0.0, [d[0] for d in data])
    y = delft.node_y[node] + np.where(exact, 0.0, [d[1] for d in data])
    pts = shapely.points(x, y)
    assert_equivalent(delft, pts, snap_points(delft, pts, LIMIT_M))
