"""What the walking benchmark prints: per graph its figures and each peer's agreement with ours,
and at the end the issue's targets, each said as met or not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.problem import CUTOFF_MINUTES, SAMPLE_POINTS, SPEED_M_S, Case

#: Why a peer's distances differ from ours (said beside its agreement figures).
HOW_IT_SNAPS = {
    "pandana": "it snaps origins and voorzieningen to the nearest node, not edge, and walks no "
    "snap line",
    "cityseer": "origins read at their nearest node; it assigns voorzieningen to nodes by its "
    "own rules (nearest edge's ends in sight within the snap limit) and may leave some out",
}


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


def print_preamble() -> None:
    print(
        "Walking-distance benchmark. Times: best of runs (perf_counter). Memory: peak resident "
        "set of a subprocess per tool (Linux VmHWM, reset before the tool's work).\n"
        "ours_s = six target_field passes + one nearest_distances gather on snapped points "
        "(snapping apart: "
        "ours_snap_s; both: ours_total_s). Ratios = a peer's six-category query ÷ ours_s, on "
        "the same input; set-up (nx.Graph, pandana's CH and precompute) is reported apart."
    )


def print_case(case: Case) -> None:
    """The graph and its problem."""
    g = case.graph
    print(f"\n== {case.label}")
    print(
        f"   {g.n_nodes:,} nodes, {g.n_edges:,} edges, "
        f"{g.edge_length.sum() / 1000:,.0f} km; {case.origins:,} origins (random points within "
        f"60 m of the network); {len(case.categories)} categories with "
        f"{', '.join(f'{k} {v}' for k, v in case.categories.items())} voorzieningen"
    )


def print_cache(case: Case, job: dict[str, Any]) -> None:
    build = "n/a (made from arrays)" if case.build_s is None else f"{case.build_s:.3f} s"
    print(
        f"   graph build from OSM {build}; cache save {job['save_s']:.3f} s, "
        f"cached load {job['load_s']:.3f} s"
    )


def print_ours(ours: dict[str, Any]) -> None:
    total = ours["snap_s"] + ours["query_s"]
    print(
        f"   ours      index (CSR + STRtree) {ours['index_s']:.3f} s | snap "
        f"{ours['snap_s'] * 1000:9.1f} ms | six Dijkstra+gather {ours['query_s'] * 1000:9.1f} "
        f"ms (Dijkstra {ours['dijkstra_s'] * 1000:.1f} ms, gather "
        f"{ours['gather_s'] * 1000:.1f} ms for all six; Dijkstra per category "
        f"{ours['per_category_ms']} ms) | "
        f"total {total * 1000:9.1f} ms | "
        f"peak RSS {ours['peak_rss_mb']:,.0f} MB (baseline {ours['peak_rss_baseline_mb']:,.0f})"
    )
    if ours["unsnapped_origins"]:
        print(f"             {ours['unsnapped_origins']:,} origins beyond the snap limit")


def print_skipped(tool: str, reason: str) -> None:
    print(f"   {tool:<9} skipped: {reason}")


def _setup(tool: str, figures: dict[str, Any], job: dict[str, Any]) -> str:
    """What a peer builds before its query, and how long that took."""
    if tool == "networkx":
        return f"nx.Graph build {figures['build_s']:.3f} s"
    if tool == "pandana":
        return (
            f"Network (CH) {figures['init_s']:.3f} s, precompute("
            f"{job['pandana_precompute_m']:.0f} m) {figures['precompute_s']:.3f} s, "
            f"origins to nodes {figures['snap_s'] * 1000:.1f} ms"
        )
    return (
        f"NetworkStructure + frames {figures['init_s']:.3f} s, origins to nodes "
        f"{figures['snap_s'] * 1000:.1f} ms"
    )


def print_peer(tool: str, figures: dict[str, Any], ratio: float, job: dict[str, Any]) -> None:
    print(
        f"   {tool:<9} {figures.get('version', '')}: six categories "
        f"{figures['query_s'] * 1000:9.1f} ms = {ratio:7.1f} × ours | "
        f"{_setup(tool, figures, job)} | peak RSS {figures['peak_rss_mb']:,.0f} MB "
        f"(baseline {figures['peak_rss_baseline_mb']:,.0f})"
    )


def print_networkx(figures: dict[str, Any], dijkstra_ratio: float, agree: dict[str, Any]) -> None:
    """NetworkX's Dijkstra beside ours, and whether every origin agrees within 1 m."""
    print(
        f"             Dijkstra alone (with its target nodes): "
        f"{figures['dijkstra_s'] * 1000:.1f} ms = "
        f"{dijkstra_ratio} × ours; the gather (the same NumPy "
        f"formula as ours) {figures['gather_s'] * 1000:.1f} ms"
    )
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


def print_loose(tool: str, agree: dict[str, Any], pairs: int) -> None:
    """A peer that snaps otherwise: how far its distances lie from ours."""
    print(
        f"             loose agreement ({HOW_IT_SNAPS[tool]}): "
        f"median |diff| {agree.get('median_abs_diff_m')} m, p95 "
        f"{agree.get('p95_abs_diff_m')} m, max {agree.get('max_abs_diff_m')} m, "
        f"reach differs {agree['reach_differs']} of {pairs:,}"
    )


def print_routes(case: Case, ours: dict[str, Any]) -> None:
    print(
        f"   route (snap + walk to the nearest {next(iter(case.categories))}): p50 "
        f"{ours['route_p50_ms']} ms, p95 {ours['route_p95_ms']} ms over {SAMPLE_POINTS} "
        f"random points; isochrone {'/'.join(map(str, CUTOFF_MINUTES))} min at "
        f"{SPEED_M_S} m/s: p50 {ours['isochrone_p50_ms']} ms, p95 "
        f"{ours['isochrone_p95_ms']} ms"
    )


def _say(ok: bool | None, text: str) -> None:
    mark = "n/a " if ok is None else ("MET " if ok else "NOT MET")
    print(f"   [{mark:<7}] {text}")


def verdicts(summaries: Sequence[dict[str, Any]]) -> None:
    """The issue's targets, each said as met or not, from the figures measured."""
    print("\n== targets (issue 6)")
    for s in summaries:
        name = s["graph"]
        if s["nodes"] >= 500_000:
            _say(
                s["ours_s"] < 10 and s["ours_peak_rss_mb"] < 4096,
                f"{name}: 1M-node graph, six categories < 10 s and < 4 GB: "
                f"{s['ours_s']:.2f} s query ({s['ours_total_s']:.2f} s with snapping "
                f"{s['origins']:,} origins), peak RSS {s['ours_peak_rss_mb']:,.0f} MB",
            )
        else:
            _say(
                s["ours_s"] < 0.050,
                f"{name}: six categories for all {s['origins']:,} origins < 50 ms: "
                f"{1000 * s['ours_s']:.1f} ms query ({1000 * s['ours_total_s']:.1f} ms with "
                "snapping)",
            )
        r = s.get("ratio_networkx")
        _say(None if r is None else r >= 20, f"{name}: ≥ 20× NetworkX: {r}×")
        r = s.get("ratio_pandana")
        _say(None if r is None else r >= 1, f"{name}: at least as fast as pandana's query: {r}×")
        _say(
            s["isochrone_p50_ms"] < 30,
            f"{name}: isochrone < 30 ms: p50 {s['isochrone_p50_ms']} ms "
            f"(p95 {s['isochrone_p95_ms']})",
        )
        _say(
            s["route_p50_ms"] < 20,
            f"{name}: route < 20 ms: p50 {s['route_p50_ms']} ms (p95 {s['route_p95_ms']})",
        )
