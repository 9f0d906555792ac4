"""Benchmark: nearest voorziening by walking, ours against NetworkX, pandana and cityseer.

Every tool gets the same graph (the same node and edge arrays), the same origins and the same
six voorziening sets (categories), and answers "how far does each origin walk to its nearest
voorziening of each category?":

* **ours** — :func:`geo.network.snap.snap_points` (origins and targets onto edges), then per
  category one :func:`geo.network.paths.target_field` (a multi-source SciPy Dijkstra), then
  :func:`~geo.network.paths.nearest_distances` (the gather at each origin's edge, all six
  categories in one pass).
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
in real buurten), the real whole-area extracts of Puurs (a whole Flemish gemeente, OSM 2015)
and Liechtenstein (a whole country, OSM 2015) — with the bench's voorziening counts, their OSM
read + graph build time and tagged objects per second logged — and a SYNTHETIC graph of
about 1,000,000 nodes: the real Delft graph tiled 28 × 27 times, tiles joined by short
straight links. ``--quick`` leaves the 1M graph out (well
under a minute); ``--smoke`` runs a tiny synthetic grid in seconds (for the test suite). The
last line printed is one JSON object with the figures of the largest graph run.

pandana and cityseer are AGPL: they (and networkx, the yardstick) come only with the optional
``bench`` extra (``pip install -e '.[bench]'``), never with the service. A tool that is not
installed is skipped, with the reason printed.

The pieces: :mod:`bench.harness` (timing, peak memory, subprocesses, the JSON line),
:mod:`bench.graphs` (the graphs), :mod:`bench.problem` (origins, voorzieningen, the job file),
:mod:`bench.peers` (one module per tool, each a worker run in a subprocess) and
:mod:`bench.report` (what is printed). This script builds the cases, runs the tools on each and
prints.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/walking_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bench import report  # noqa: E402
from bench.graphs import grid_graph, osm_graph_read, tiled_graph  # noqa: E402
from bench.harness import installed, log, print_summary  # noqa: E402
from bench.peers import TOOL_MODULES, TOOLS, run_worker, spawn_worker  # noqa: E402
from bench.problem import CATEGORIES, MUNICIPALITY_ORIGINS, Case, write_problem  # noqa: E402
from geo.errors import ConfigurationError  # noqa: E402
from geo.network.graph import WalkGraph  # noqa: E402
from geo.settings import SAMPLE_DIR, Settings  # noqa: E402

#: cityseer runs a Dijkstra from every node; above this many nodes it is skipped (say why).
CITYSEER_MAX_NODES = 200_000
PEERS = ("networkx", "pandana", "cityseer")

DELFT_OSM = "osm/delft_tu_campus_2014.osm"
NIEUWEGEIN_PBF = SAMPLE_DIR / "nieuwegein_synthetic.osm.pbf"


@dataclass(frozen=True)
class Limits:
    """How long and how much memory each tool's subprocess may use."""

    timeout_s: float
    memory_gb: float
    pandana_precompute_m: float


# =========================================================================== one graph


def run_case(case: Case, tools: Sequence[str], limits: Limits, seed: int) -> dict[str, Any]:
    """Every tool on one graph; print the figures; return the summary."""
    report.print_case(case)
    with tempfile.TemporaryDirectory(prefix="walking-bench-") as tmp:
        folder = Path(tmp)
        job = write_problem(case, folder, seed)
        job["folder"] = str(folder)
        job["repeats_peers"] = max(1, min(case.repeats, 3))
        job["memory_limit_gb"] = limits.memory_gb
        job["pandana_precompute_m"] = limits.pandana_precompute_m
        report.print_cache(case, job)
        g = case.graph
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
        ours, ours_distance = _run_ours(case, job, limits, summary)
        for tool in PEERS:
            summary[f"{tool}_s"] = None
            summary[f"ratio_{tool}"] = None
            if tool in tools:
                _run_peer(tool, case, job, (ours, ours_distance), limits, summary)
        summary.setdefault("max_abs_diff_m", None)
        report.print_routes(case, ours)
    return summary


def _run_ours(
    case: Case, job: dict[str, Any], limits: Limits, summary: dict[str, Any]
) -> tuple[dict[str, Any], NDArray[np.float64]]:
    """Our worker on the job: print and summarise its figures; its figures and distances. The
    job learns where our answers are and how far the peers must search."""
    log(f"   [{case.name}] ours ...")
    ours = spawn_worker("ours", job, limits.timeout_s)
    if "skipped" in ours:
        raise SystemExit(f"ours failed on {case.name}: {ours['skipped']}")
    job["ours_out"] = ours["out"]
    ours_distance = np.load(ours["out"])["distance"]
    finite = ours_distance[np.isfinite(ours_distance)]
    # pandana and cityseer search up to a limit: one that every origin's answer is within.
    job["max_distance_m"] = float(math.ceil(finite.max()) + 100) if finite.size else 1000.0
    report.print_ours(ours)
    summary.update(
        ours_s=round(ours["query_s"], 5),
        ours_dijkstra_s=round(ours["dijkstra_s"], 5),
        ours_gather_s=round(ours["gather_s"], 5),
        ours_snap_s=round(ours["snap_s"], 5),
        ours_total_s=round(ours["snap_s"] + ours["query_s"], 5),
        ours_index_s=round(ours["index_s"], 4),
        ours_peak_rss_mb=ours["peak_rss_mb"],
        memory_method=ours["peak_rss_method"] + ", one subprocess per tool",
        isochrone_p50_ms=ours["isochrone_p50_ms"],
        isochrone_p95_ms=ours["isochrone_p95_ms"],
        route_p50_ms=ours["route_p50_ms"],
        route_p95_ms=ours["route_p95_ms"],
        max_distance_m=round(job["max_distance_m"], 1),
    )
    return ours, ours_distance


