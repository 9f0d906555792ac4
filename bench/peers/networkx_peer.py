"""The NetworkX peer, the yardstick: ``multi_source_dijkstra_path_length`` on an ``nx.Graph`` of
the same arrays, given exactly our problem: one extra node per snapped target joined to its
edge's two ends by offset + position, the same gather at each origin's edge ends, and its own
(independent) handling of an origin and a target on the same edge. Every origin must agree
with ours within 1 m.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.harness import best_of, peak_rss
from bench.problem import graph_arrays


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


def run(job: dict[str, Any], out: Path) -> dict[str, Any]:
    """NetworkX's figures on the job (our snapped points from ``job["ours_out"]``); its
    distances saved as ``out``."""
    import networkx as nx

    result: dict[str, Any] = {"version": nx.__version__}
    arrays = graph_arrays(job)
    ours = np.load(job["ours_out"])
    oe, op, oo = ours["origins_edge"], ours["origins_position"], ours["origins_offset"]
    origins = oe, op, oo, oe >= 0
    distances = np.full((len(oe), len(job["categories"])), np.inf)

    with peak_rss(result, "peak_rss"):
        start = time.perf_counter()
        graph = _nx_graph(arrays)
        result["build_s"] = time.perf_counter() - start
        split = np.zeros((len(job["categories"]), 2))  # Dijkstra (with target nodes), gather

        def six() -> None:
            for k, name in enumerate(job["categories"]):
                split[k] = _one_category(graph, arrays, origins, ours, name, distances[:, k])

        def keep_split() -> None:
            result["dijkstra_s"], result["gather_s"] = split.sum(axis=0).tolist()

        result["query_s"] = best_of(job["repeats_peers"], six, on_best=keep_split)
    np.savez(out, distance=distances)
    return result


def _nx_graph(arrays: dict[str, NDArray[Any]]) -> Any:
    """An ``nx.Graph`` of the arrays (self-loops left out; of parallel edges, the shortest)."""
    import networkx as nx

    u, v, length = arrays["edge_u"], arrays["edge_v"], arrays["edge_length"]
    graph = nx.Graph()
    graph.add_nodes_from(range(len(arrays["node_x"])))
    # Longest first: for parallel edges the shortest is written last and kept.
    order = np.argsort(-length, kind="stable")
    keep = order[u[order] != v[order]]
    graph.add_weighted_edges_from(
        zip(u[keep].tolist(), v[keep].tolist(), length[keep].tolist(), strict=True)
    )
    return graph


def _one_category(
    graph: Any,
    arrays: dict[str, NDArray[Any]],
    origins: tuple[NDArray[Any], ...],
    ours: Any,
    name: str,
    column: NDArray[np.float64],
) -> tuple[float, float]:
    """One category's distances into ``column`` (origins left unsnapped keep ``inf``), from
    the snapped origins (edge, position, offset, whether snapped) and the category's targets
    in ``ours``; the seconds of its Dijkstra (with the target nodes added and removed) and of
    its gather."""
    import networkx as nx

    n = len(arrays["node_x"])
    u, v, length = arrays["edge_u"], arrays["edge_v"], arrays["edge_length"]
    oe, op, oo, on = origins
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
    column[on] = via + oo[on]
    return middle - start, time.perf_counter() - middle
