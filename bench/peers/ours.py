"""Our own worker: snap (origins and targets onto edges), then per category one
:func:`~geo.network.paths.target_field` (a multi-source SciPy Dijkstra) and for all six at
once :func:`~geo.network.paths.nearest_distances` (the gather at each origin's edge); then
routes and isochrones from random points (after the memory figure: not part of it).

Besides its figures it saves the distances and every snapped point (edge, position, offset),
which the NetworkX peer is given so that it solves exactly our problem.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from bench.harness import best_of, peak_rss, percentile_ms
from bench.problem import CUTOFF_MINUTES, SPEED_M_S, category_points, load_graph
from geo.network.graph import WalkGraph
from geo.network.isochrone import isochrones
from geo.network.paths import nearest_distances, route, target_field
from geo.network.snap import Snapped, snap_points

#: (name, points) per category.
Categories = list[tuple[str, Any]]


def run(job: dict[str, Any], out: Path) -> dict[str, Any]:
    """Our figures on the job; the distances and snapped points saved as ``out``."""
    result: dict[str, Any] = {}
    problem = np.load(job["problem"])
    start = time.perf_counter()
    graph = load_graph(job)
    result["load_s"] = time.perf_counter() - start
    origins = shapely.points(problem["origin_x"], problem["origin_y"])
    categories = [(name, shapely.points(x, y)) for name, x, y in category_points(job, problem)]
    with peak_rss(result, "peak_rss"):
        snapped, distances = _queries(job, graph, origins, categories, result)
    result["unsnapped_origins"] = int((~snapped["origins"].snapped).sum())
    sample = shapely.points(problem["sample_x"], problem["sample_y"])
    _routes_and_isochrones(job, graph, sample, categories[0], snapped, result)

    arrays: dict[str, Any] = {"distance": distances}
    for key in ("origins", *job["categories"]):
        arrays[f"{key}_edge"] = snapped[key].edge
        arrays[f"{key}_position"] = snapped[key].position_m
        arrays[f"{key}_offset"] = snapped[key].offset_m
    np.savez(out, **arrays)
    return result


def _queries(
    job: dict[str, Any],
    graph: WalkGraph,
    origins: Any,
    categories: Categories,
    result: dict[str, Any],
) -> tuple[dict[str, Snapped], np.ndarray]:
    """Index, snapping and the six Dijkstra + gather passes, timed into ``result``; the snapped
    points and the distances (origin × category)."""
    limit = job["snap_limit_m"]
    repeats = job["repeats"]
    start = time.perf_counter()
    _ = graph.matrix, graph.tree  # CSR and spatial index: built once, when a graph loads
    result["index_s"] = time.perf_counter() - start
    snapped: dict[str, Snapped] = {}

    def snap_all() -> None:
        snapped["origins"] = snap_points(graph, origins, limit)
        for name, points in categories:
            snapped[name] = snap_points(graph, points, limit)

    result["snap_s"] = best_of(repeats, snap_all)
    distances = np.empty((len(origins), len(categories)))
    dijkstra_s = np.zeros(len(categories))
    gather_s = [0.0]

    def six_passes() -> None:
        fields = []
        for k, (name, _points) in enumerate(categories):
            start = time.perf_counter()
            fields.append(target_field(graph, snapped[name]))
            dijkstra_s[k] = time.perf_counter() - start
        start = time.perf_counter()
        distances[:] = nearest_distances(fields, snapped["origins"])
        gather_s[0] = time.perf_counter() - start

    def keep_split() -> None:
        result["dijkstra_s"], result["gather_s"] = float(dijkstra_s.sum()), gather_s[0]

    result["query_s"] = best_of(repeats, six_passes, on_best=keep_split)
    # Dijkstra per category, the gather for all six at once (the last run).
    result["per_category_ms"] = [round(1000 * t, 1) for t in dijkstra_s]
    return snapped, distances


def _routes_and_isochrones(
    job: dict[str, Any],
    graph: WalkGraph,
    sample: Any,
    first: tuple[str, Any],
    snapped: dict[str, Snapped],
    result: dict[str, Any],
) -> None:
    """Route to the nearest of the first category and isochrones from each sample point: their
    p50 and p95 (ms) into ``result``."""
    limit = job["snap_limit_m"]
    name, first_targets = first
    field = target_field(graph, snapped[name])  # cached per target set in service
    route_s, iso_s, route_m = [], [], []
    cutoffs = [m * 60 * SPEED_M_S for m in CUTOFF_MINUTES]
    for point in sample:
        one = np.array([point], dtype=object)
        start = time.perf_counter()
        found = route(field, snap_points(graph, one, limit), point, first_targets)
        route_s.append(time.perf_counter() - start)
        if found is not None:
            route_m.append(found.distance_m)
        start = time.perf_counter()
        at = snap_points(graph, one, limit)
        if at.snapped[0]:
            isochrones(graph, at, point, cutoffs)
        iso_s.append(time.perf_counter() - start)
    result["route_p50_ms"], result["route_p95_ms"] = (percentile_ms(route_s, q) for q in (50, 95))
    result["isochrone_p50_ms"], result["isochrone_p95_ms"] = (
        percentile_ms(iso_s, q) for q in (50, 95)
    )
    result["routes_found"] = len(route_m)