def _skip_reason(tool: str, case: Case) -> str | None:
    """Why a peer is not run on this graph, or None."""
    if not installed(TOOL_MODULES[tool]):
        return "not installed (pip install -e '.[bench]')"
    if tool == "cityseer" and case.graph.n_nodes > CITYSEER_MAX_NODES:
        return (
            f"skipped above {CITYSEER_MAX_NODES:,} nodes: its network is assembled by a "
            "Python loop per node and edge and it runs a bounded Dijkstra from every "
            "node (see its rate on the smaller graphs)"
        )
    return None


def _run_peer(
    tool: str,
    case: Case,
    job: dict[str, Any],
    ours_answer: tuple[dict[str, Any], NDArray[np.float64]],
    limits: Limits,
    summary: dict[str, Any],
) -> None:
    """One peer on the job: its figures and its agreement with ours (our figures and
    distances), printed and summarised."""
    reason = _skip_reason(tool, case)
    if reason is None:
        log(f"   [{case.name}] {tool} ...")
        figures = spawn_worker(tool, job, limits.timeout_s)
        reason = figures.get("skipped")
    if reason is not None:
        report.print_skipped(tool, reason)
        summary[f"{tool}_skipped"] = reason
        return
    ours, ours_distance = ours_answer
    theirs = np.load(figures["out"])["distance"]
    agree = report.agreement(ours_distance, theirs)
    ratio = figures["query_s"] / ours["query_s"]
    summary[f"{tool}_s"] = round(figures["query_s"], 5)
    summary[f"ratio_{tool}"] = round(ratio, 2)
    summary[f"{tool}_peak_rss_mb"] = figures["peak_rss_mb"]
    summary[f"{tool}_agreement"] = agree
    report.print_peer(tool, figures, ratio, job)
    if tool == "networkx":
        summary["networkx_dijkstra_s"] = round(figures["dijkstra_s"], 5)
        summary["ratio_networkx_dijkstra"] = round(figures["dijkstra_s"] / ours["dijkstra_s"], 2)
        report.print_networkx(figures, summary["ratio_networkx_dijkstra"], agree)
        summary["max_abs_diff_m"] = agree.get("max_abs_diff_m")
    else:
        report.print_loose(tool, agree, ours_distance.size)
    if tool == "pandana":
        summary["pandana_init_s"] = round(figures["init_s"], 4)
        summary["pandana_precompute_s"] = round(figures["precompute_s"], 4)


# =========================================================================== the cases


#: Real whole-area extracts (issue 16): a whole Flemish gemeente and a whole country, with the
#: bench's voorziening counts (their own voorzieningen are not read here yet).
WHOLE_AREAS = (
    ("puurs", "puurs: real OSM extract of the whole gemeente (2015)", "osm/puurs_be_2015.osm.pbf"),
    (
        "liechtenstein",
        "liechtenstein: real OSM extract of the whole country (2015)",
        "osm/liechtenstein_2015.osm.pbf",
    ),
)


def smoke_case(seed: int) -> Case:
    grid = grid_graph(20, 20, 110.0, seed)
    small = {k: max(2, v // 5) for k, v in CATEGORIES.items()}
    return Case("smoke-grid", "SYNTHETIC tiny grid 20 × 20", grid, 2_000, small, None, 2)


def osm_case(name: str, label: str, path: Path, repeats: int) -> Case | None:
    if not path.exists():
        print(f"\n== {label}\n   skipped: {path} is missing")
        return None
    graph, build_s, objects = osm_graph_read(path)
    log(
        f"   {name}: read and built in {build_s:.1f} s: {objects / build_s:,.0f} tagged OSM "
        f"objects/s, {graph.n_nodes:,} nodes, {graph.n_edges:,} edges"
    )
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


def cases(args: argparse.Namespace) -> list[Case]:
    """The graphs the flags ask for: the smoke grid, or Delft, Nieuwegein, Puurs,
    Liechtenstein and (without ``--quick``) the 1M graph."""
    if args.smoke:
        return [smoke_case(args.seed)]
    delft_path = Settings().find_data_file(DELFT_OSM)
    delft = osm_case(
        "delft-tu", f"delft-tu: real OSM extract ({delft_path.name})", delft_path, args.repeats
    )
    if delft is None:
        raise SystemExit(f"the Delft extract {DELFT_OSM} is needed")
    found = [delft]
    nieuwegein = osm_case(
        "nieuwegein",
        "nieuwegein: the sample's SYNTHETIC street network in Nieuwegein's real buurten",
        NIEUWEGEIN_PBF,
        args.repeats,
    )
    if nieuwegein is not None:
        found.append(nieuwegein)
    for name, label, file in WHOLE_AREAS:
        try:
            path = Settings().find_data_file(file)
        except ConfigurationError as missing:
            print(f"\n== {label}\n   skipped: {missing}")
            continue
        case = osm_case(name, label, path, args.repeats)
        if case is not None:
            found.append(case)
    if not args.quick:
        found.append(million_case(delft.graph))
    return found


# =========================================================================== main


def _parser() -> argparse.ArgumentParser:
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
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.worker, args.job)
        return
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tool(s) {sorted(unknown)}; choose from {', '.join(TOOLS)}")
    warnings.simplefilter("ignore")
    report.print_preamble()
    limits = Limits(args.tool_timeout, args.tool_memory_gb, args.pandana_precompute_m)
    summaries = [run_case(case, tools, limits, args.seed) for case in cases(args)]
    report.verdicts(summaries)
    print_summary(max(summaries, key=lambda s: s["nodes"]))


if __name__ == "__main__":
    main()
