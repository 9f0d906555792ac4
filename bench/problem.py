"""The walking benchmark's problem: one graph, its origins and six voorziening sets, and the job
file through which the parent hands them to each tool's subprocess.

The parent saves the graph through the network cache and the points as ``problem.npz``; each
peer (bench/peers/) reads them back from the paths in the job.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.graphs import points_near_network
from geo.network.cache import NetworkCache
from geo.network.graph import WalkGraph

#: Six categories and how many voorzieningen each has in a municipality-sized graph (random
#: points near the network: plausible counts for a town of 50,000-100,000, 10-60 each).
CATEGORIES: dict[str, int] = {
    "ontmoetingsplek": 25,
    "steunpunt": 10,
    "huisarts": 30,
    "gezondheidscentrum": 12,
    "apotheek": 15,
    "supermarkt": 60,
}
#: Origins on a municipality graph: about one per resident of Nieuwegein (65,955, CBS 2024).
MUNICIPALITY_ORIGINS = 66_000
SNAP_LIMIT_M = 250.0
#: 0.8 m/s: walking speed of residents aged 65+ (../shared/DOMAIN.md, the project default).
SPEED_M_S = 0.8
CUTOFF_MINUTES = (5, 10, 15)
SAMPLE_POINTS = 100


@dataclass(frozen=True)
class Case:
    """One graph and its problem, as the parent builds it."""

    name: str
    label: str
    graph: WalkGraph
    origins: int
    categories: dict[str, int]
    build_s: float | None  # from the OSM extract; None for a graph made from arrays
    repeats: int


def write_problem(case: Case, folder: Path, seed: int) -> dict[str, Any]:
    """Save the graph through the network cache and the points as ``.npz``; the job's paths
    and the cache's save and load times."""
    cache = NetworkCache(folder / "network")
    key = hashlib.sha256(case.name.encode()).hexdigest()
    start = time.perf_counter()
    cache.save_graph(case.graph, key)
    save_s = time.perf_counter() - start
    start = time.perf_counter()
    loaded = cache.load_graph(key, case.graph.profile)
    load_s = time.perf_counter() - start
    assert loaded is not None
    rng = np.random.default_rng(seed)
    ox, oy = points_near_network(case.graph, case.origins, 60.0, rng)
    arrays: dict[str, Any] = {"origin_x": ox, "origin_y": oy}
    for name, count in case.categories.items():
        tx, ty = points_near_network(case.graph, count, 30.0, rng)
        arrays[f"target_x_{name}"], arrays[f"target_y_{name}"] = tx, ty
    sx, sy = points_near_network(case.graph, SAMPLE_POINTS, 40.0, rng)
    arrays["sample_x"], arrays["sample_y"] = sx, sy
    problem = folder / "problem.npz"
    np.savez(problem, **arrays)
    return {
        "cache_folder": str(cache.folder),
        "graph_key": key,
        "graph_file": str(cache.graph_path(key, case.graph.profile)),
        "problem": str(problem),
        "categories": list(case.categories),
        "repeats": case.repeats,
        "snap_limit_m": SNAP_LIMIT_M,
        "save_s": save_s,
        "load_s": load_s,
    }


def category_points(
    job: dict[str, Any], problem: Any
) -> list[tuple[str, NDArray[np.float64], NDArray[np.float64]]]:
    """Per category of the job: its name and its voorzieningen's x and y (RD New)."""
    return [
        (name, problem[f"target_x_{name}"], problem[f"target_y_{name}"])
        for name in job["categories"]
    ]


def graph_arrays(job: dict[str, Any]) -> dict[str, NDArray[Any]]:
    """The graph's plain arrays from the cache file (no geometry: the peers do not need it)."""
    with np.load(job["graph_file"]) as data:
        return {k: data[k] for k in ("node_x", "node_y", "edge_u", "edge_v", "edge_length")}


def load_graph(job: dict[str, Any]) -> WalkGraph:
    """The job's graph, read back through the network cache."""
    graph = NetworkCache(Path(job["cache_folder"])).load_graph(job["graph_key"], "walk")
    assert graph is not None
    return graph
