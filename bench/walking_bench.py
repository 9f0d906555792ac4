"""Benchmark: nearest voorziening by walking, ours against NetworkX, pandana and cityseer.

Every tool gets the same graph (the same node and edge arrays), the same origins and the same
six voorziening sets (categories), and answers "how far does each origin walk to its nearest
voorziening of each category?":

* **ours** — :func:`geo.network.snap.snap_points` (origins and targets onto edges), then per
  category one :func:`geo.network.paths.target_field` (a multi-source SciPy Dijkstra) and
  :meth:`~geo.network.paths.TargetField.nearest_for` (the gather at each origin's edge).
* **networkx** — ``multi_source_dijkstra_path_length`` on an ``nx.Graph`` of the same arrays,
  given exactly our problem: one extra node per snapped target joined to its edge's two ends by
  offset + position, the same gather at each origin's edge ends, and its own (independent)
  handling of an origin and a target on the same edge. Every origin must agree within 1 m.
* **pandana** — ``Network`` (contraction hierarchy), ``precompute`` (reported apart),
  ``set_pois`` + ``nearest_pois(num_pois=1)`` per category. pandana snaps origins and
  voorzieningen to the nearest *node*, not edge, so its distances differ a little from ours;
  its agreement is reported loosely (median / p95 difference).
* **cityseer** — ``compute_accessibilities`` (nearest distance per category per node; it
  assigns voorzieningen to the network itself); origins read at their nearest node.

Each tool runs in a subprocess of its own, so its peak memory is the process's peak resident
set (Linux ``VmHWM`` from ``/proc/self/status``, reset just before the tool's work through
``/proc/self/clear_refs``) — the tool's structures, its inputs and the interpreter, not just
Python allocations. Times are the best of ``--repeats`` runs (one run on the 1M-node graph).

Graphs: the real Delft TU campus extract (OSM 2014), the Nieuwegein sample (synthetic streets
in real buurten) and a SYNTHETIC graph of about 1,000,000 nodes: the real Delft graph tiled
28 × 27 times, tiles joined by short straight links. ``--quick`` leaves the 1M graph out (well
under a minute); ``--smoke`` runs a tiny synthetic grid in seconds (for the test suite). The
last line printed is one JSON object with the figures of the largest graph run.

pandana and cityseer are AGPL: they (and networkx, the yardstick) come only with the optional
``bench`` extra (``pip install -e '.[bench]'``), never with the service. A tool that is not
installed is skipped, with the reason printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/walking_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from geo.network.cache import NetworkCache  # noqa: E402
from geo.network.graph import BuildReport, WalkGraph  # noqa: E402
from geo.network.isochrone import isochrones  # noqa: E402
from geo.network.paths import route, target_field  # noqa: E402
from geo.network.rules import RULES_VERSION  # noqa: E402
from geo.network.snap import Snapped, snap_points  # noqa: E402
from geo.settings import SAMPLE_DIR, Settings  # noqa: E402

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
TOOLS = ("ours", "networkx", "pandana", "cityseer")
#: The tools and the module each needs (absent: skipped, with this said).
TOOL_MODULES = {"networkx": "networkx", "pandana": "pandana", "cityseer": "cityseer"}
#: Why a peer's distances differ from ours (said beside its agreement figures).
HOW_IT_SNAPS = {
    "pandana": "it snaps origins and voorzieningen to the nearest node, not edge, and walks no "
    "snap line",
    "cityseer": "origins read at their nearest node; it assigns voorzieningen to nodes by its "
    "own rules (nearest edge's ends in sight within the snap limit) and may leave some out",
}
#: cityseer runs a Dijkstra from every node; above this many nodes it is skipped (say why).
CITYSEER_MAX_NODES = 200_000

DELFT_OSM = "osm/delft_tu_campus_2014.osm"
NIEUWEGEIN_PBF = SAMPLE_DIR / "nieuwegein_synthetic.osm.pbf"


# =========================================================================== small helpers


def log(message: str) -> None:
    """Progress on stderr (stdout carries the figures)."""
    print(message, file=sys.stderr, flush=True)


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Fastest of ``repeats`` runs, in seconds."""
    timings = []
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def _status_kib(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def rss_mb() -> float:
    """Resident set size of this process now, MB (Linux ``VmRSS``)."""
    return _status_kib("VmRSS") / 1024


@contextmanager
def peak_rss(into: dict[str, Any], key: str) -> Iterator[None]:
    """Record the process's peak resident set (MB) over the block as ``into[key]``.

    The kernel's high-water mark is reset first (``/proc/self/clear_refs``), so the figure is
    the peak during the block: everything resident then, inputs and interpreter included.
    """
    into[f"{key}_baseline_mb"] = round(rss_mb(), 1)
    try:
        Path("/proc/self/clear_refs").write_text("5")
        into[f"{key}_method"] = "VmHWM (reset before the work)"
    except OSError:
        into[f"{key}_method"] = "ru_maxrss (process lifetime)"
    yield
    if into[f"{key}_method"].startswith("VmHWM"):
        into[f"{key}_mb"] = round(_status_kib("VmHWM") / 1024, 1)
    else:
        import resource

        into[f"{key}_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(seconds) * 1000, q)), 2)


def installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# =========================================================================== graphs


def synthetic_report(nodes: int, edges: int, length_m: float) -> BuildReport:
    """A build report for a graph made from arrays (nothing read, nothing dropped)."""
    return BuildReport(
        profile="walk",
        rules_version=RULES_VERSION,
        ways_read=0,
        ways_walkable=0,
        excluded={},
        blocking_nodes=0,
        blocked_m=0.0,
        components_dropped=0,
        edges_dropped=0,
        dropped_m=0.0,
        nodes=nodes,
        edges=edges,
        walkable_m=length_m,
    )


def graph_from_arrays(
    node_x: NDArray[np.float64],
    node_y: NDArray[np.float64],
    edge_u: NDArray[np.int64],
    edge_v: NDArray[np.int64],
    coords: NDArray[np.float64],
    owner: NDArray[np.int64],
) -> WalkGraph:
    """A :class:`WalkGraph` from node coordinates, edge ends and edge vertex coordinates
    (``owner`` numbers the edge each vertex belongs to; each edge runs from ``u`` to ``v``)."""
    geometry = np.asarray(shapely.linestrings(coords, indices=owner), dtype=object)
    length = shapely.length(geometry)
    report = synthetic_report(len(node_x), len(edge_u), float(length.sum()))
    return WalkGraph("walk", node_x, node_y, edge_u, edge_v, length, geometry, report)


def grid_graph(columns: int, rows: int, spacing_m: float, seed: int) -> WalkGraph:
    """A SYNTHETIC jittered street grid with a diagonal footpath in every third block (RD New,
    near Nieuwegein); tiny, for ``--smoke``."""
    rng = np.random.default_rng(seed)
    i, j = np.meshgrid(np.arange(columns), np.arange(rows), indexing="xy")
    node_x = 134_000.0 + i.ravel() * spacing_m + rng.uniform(-10, 10, i.size)
    node_y = 448_000.0 + j.ravel() * spacing_m + rng.uniform(-10, 10, i.size)
    index = (j * columns + i).ravel()
    right = index[(i < columns - 1).ravel()]
    up = index[(j < rows - 1).ravel()]
    diagonal = index[((i < columns - 1) & (j < rows - 1) & ((i + j) % 3 == 0)).ravel()]
    edge_u = np.concatenate([right, up, diagonal]).astype(np.int64)
    edge_v = np.concatenate([right + 1, up + columns, diagonal + columns + 1]).astype(np.int64)
    coords = np.column_stack(
        [node_x[np.c_[edge_u, edge_v].ravel()], node_y[np.c_[edge_u, edge_v].ravel()]]
    )
    owner = np.repeat(np.arange(len(edge_u)), 2)
    return graph_from_arrays(node_x, node_y, edge_u, edge_v, coords, owner)


def tiled_graph(base: WalkGraph, columns: int, rows: int, gap_m: float = 60.0) -> WalkGraph:
    """A SYNTHETIC graph: ``base`` repeated ``columns`` × ``rows`` times side by side (``gap_m``
    apart), each tile joined to its east and north neighbours by short straight links between
    the outermost nodes of 12 bands along the shared side (so the whole is one component)."""
    coords, owner = shapely.get_coordinates(base.edge_geometry, return_index=True)
    x0, y0 = float(base.node_x.min()), float(base.node_y.min())
    width = float(base.node_x.max()) - x0 + gap_m
    height = float(base.node_y.max()) - y0 + gap_m
    n, m = base.n_nodes, base.n_edges
    tiles = columns * rows
    ti, tj = np.divmod(np.arange(tiles), rows)  # tile t is column ti, row tj
    dx, dy = ti * width, tj * height

    node_x = (base.node_x[None, :] + dx[:, None]).ravel()
    node_y = (base.node_y[None, :] + dy[:, None]).ravel()
    shift = (np.arange(tiles) * n)[:, None]
    edge_u = (base.edge_u[None, :] + shift).ravel()
    edge_v = (base.edge_v[None, :] + shift).ravel()
    all_coords = (coords[None, :, :] + np.stack([dx, dy], axis=1)[:, None, :]).reshape(-1, 2)
    all_owner = (owner[None, :] + (np.arange(tiles) * m)[:, None]).ravel()

    def outermost(along: NDArray[np.float64], across: NDArray[np.float64], big: bool) -> NDArray:
        bands = np.clip(((along - along.min()) / np.ptp(along) * 12).astype(int), 0, 11)
        chosen = []
        for band in np.unique(bands):
            members = np.flatnonzero(bands == band)
            pick = np.argmax(across[members]) if big else np.argmin(across[members])
            chosen.append(members[pick])
        return np.asarray(chosen, dtype=np.int64)

    east, west = (
        outermost(base.node_y, base.node_x, True),
        outermost(base.node_y, base.node_x, False),
    )
    north, south = (
        outermost(base.node_x, base.node_y, True),
        outermost(base.node_x, base.node_y, False),
    )
    k_ew, k_ns = min(len(east), len(west)), min(len(north), len(south))
    link_u, link_v = [], []
    tile = np.arange(tiles)
    has_east = ti < columns - 1
    has_north = tj < rows - 1
    for a, b in zip(east[:k_ew], west[:k_ew], strict=True):
        link_u.append(tile[has_east] * n + a)
        link_v.append((tile[has_east] + rows) * n + b)
    for a, b in zip(north[:k_ns], south[:k_ns], strict=True):
        link_u.append(tile[has_north] * n + a)
        link_v.append((tile[has_north] + 1) * n + b)
    lu, lv = np.concatenate(link_u), np.concatenate(link_v)
    link_coords = np.stack([np.c_[node_x[lu], node_y[lu]], np.c_[node_x[lv], node_y[lv]]], axis=1)
    link_owner = np.repeat(np.arange(len(lu)) + tiles * m, 2)
    return graph_from_arrays(
        node_x,
        node_y,
        np.concatenate([edge_u, lu]).astype(np.int64),
        np.concatenate([edge_v, lv]).astype(np.int64),
        np.concatenate([all_coords, link_coords.reshape(-1, 2)]),
        np.concatenate([all_owner, link_owner]),
    )


def points_near_network(
    graph: WalkGraph, n: int, max_offset_m: float, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``n`` random points (RD New) within ``max_offset_m`` of a random spot on the network
    (edges picked in proportion to their length): where residents and voorzieningen are."""
    weights = graph.edge_length / graph.edge_length.sum()
    edge = rng.choice(graph.n_edges, size=n, p=weights)
    on = shapely.line_interpolate_point(graph.edge_geometry[edge], rng.uniform(0, 1, n), True)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = rng.uniform(0, max_offset_m, n)
    return shapely.get_x(on) + radius * np.cos(angle), shapely.get_y(on) + radius * np.sin(angle)


# =========================================================================== the problem


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


# =========================================================================== workers


def _categories(job: dict[str, Any], problem: Any) -> list[tuple[str, NDArray, NDArray]]:
    return [
        (name, problem[f"target_x_{name}"], problem[f"target_y_{name}"])
        for name in job["categories"]
    ]


def worker_ours(job: dict[str, Any], out: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    problem = np.load(job["problem"])
    start = time.perf_counter()
    graph = NetworkCache(Path(job["cache_folder"])).load_graph(job["graph_key"], "walk")
    assert graph is not None
    result["load_s"] = time.perf_counter() - start
    origins = shapely.points(problem["origin_x"], problem["origin_y"])
    categories = [(name, shapely.points(x, y)) for name, x, y in _categories(job, problem)]
    limit = job["snap_limit_m"]
    repeats = job["repeats"]

    with peak_rss(result, "peak_rss"):
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
        split = np.zeros((len(categories), 2))  # Dijkstra, gather (s)

        def six_passes() -> None:
            for k, (name, _points) in enumerate(categories):
                start = time.perf_counter()
                field = target_field(graph, snapped[name])
                middle = time.perf_counter()
                distances[:, k] = field.nearest_for(snapped["origins"])[0]
                split[k] = middle - start, time.perf_counter() - middle

        timings = []
        for _ in range(max(repeats, 1)):
            start = time.perf_counter()
            six_passes()
            timings.append(time.perf_counter() - start)
            if timings[-1] == min(timings):
                result["dijkstra_s"], result["gather_s"] = split.sum(axis=0).tolist()
        result["query_s"] = min(timings)
    result["per_category_ms"] = [round(1000 * t, 1) for t in split.sum(axis=1)]
    result["unsnapped_origins"] = int((~snapped["origins"].snapped).sum())

    # Routes and isochrones from 100 random points (after the memory figure: not part of it).
    sample = shapely.points(problem["sample_x"], problem["sample_y"])
    first_targets = categories[0][1]
    field = target_field(graph, snapped[categories[0][0]])  # cached per target set in service
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

    arrays: dict[str, Any] = {"distance": distances}
    for key in ("origins", *job["categories"]):
        arrays[f"{key}_edge"] = snapped[key].edge
        arrays[f"{key}_position"] = snapped[key].position_m
        arrays[f"{key}_offset"] = snapped[key].offset_m
    np.savez(out, **arrays)
    return result


def _graph_arrays(job: dict[str, Any]) -> dict[str, NDArray[Any]]:
    """The graph's plain arrays from the cache file (no geometry: the peers do not need it)."""
    with np.load(job["graph_file"]) as data:
        return {k: data[k] for k in ("node_x", "node_y", "edge_u", "edge_v", "edge_length")}


def same_edge_direct(
    o_edge: NDArray[np.int64],
    o_pos: NDArray[np.float64],
    t_edge: NDArray[np.int64],
    t_pos: NDArray[np.float64],
    t_off: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per origin, the shortest walk along its own edge to a target on that edge (excluding the
    origin's offset), ``inf`` where none shares it: every (origin, target) pair on one edge,
    for the few origins on an edge that carries a target."""
    best = np.full(len(o_edge), np.inf)
    if len(t_edge) == 0:
        return best
    carries = np.zeros(int(max(o_edge.max(initial=0), t_edge.max())) + 1, dtype=bool)
    carries[t_edge] = True
    which = np.flatnonzero(carries[o_edge])
    order = np.argsort(t_edge, kind="stable")
    te, tp, to = t_edge[order], t_pos[order], t_off[order]
    low = np.searchsorted(te, o_edge[which], side="left")
    count = np.searchsorted(te, o_edge[which], side="right") - low
    rows = np.repeat(np.arange(len(which)), count)
    first = np.repeat(np.cumsum(count) - count, count)
    index = low[rows] + np.arange(len(rows)) - first
    found = np.full(len(which), np.inf)
    np.minimum.at(found, rows, np.abs(o_pos[which][rows] - tp[index]) + to[index])
    best[which] = found
    return best


def worker_networkx(job: dict[str, Any], out: Path) -> dict[str, Any]:
    import networkx as nx

    result: dict[str, Any] = {"version": nx.__version__}
    arrays = _graph_arrays(job)
    ours = np.load(job["ours_out"])
    n = len(arrays["node_x"])
    u, v, length = arrays["edge_u"], arrays["edge_v"], arrays["edge_length"]
    oe, op, oo = ours["origins_edge"], ours["origins_position"], ours["origins_offset"]
    on = oe >= 0
    distances = np.full((len(oe), len(job["categories"])), np.inf)

    with peak_rss(result, "peak_rss"):
        start = time.perf_counter()
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        # Longest first: for parallel edges the shortest is written last and kept.
        order = np.argsort(-length, kind="stable")
        keep = order[u[order] != v[order]]
        graph.add_weighted_edges_from(
            zip(u[keep].tolist(), v[keep].tolist(), length[keep].tolist(), strict=True)
        )
        result["build_s"] = time.perf_counter() - start

        split = np.zeros((len(job["categories"]), 2))  # Dijkstra (with target nodes), gather

        def one_category(k: int, name: str) -> None:
            start = time.perf_counter()
            te = ours[f"{name}_edge"]
            ok = te >= 0
            te, tp, to = te[ok], ours[f"{name}_position"][ok], ours[f"{name}_offset"][ok]
            tu, tv = u[te], v[te]
            to_u, to_v = to + tp, to + length[te] - tp
            target_nodes = list(range(n, n + len(te)))
            links = []
            for t, a, b, wa, wb in zip(
                target_nodes, tu.tolist(), tv.tolist(), to_u.tolist(), to_v.tolist(), strict=True
            ):
                links.append((t, a, min(wa, wb) if a == b else wa))
                if a != b:
                    links.append((t, b, wb))
            graph.add_weighted_edges_from(links)
            found = nx.multi_source_dijkstra_path_length(graph, target_nodes)
            graph.remove_nodes_from(target_nodes)
            field = np.full(n + len(te), np.inf)
            field[np.fromiter(found.keys(), np.int64, len(found))] = np.fromiter(
                found.values(), np.float64, len(found)
            )
            middle = time.perf_counter()
            e, p = oe[on], op[on]
            via = np.minimum(field[u[e]] + p, field[v[e]] + length[e] - p)
            via = np.minimum(via, same_edge_direct(e, p, te, tp, to))
            distances[on, k] = via + oo[on]
            split[k] = middle - start, time.perf_counter() - middle

        def six() -> None:
            for k, name in enumerate(job["categories"]):
                one_category(k, name)

        timings = []
        for _ in range(job["repeats_peers"]):
            begin = time.perf_counter()
            six()
            timings.append(time.perf_counter() - begin)
            if timings[-1] == min(timings):
                result["dijkstra_s"], result["gather_s"] = split.sum(axis=0).tolist()
        result["query_s"] = min(timings)
    np.savez(out, distance=distances)
    return result


def _nearest_node(
    node_x: NDArray[np.float64], node_y: NDArray[np.float64], x: NDArray, y: NDArray
) -> NDArray[np.int64]:
    from scipy.spatial import cKDTree

    return cKDTree(np.c_[node_x, node_y]).query(np.c_[x, y])[1].astype(np.int64)


def worker_pandana(job: dict[str, Any], out: Path) -> dict[str, Any]:
    import pandana
    import pandas as pd

    result: dict[str, Any] = {"version": getattr(pandana, "__version__", "?")}
    arrays = _graph_arrays(job)
    problem = np.load(job["problem"])
    max_distance = float(job["max_distance_m"])
    ox, oy = problem["origin_x"], problem["origin_y"]
    distances = np.full((len(ox), len(job["categories"])), np.inf)

    with peak_rss(result, "peak_rss"):
        start = time.perf_counter()
        network = pandana.Network(
            pd.Series(arrays["node_x"]),
            pd.Series(arrays["node_y"]),
            pd.Series(arrays["edge_u"]),
            pd.Series(arrays["edge_v"]),
            pd.DataFrame({"length": arrays["edge_length"]}),
            twoway=True,
        )
        result["init_s"] = time.perf_counter() - start
        start = time.perf_counter()
        network.precompute(job["pandana_precompute_m"])
        result["precompute_s"] = time.perf_counter() - start
        start = time.perf_counter()
        origin_node = network.get_node_ids(pd.Series(ox), pd.Series(oy)).to_numpy()
        result["snap_s"] = time.perf_counter() - start
        node_ids = np.asarray(network.node_ids)
        position = np.searchsorted(node_ids, origin_node)

        def six() -> None:
            for k, (name, tx, ty) in enumerate(_categories(job, problem)):
                network.set_pois(
                    category=name,
                    maxdist=max_distance + 1,  # the query's must not exceed it (float32)
                    maxitems=1,
                    x_col=pd.Series(tx),
                    y_col=pd.Series(ty),
                )
                found = network.nearest_pois(
                    max_distance, name, num_pois=1, max_distance=max_distance
                )
                column = found[1].to_numpy(dtype=np.float64)
                distances[:, k] = np.where(column >= max_distance, np.inf, column)[position]

        result["query_s"] = best_of(job["repeats_peers"], six)
    np.savez(out, distance=distances)
    return result


def worker_cityseer(job: dict[str, Any], out: Path) -> dict[str, Any]:
    import geopandas as gpd
    from cityseer import config as cityseer_config
    from cityseer import rustalgos
    from cityseer.metrics import layers

    cityseer_config.QUIET_MODE = True
    import importlib.metadata

    result: dict[str, Any] = {"version": importlib.metadata.version("cityseer")}
    arrays = _graph_arrays(job)
    graph = NetworkCache(Path(job["cache_folder"])).load_graph(job["graph_key"], "walk")
    assert graph is not None
    problem = np.load(job["problem"])
    ox, oy = problem["origin_x"], problem["origin_y"]
    max_distance = math.ceil(job["max_distance_m"])
    n = len(arrays["node_x"])

    with peak_rss(result, "peak_rss"):
        start = time.perf_counter()
        structure = rustalgos.graph.NetworkStructure()
        keys = [str(i) for i in range(n)]
        for key, x, y in zip(
            keys, arrays["node_x"].tolist(), arrays["node_y"].tolist(), strict=True
        ):
            structure.add_street_node(key, x, y, True, 1.0)
        # Both directions, each geometry running from its start node (as cityseer's own
        # network_structure_from_nx does).
        forward = shapely.to_wkt(graph.edge_geometry, rounding_precision=3)
        backward = shapely.to_wkt(shapely.reverse(graph.edge_geometry), rounding_precision=3)
        for e, (a, b) in enumerate(
            zip(arrays["edge_u"].tolist(), arrays["edge_v"].tolist(), strict=True)
        ):
            structure.add_street_edge(a, b, e, keys[a], keys[b], forward[e], 1.0)
            structure.add_street_edge(b, a, e, keys[b], keys[a], backward[e], 1.0)
        structure.validate()
        structure.build_edge_rtree()
        nodes = gpd.GeoDataFrame(
            index=keys, geometry=shapely.points(arrays["node_x"], arrays["node_y"])
        )
        frames = [
            gpd.GeoDataFrame({"category": [name] * len(tx)}, geometry=shapely.points(tx, ty))
            for name, tx, ty in _categories(job, problem)
        ]
        data = gpd.GeoDataFrame(
            gpd.pd.concat(frames, ignore_index=True), geometry="geometry", crs=None
        )
        data.index = data.index.astype(str)
        result["init_s"] = time.perf_counter() - start
        start = time.perf_counter()
        origin_node = _nearest_node(arrays["node_x"], arrays["node_y"], ox, oy)
        result["snap_s"] = time.perf_counter() - start
        answer: dict[str, Any] = {}

        def run() -> None:
            answer["frame"] = layers.compute_accessibilities(
                data,
                landuse_column_label="category",
                accessibility_keys=list(job["categories"]),
                nodes_gdf=nodes.copy(),
                network_structure=structure,
                max_netw_assign_dist=job["snap_limit_m"],
                distances=[max_distance],
            )

        result["query_s"] = best_of(job["repeats_peers"], run)
    frame = answer["frame"]
    distances = np.full((len(ox), len(job["categories"])), np.inf)
    for k, name in enumerate(job["categories"]):
        column = next(c for c in frame.columns if c.startswith(f"cc_{name}_nearest_max"))
        values = frame[column].to_numpy(dtype=np.float64)
        distances[:, k] = np.where(np.isfinite(values), values, np.inf)[origin_node]
    np.savez(out, distance=distances)
    return result


WORKERS: dict[str, Callable[[dict[str, Any], Path], dict[str, Any]]] = {
    "ours": worker_ours,
    "networkx": worker_networkx,
    "pandana": worker_pandana,
    "cityseer": worker_cityseer,
}


def run_worker(tool: str, job_path: Path) -> None:
    """The ``--worker`` entry: run one tool on one job, print its figures as a JSON line."""
    warnings.simplefilter("ignore")
    job = json.loads(job_path.read_text())
    out = Path(job["folder"]) / f"{tool}.npz"
    result = WORKERS[tool](job, out)
    result["out"] = str(out)
    out.with_suffix(".json").write_text(json.dumps(result))


def spawn(tool: str, job: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run one tool's worker in a subprocess; its figures, or ``{"skipped": why}``."""
    job_path = Path(job["folder"]) / f"job-{tool}.json"
    job_path.write_text(json.dumps(job))
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        tool,
        "--job",
        str(job_path),
    ]
    limit = int(job["memory_limit_gb"] * 2**30)

    def cap_memory() -> None:  # a runaway tool fails alone, not the machine
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
            preexec_fn=cap_memory,
        )
    except subprocess.TimeoutExpired:
        return {"skipped": f"did not finish within {timeout_s:.0f} s (--tool-timeout)"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {
            "skipped": f"failed (exit {done.returncode}; address space capped at "
            f"{job['memory_limit_gb']:g} GB by --tool-memory-gb): " + " | ".join(tail)
        }
    figures = (Path(job["folder"]) / f"{tool}.json").read_text()  # stdout is the tool's
    return dict(json.loads(figures))


# =========================================================================== comparison


def agreement(ours: NDArray[np.float64], theirs: NDArray[np.float64]) -> dict[str, Any]:
    """How far another tool's distances lie from ours (metres), where both reach."""
    both = np.isfinite(ours) & np.isfinite(theirs)
    reach_differs = int((np.isfinite(ours) != np.isfinite(theirs)).sum())
    diff = np.abs(ours[both] - theirs[both])
    if diff.size == 0:
        return {"compared": 0, "reach_differs": reach_differs}
    return {
        "compared": int(both.sum()),
        "reach_differs": reach_differs,
        "max_abs_diff_m": round(float(diff.max()), 6),
        "median_abs_diff_m": round(float(np.median(diff)), 3),
        "p95_abs_diff_m": round(float(np.percentile(diff, 95)), 3),
    }


@dataclass(frozen=True)
class Limits:
    """How long and how much memory each tool's subprocess may use."""

    timeout_s: float
    memory_gb: float
    pandana_precompute_m: float


def run_case(case: Case, tools: Sequence[str], limits: Limits, seed: int) -> dict[str, Any]:
    """Every tool on one graph; print the figures; return the summary."""
    g = case.graph
    print(f"\n== {case.label}")
    print(
        f"   {g.n_nodes:,} nodes, {g.n_edges:,} edges, "
        f"{g.edge_length.sum() / 1000:,.0f} km; {case.origins:,} origins (random points within "
        f"60 m of the network); {len(case.categories)} categories with "
        f"{', '.join(f'{k} {v}' for k, v in case.categories.items())} voorzieningen"
    )
    with tempfile.TemporaryDirectory(prefix="walking-bench-") as tmp:
        folder = Path(tmp)
        job = write_problem(case, folder, seed)
        job["folder"] = str(folder)
        job["repeats_peers"] = max(1, min(case.repeats, 3))
        job["memory_limit_gb"] = limits.memory_gb
        job["pandana_precompute_m"] = limits.pandana_precompute_m
        build = "n/a (made from arrays)" if case.build_s is None else f"{case.build_s:.3f} s"
        print(
            f"   graph build from OSM {build}; cache save {job['save_s']:.3f} s, "
            f"cached load {job['load_s']:.3f} s"
        )
        summary: dict[str, Any] = {
            "graph": case.name,
            "nodes": g.n_nodes,
            "edges": g.n_edges,
            "origins": case.origins,
            "categories": len(case.categories),
            "voorzieningen": sum(case.categories.values()),
            "build_s": None if case.build_s is None else round(case.build_s, 4),
            "cache_save_s": round(job["save_s"], 4),
            "cache_load_s": round(job["load_s"], 4),
        }
        log(f"   [{case.name}] ours ...")
        ours = spawn("ours", job, limits.timeout_s)
        if "skipped" in ours:
            raise SystemExit(f"ours failed on {case.name}: {ours['skipped']}")
        job["ours_out"] = ours["out"]
        ours_distance = np.load(ours["out"])["distance"]
        finite = ours_distance[np.isfinite(ours_distance)]
        # pandana and cityseer search up to a limit: one that every origin's answer is within.
        job["max_distance_m"] = float(math.ceil(finite.max()) + 100) if finite.size else 1000.0
        total = ours["snap_s"] + ours["query_s"]
        print(
            f"   ours      index (CSR + STRtree) {ours['index_s']:.3f} s | snap "
            f"{ours['snap_s'] * 1000:9.1f} ms | six Dijkstra+gather {ours['query_s'] * 1000:9.1f} "
            f"ms (Dijkstra {ours['dijkstra_s'] * 1000:.1f} ms, gather "
            f"{ours['gather_s'] * 1000:.1f} ms; per category {ours['per_category_ms']} ms) | "
            f"total {total * 1000:9.1f} ms | "
            f"peak RSS {ours['peak_rss_mb']:,.0f} MB (baseline {ours['peak_rss_baseline_mb']:,.0f})"
        )
        if ours["unsnapped_origins"]:
            print(f"             {ours['unsnapped_origins']:,} origins beyond the snap limit")
        summary.update(
            ours_s=round(ours["query_s"], 5),
            ours_dijkstra_s=round(ours["dijkstra_s"], 5),
            ours_gather_s=round(ours["gather_s"], 5),
            ours_snap_s=round(ours["snap_s"], 5),
            ours_total_s=round(total, 5),
            ours_index_s=round(ours["index_s"], 4),
            ours_peak_rss_mb=ours["peak_rss_mb"],
            memory_method=ours["peak_rss_method"] + ", one subprocess per tool",
            isochrone_p50_ms=ours["isochrone_p50_ms"],
            isochrone_p95_ms=ours["isochrone_p95_ms"],
            route_p50_ms=ours["route_p50_ms"],
            route_p95_ms=ours["route_p95_ms"],
            max_distance_m=round(job["max_distance_m"], 1),
        )
        for tool in ("networkx", "pandana", "cityseer"):
            summary[f"{tool}_s"] = None
            summary[f"ratio_{tool}"] = None
            if tool not in tools:
                continue
            reason = None
            if not installed(TOOL_MODULES[tool]):
                reason = "not installed (pip install -e '.[bench]')"
            elif tool == "cityseer" and g.n_nodes > CITYSEER_MAX_NODES:
                reason = (
                    f"skipped above {CITYSEER_MAX_NODES:,} nodes: its network is assembled by a "
                    "Python loop per node and edge and it runs a bounded Dijkstra from every "
                    "node (see its rate on the smaller graphs)"
                )
            if reason is None:
                log(f"   [{case.name}] {tool} ...")
                figures = spawn(tool, job, limits.timeout_s)
                reason = figures.get("skipped")
            if reason is not None:
                print(f"   {tool:<9} skipped: {reason}")
                summary[f"{tool}_skipped"] = reason
                continue
            theirs = np.load(figures["out"])["distance"]
            agree = agreement(ours_distance, theirs)
            ratio = figures["query_s"] / ours["query_s"]
            summary[f"{tool}_s"] = round(figures["query_s"], 5)
            summary[f"ratio_{tool}"] = round(ratio, 2)
            summary[f"{tool}_peak_rss_mb"] = figures["peak_rss_mb"]
            summary[f"{tool}_agreement"] = agree
            setup = {
                "networkx": lambda f: f"nx.Graph build {f['build_s']:.3f} s",
                "pandana": lambda f: (
                    f"Network (CH) {f['init_s']:.3f} s, precompute("
                    f"{job['pandana_precompute_m']:.0f} m) {f['precompute_s']:.3f} s, "
                    f"origins to nodes {f['snap_s'] * 1000:.1f} ms"
                ),
                "cityseer": lambda f: (
                    f"NetworkStructure + frames {f['init_s']:.3f} s, origins to nodes "
                    f"{f['snap_s'] * 1000:.1f} ms"
                ),
            }[tool](figures)
            print(
                f"   {tool:<9} {figures.get('version', '')}: six categories "
                f"{figures['query_s'] * 1000:9.1f} ms = {ratio:7.1f} × ours | {setup} | "
                f"peak RSS {figures['peak_rss_mb']:,.0f} MB "
                f"(baseline {figures['peak_rss_baseline_mb']:,.0f})"
            )
            if tool == "networkx":
                summary["networkx_dijkstra_s"] = round(figures["dijkstra_s"], 5)
                summary["ratio_networkx_dijkstra"] = round(
                    figures["dijkstra_s"] / ours["dijkstra_s"], 2
                )
                print(
                    f"             Dijkstra alone (with its target nodes): "
                    f"{figures['dijkstra_s'] * 1000:.1f} ms = "
                    f"{summary['ratio_networkx_dijkstra']} × ours; the gather (the same NumPy "
                    f"formula as ours) {figures['gather_s'] * 1000:.1f} ms"
                )
                summary["max_abs_diff_m"] = agree.get("max_abs_diff_m")
                verdict = (
                    "every origin agrees within 1 m"
                    if agree.get("max_abs_diff_m", 0) <= 1.0 and agree["reach_differs"] == 0
                    else "DISAGREES"
                )
                print(
                    f"             agreement with ours: {agree['compared']:,} origin×category "
                    f"pairs, max |diff| {agree.get('max_abs_diff_m')} m, reach differs "
                    f"{agree['reach_differs']} — {verdict}"
                )
            else:
                print(
                    f"             loose agreement ({HOW_IT_SNAPS[tool]}): "
                    f"median |diff| {agree.get('median_abs_diff_m')} m, p95 "
                    f"{agree.get('p95_abs_diff_m')} m, max {agree.get('max_abs_diff_m')} m, "
                    f"reach differs {agree['reach_differs']} of {ours_distance.size:,}"
                )
            if tool == "pandana":
                summary["pandana_init_s"] = round(figures["init_s"], 4)
                summary["pandana_precompute_s"] = round(figures["precompute_s"], 4)
        summary.setdefault("max_abs_diff_m", None)
        print(
            f"   route (snap + walk to the nearest {next(iter(case.categories))}): p50 "
            f"{ours['route_p50_ms']} ms, p95 {ours['route_p95_ms']} ms over {SAMPLE_POINTS} "
            f"random points; isochrone {'/'.join(map(str, CUTOFF_MINUTES))} min at "
            f"{SPEED_M_S} m/s: p50 {ours['isochrone_p50_ms']} ms, p95 "
            f"{ours['isochrone_p95_ms']} ms"
        )
    return summary


def verdicts(summaries: Sequence[dict[str, Any]]) -> None:
    """The issue's targets, each said as met or not, from the figures measured."""
    print("\n== targets (issue 6)")

    def say(ok: bool | None, text: str) -> None:
        mark = "n/a " if ok is None else ("MET " if ok else "NOT MET")
        print(f"   [{mark:<7}] {text}")

    for s in summaries:
        name = s["graph"]
        if s["nodes"] >= 500_000:
            say(
                s["ours_s"] < 10 and s["ours_peak_rss_mb"] < 4096,
                f"{name}: 1M-node graph, six categories < 10 s and < 4 GB: "
                f"{s['ours_s']:.2f} s query ({s['ours_total_s']:.2f} s with snapping "
                f"{s['origins']:,} origins), peak RSS {s['ours_peak_rss_mb']:,.0f} MB",
            )
        else:
            say(
                s["ours_s"] < 0.050,
                f"{name}: six categories for all {s['origins']:,} origins < 50 ms: "
                f"{1000 * s['ours_s']:.1f} ms query ({1000 * s['ours_total_s']:.1f} ms with "
                "snapping)",
            )
        r = s.get("ratio_networkx")
        say(None if r is None else r >= 20, f"{name}: ≥ 20× NetworkX: {r}×")
        r = s.get("ratio_pandana")
        say(None if r is None else r >= 1, f"{name}: at least as fast as pandana's query: {r}×")
        say(
            s["isochrone_p50_ms"] < 30,
            f"{name}: isochrone < 30 ms: p50 {s['isochrone_p50_ms']} ms "
            f"(p95 {s['isochrone_p95_ms']})",
        )
        say(
            s["route_p50_ms"] < 20,
            f"{name}: route < 20 ms: p50 {s['route_p50_ms']} ms (p95 {s['route_p95_ms']})",
        )


# =========================================================================== the cases


def osm_case(name: str, label: str, path: Path, repeats: int) -> Case | None:
    from geo.network.graph import build_graph
    from geo.network.osm import read_osm

    if not path.exists():
        print(f"\n== {label}\n   skipped: {path} is missing")
        return None
    start = time.perf_counter()
    extract = read_osm(path)
    graph = build_graph(extract.ways, extract.node_tags, "walk")
    build_s = time.perf_counter() - start
    return Case(name, label, graph, MUNICIPALITY_ORIGINS, CATEGORIES, build_s, repeats)


def million_case(delft: WalkGraph) -> Case:
    start = time.perf_counter()
    graph = tiled_graph(delft, 28, 27)
    log(f"   tiled the Delft graph 28 × 27 in {time.perf_counter() - start:.1f} s")
    scale = graph.n_nodes / 2_000  # as many voorzieningen per node as a municipality
    categories = {k: round(v * scale) for k, v in CATEGORIES.items()}
    return Case(
        "synthetic-1m",
        "SYNTHETIC 1M: the real Delft graph tiled 28 × 27 (756 copies, joined by straight links)",
        graph,
        1_000_000,
        categories,
        None,
        1,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Walking-distance benchmark: ours against NetworkX, pandana and cityseer on "
        "the same graphs, origins and voorzieningen (see the module docstring).",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="skip the 1M-node graph (< 1 min)")
    mode.add_argument("--smoke", action="store_true", help="a tiny synthetic grid (seconds)")
    parser.add_argument("--repeats", type=int, default=5, help="best of N on the small graphs")
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help=f"comma-separated, of {', '.join(TOOLS)}"
    )
    parser.add_argument("--tool-timeout", type=float, default=1800.0, help="seconds per tool")
    parser.add_argument(
        "--tool-memory-gb", type=float, default=12.0, help="address-space cap per tool (GB)"
    )
    parser.add_argument(
        "--pandana-precompute-m",
        type=float,
        default=500.0,
        help="pandana's precompute distance (m; only its aggregations need it, not "
        "nearest_pois; its memory grows with the square of it)",
    )
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--job", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.worker, args.job)
        return
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tool(s) {sorted(unknown)}; choose from {', '.join(TOOLS)}")
    warnings.simplefilter("ignore")
    print(
        "Walking-distance benchmark. Times: best of runs (perf_counter). Memory: peak resident "
        "set of a subprocess per tool (Linux VmHWM, reset before the tool's work).\n"
        "ours_s = six target_field + nearest_for passes on snapped points (snapping apart: "
        "ours_snap_s; both: ours_total_s). Ratios = a peer's six-category query ÷ ours_s, on "
        "the same input; set-up (nx.Graph, pandana's CH and precompute) is reported apart."
    )
    cases: list[Case] = []
    if args.smoke:
        grid = grid_graph(20, 20, 110.0, args.seed)
        small = {k: max(2, v // 5) for k, v in CATEGORIES.items()}
        cases.append(Case("smoke-grid", "SYNTHETIC tiny grid 20 × 20", grid, 2_000, small, None, 2))
    else:
        delft_path = Settings().find_data_file(DELFT_OSM)
        delft = osm_case(
            "delft-tu", f"delft-tu: real OSM extract ({delft_path.name})", delft_path, args.repeats
        )
        if delft is None:
            raise SystemExit(f"the Delft extract {DELFT_OSM} is needed")
        cases.append(delft)
        nieuwegein = osm_case(
            "nieuwegein",
            "nieuwegein: the sample's SYNTHETIC street network in Nieuwegein's real buurten",
            NIEUWEGEIN_PBF,
            args.repeats,
        )
        if nieuwegein is not None:
            cases.append(nieuwegein)
        if not args.quick:
            cases.append(million_case(delft.graph))
    limits = Limits(args.tool_timeout, args.tool_memory_gb, args.pandana_precompute_m)
    summaries = [run_case(case, tools, limits, args.seed) for case in cases]
    verdicts(summaries)
    largest = max(summaries, key=lambda s: s["nodes"])
    print(json.dumps(largest, default=float))


if __name__ == "__main__":
    main()
