"""Benchmark: snapping 1,000,000 points onto the SYNTHETIC 1M-node graph, before and after.

The graph is the real Delft TU campus graph tiled 28 × 27 times (:func:`bench.graphs.
tiled_graph`, about 1,000,000 nodes, as in ``bench/walking_bench.py``); the points are random
spots within 60 m of the network (where residents live), in random order.

* **before** — the snapping as it was until issue 16 (kept here as the yardstick): the k-d
  tree's 8 nearest samples per point in the points' own order, one look, every point the look
  did not settle to shapely's STRtree.
* **after** — :func:`geo.network.snap.snap_points`: the same look in Z-order on all cores, a
  second look at 16 samples for the unsettled points, the STRtree only for what is left.

Both must give the same answer bit for bit (edges, positions, offsets; checked on every point).
Figures are wall seconds (best of ``--repeats``) and process CPU seconds; the machine's load is
printed, as other work on it slows the wall time. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/snap_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.graphs import osm_graph, points_near_network, tiled_graph  # noqa: E402
from bench.harness import log, print_summary  # noqa: E402
from bench.problem import SNAP_LIMIT_M  # noqa: E402
from geo.network import snap  # noqa: E402
from geo.network.graph import SAMPLE_SPACING_M, WalkGraph  # noqa: E402
from geo.settings import Settings  # noqa: E402

DELFT_OSM = "osm/delft_tu_campus_2014.osm"


def before_snap(graph: WalkGraph, points: NDArray[np.object_], limit_m: float) -> snap.Snapped:
    """The snapping before issue 16: one look at 8 samples in the points' order, the rest to
    the STRtree (same arithmetic as :func:`geo.network.snap._best_candidate`)."""
    n = len(points)
    edge, position, offset = np.full(n, -1), np.full(n, np.nan), np.full(n, np.nan)
    xy = shapely.get_coordinates(points)
    tree, sample_segment = graph.sample_index
    for start in range(0, n, 250_000):
        rows = slice(start, min(start + 250_000, n))
        distance, sample = tree.query(
            xy[rows], k=snap.CANDIDATES, distance_upper_bound=limit_m + SAMPLE_SPACING_M
        )
        segment = sample_segment[np.where(np.isfinite(distance), sample, 0)]
        edge[rows], position[rows], offset[rows] = snap._best_candidate(
            graph, xy[rows], (distance, segment), limit_m, False
        )
    unsure = np.flatnonzero(edge == snap.UNSURE)
    edge[unsure], position[unsure], offset[unsure] = snap._snap_exactly(
        graph, points[unsure], limit_m
    )
    return snap.Snapped(edge, position, offset)


def timed(work: Callable[[], snap.Snapped], repeats: int) -> tuple[float, float, snap.Snapped]:
    """Best wall seconds and its CPU seconds over ``repeats`` runs, and the answer."""
    best = (float("inf"), 0.0)
    answer = None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        answer = work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best = min(best, (wall, cpu))
    assert answer is not None
    return best[0], best[1], answer


def identical(a: snap.Snapped, b: snap.Snapped) -> bool:
    """Same edges, positions and offsets, bit for bit (NaN where unsnapped)."""
    return bool(
        np.array_equal(a.edge, b.edge)
        and np.array_equal(a.position_m, b.position_m, equal_nan=True)
        and np.array_equal(a.offset_m, b.offset_m, equal_nan=True)
    )


def run(points_n: int, repeats: int, seed: int) -> dict[str, Any]:
    """Build the graph and points, snap them both ways; the figures."""
    delft, _ = osm_graph(Settings().find_data_file(DELFT_OSM))
    start = time.perf_counter()
    graph = tiled_graph(delft, 28, 27)
    tile_s = time.perf_counter() - start
    log(f"tiled the Delft graph 28 × 27: {graph.n_nodes:,} nodes in {tile_s:.1f} s")
    start = time.perf_counter()
    graph.prepare()
    index_s = time.perf_counter() - start
    x, y = points_near_network(graph, points_n, 60.0, np.random.default_rng(seed))
    points = shapely.points(x, y)
    log("snapping: before ...")
    before_s, before_cpu, old = timed(lambda: before_snap(graph, points, SNAP_LIMIT_M), repeats)
    log("snapping: after ...")
    after_s, after_cpu, new = timed(lambda: snap.snap_points(graph, points, SNAP_LIMIT_M), repeats)
    return {
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "points": points_n,
        "index_s": round(index_s, 2),
        "before_s": round(before_s, 3),
        "before_cpu_s": round(before_cpu, 3),
        "after_s": round(after_s, 3),
        "after_cpu_s": round(after_cpu, 3),
        "speedup": round(before_s / after_s, 2),
        "target_s": 3.0,
        "identical": identical(old, new),
        "snapped": int(new.snapped.sum()),
        "cores": len(os.sched_getaffinity(0)),
        "loadavg_1min": os.getloadavg()[0],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Snapping benchmark: 1M points onto the 1M-node graph, before and after "
        "issue 16 (see the module docstring)."
    )
    parser.add_argument("--points", type=int, default=1_000_000, help="points to snap")
    parser.add_argument("--repeats", type=int, default=2, help="best of N runs")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    figures = run(args.points, args.repeats, args.seed)
    print(f"graph: SYNTHETIC {figures['nodes']:,} nodes, {figures['edges']:,} edges")
    print(f"points: {figures['points']:,} within 60 m of the network, snap limit {SNAP_LIMIT_M} m")
    print(f"indexes built in {figures['index_s']} s (once per graph)")
    print(f"before: {figures['before_s']:.2f} s wall, {figures['before_cpu_s']:.2f} s CPU")
    print(f"after:  {figures['after_s']:.2f} s wall, {figures['after_cpu_s']:.2f} s CPU")
    print(
        f"speed-up {figures['speedup']}×; target < 3 s; identical answers: {figures['identical']}"
    )
    print(f"load average {figures['loadavg_1min']:.1f} on {figures['cores']} cores")
    print_summary(figures)


if __name__ == "__main__":
    main()
