"""A walking source shared by request threads: its caches stay whole under contention.

``WalkingDistance`` keeps the multi-source fields of target sets (an LRU) and the last
snapped points; request threads of the API ask it at once. With a cache of one field and two
target sets asked for alternately, every call evicts the other's field: without a lock,
``move_to_end`` on a key another thread just evicted raised ``KeyError``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import shapely

from geo.coverage.distance import WalkingDistance
from geo.network.graph import WalkGraph, build_graph
from geo.network.osm import read_osm
from tests.osm_builder import Way, write_osm

N_CALLS = 400


@pytest.fixture
def switching_often() -> Iterator[None]:
    """Let threads take turns every microsecond, so races show within a short test."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _grid_graph(folder: Path) -> WalkGraph:
    """A 6 × 6 street grid, 100 m apart, as real OSM XML read by the real reader."""
    nodes = {r * 6 + c + 1: (c * 100.0, r * 100.0) for r in range(6) for c in range(6)}
    ways: list[Way] = []
    for r in range(6):
        ways.append((len(ways) + 1, [r * 6 + c + 1 for c in range(6)], {"highway": "residential"}))
    for c in range(6):
        ways.append((len(ways) + 1, [r * 6 + c + 1 for r in range(6)], {"highway": "footway"}))
    extract = read_osm(write_osm(folder / "grid.osm", nodes, ways))
    return build_graph(extract.ways, extract.node_tags, "walk")


def test_shared_field_cache_under_contention(tmp_path: Path, switching_often: None) -> None:
    graph = _grid_graph(tmp_path)
    x0, y0 = graph.node_x.min(), graph.node_y.min()
    origins = np.array([shapely.Point(x0 + 50 + 10 * i, y0 + 250) for i in range(40)], dtype=object)
    targets = [
        np.array([shapely.Point(x0, y0)], dtype=object),
        np.array([shapely.Point(x0 + 500, y0 + 500)], dtype=object),
    ]
    reference = WalkingDistance(graph, snap_limit_m=250)
    expected = [reference.nearest(origins, t).distance_m for t in targets]
    shared = WalkingDistance(graph, snap_limit_m=250, cache_size=1)

    def ask(i: int) -> bool:
        found = shared.nearest(origins, targets[i % 2]).distance_m
        return bool(np.array_equal(found, expected[i % 2]))

    with ThreadPoolExecutor(max_workers=8) as pool:
        agreed = list(pool.map(ask, range(N_CALLS)))
    assert all(agreed)
