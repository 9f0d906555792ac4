"""What-if placement benchmark (issue 13): MCLP with fixed facilities by walking distance.

A SYNTHETIC municipality: a jittered street grid (about 8 × 8 km), 66,000 demand points (one
per resident, weight 1), 1,000 candidates and 60 fixed voorzieningen near the network, k = 10,
norm 500 m. Prints the time to build the coverage matrix (bounded Dijkstra from blocks of
sites), the exact solve (HiGHS), the greedy's gap to the LP bound, a click-to-evaluate answer
(one new site) and the closure ranking of the 60 fixed sites; against spopt's ``MCLP`` fed the
same reduced coverage (if the ``bench`` extra is installed), solved by the same solver as ours
(HiGHS: PuLP's through highspy; ``spopt_solver`` names it) at the same relative MIP gap.

Then (left out by ``--quick``) the SYNTHETIC 1M-node graph (the real Delft campus graph tiled
28 × 27, :func:`bench.graphs.tiled_graph`) with one demand point per node, 2,000 candidates,
200 fixed, k = 20, norm 500 m, solved greedily only: the coverage matrix time, the solve
time, the peak memory and the greedy's gap to its bound (``million`` in the JSON line). Not a
timed test. The last line is one JSON object (the municipality's figures at its top level).

    .venv/bin/python bench/whatif_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/whatif_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.graphs import grid_graph, osm_graph, points_near_network, tiled_graph  # noqa: E402
from bench.harness import installed, log, peak_rss, print_summary  # noqa: E402
from geo.coverage.distance import WalkingDistance  # noqa: E402
from geo.network.graph import WalkGraph  # noqa: E402
from geo.network.snap import snap_points  # noqa: E402
from geo.settings import Settings  # noqa: E402
from geo.whatif.closure import dependence  # noqa: E402
from geo.whatif.mclp import MIP_REL_GAP, reduce_demand, solve_mclp  # noqa: E402
from geo.whatif.reach import Demand, Reach, demand_of, walking_reach  # noqa: E402
from geo.whatif.scenarios import site_value  # noqa: E402

NORM_M = 500.0
DELFT_OSM = "osm/delft_tu_campus_2014.osm"


def _points(graph: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    x, y = points_near_network(graph, n, 30.0, rng)
    return np.asarray(shapely.points(x, y), dtype=object)


def municipality(summary: dict[str, Any], k: int = 10) -> None:
    """The 66,000 × 1,000 case."""
    rng = np.random.default_rng(13)
    graph = grid_graph(100, 100, 80.0, seed=13)
    demand, candidates, fixed = _points(graph, 66_000, rng), _points(graph, 1_000, rng), None
    fixed = _points(graph, 60, rng)
    weight = np.ones(len(demand))
    with peak_rss(summary, "peak_rss"):
        matrix_s, demand_index, covered, reach = _coverage_matrix(graph, demand, candidates, fixed)
        start = time.perf_counter()
        reduced = reduce_demand(weight, covered, reach.matrix())
        exact = solve_mclp(reduced, k, method="exact")
        solve_s = time.perf_counter() - start
    greedy = solve_mclp(reduced, k, method="greedy")
    areas = pd.DataFrame(
        {"bu_code": "b", "zone_code": np.where(shapely.get_x(demand) > 4000, "e", "w")}
    )
    # what POST /whatif/evaluate does (geo.pipeline.whatif_evaluate): the demand's k-d tree and
    # snapping are built once per served state (geo.pipeline.whatif_demand), the click walks
    start = time.perf_counter()
    one = candidates[:1]
    click = walking_reach(graph, (one, snap_points(graph, one, 250.0)), demand_index, NORM_M)
    site_value("bench", areas, (weight, weight), covered, click)
    click_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    fixed_reach = walking_reach(
        graph, (fixed, snap_points(graph, fixed, 250.0)), demand_index, NORM_M
    )
    dependence(fixed_reach, weight, weight)
    closure_s = time.perf_counter() - start
    summary.update(
        demand_points=len(demand),
        candidates=len(candidates),
        fixed=len(fixed),
        k=k,
        graph_nodes=graph.n_nodes,
        pairs=len(reach.site),
        demand_groups=reduced.matrix.shape[0],
        coverage_matrix_s=round(matrix_s, 3),
        solve_s=round(solve_s, 3),
        total_s=round(matrix_s + solve_s, 3),
        objective=exact.objective,
        status=exact.status,
        greedy_objective=greedy.objective,
        greedy_gap=round((exact.objective - greedy.objective) / max(exact.objective, 1), 5),
        greedy_gap_to_bound=round(greedy.gap, 5),
        click_ms=round(click_ms, 1),
        closure_ranking_s=round(closure_s, 3),
    )
    log(f"ours: {summary}")
    _spopt(summary, reduced, k)


def _peer_solver() -> tuple[Any, str]:
    """PuLP's HiGHS (through highspy, in the ``bench`` extra): the solver SciPy's ``milp``
    runs on our side, so the time ratio is solver-to-solver; else HiGHS's command line; else
    PuLP's CBC (named in the JSON line: the ratio then also compares two solvers)."""
    import pulp

    for name in ("HiGHS", "HiGHS_CMD"):
        kind = getattr(pulp, name, None)
        solver = kind(msg=False, gapRel=MIP_REL_GAP) if kind is not None else None
        if solver is not None and solver.available():
            return solver, name
    log("PuLP finds no HiGHS (pip install -e '.[bench]' installs highspy): spopt runs CBC")
    return pulp.PULP_CBC_CMD(msg=False, gapRel=MIP_REL_GAP), "CBC"


def _spopt(summary: dict[str, Any], reduced: Any, k: int) -> None:
    """spopt's MCLP on the same reduced coverage (groups × candidates), if installed."""
    summary.update(spopt_objective=None, spopt_s=None, ratio_spopt=None, spopt_solver=None)
    if not installed("spopt"):
        log("spopt is not installed (pip install -e '.[bench]'): no peer figures")
        return
    import pulp
    from spopt.locate import MCLP

    solver, name = _peer_solver()
    cost = np.where(reduced.matrix.toarray(), 0.0, 2 * NORM_M)
    start = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, reduced.weight, NORM_M, p_facilities=k)
    model = model.solve(solver)
    spopt_s = time.perf_counter() - start
    summary.update(
        spopt_objective=float(pulp.value(model.problem.objective)),
        spopt_s=round(spopt_s, 3),
        ratio_spopt=round(spopt_s / max(summary["solve_s"], 1e-9), 2),
        spopt_solver=name,
    )


def million(tiles: tuple[int, int] = (28, 27), k: int = 20) -> dict[str, Any]:
    """The 1M-node case (the Delft graph tiled ``tiles``): one demand point per node, 2,000
    candidates, 200 fixed, greedy only; its figures."""
    delft, _ = osm_graph(Settings().find_data_file(DELFT_OSM))
    graph = tiled_graph(delft, *tiles)
    log(f"tiled the Delft graph {tiles[0]} × {tiles[1]}: {graph.n_nodes:,} nodes")
    rng = np.random.default_rng(14)
    demand = _points(graph, graph.n_nodes, rng)
    candidates, fixed = _points(graph, 2_000, rng), _points(graph, 200, rng)
    case: dict[str, Any] = {"case": f"SYNTHETIC tiled Delft graph, {graph.n_nodes:,} nodes"}
    with peak_rss(case, "peak_rss"):
        matrix_s, _, covered, reach = _coverage_matrix(graph, demand, candidates, fixed)
        start = time.perf_counter()
        reduced = reduce_demand(np.ones(len(demand)), covered, reach.matrix())
        greedy = solve_mclp(reduced, k, method="greedy")
        solve_s = time.perf_counter() - start
    case.update(
        graph_nodes=graph.n_nodes,
        demand_points=len(demand),
        candidates=len(candidates),
        fixed=len(fixed),
        k=k,
        pairs=len(reach.site),
        demand_groups=reduced.matrix.shape[0],
        coverage_matrix_s=round(matrix_s, 3),
        solve_s=round(solve_s, 3),
        total_s=round(matrix_s + solve_s, 3),
        method=greedy.method,
        greedy_objective=greedy.objective,
        greedy_bound=round(greedy.bound, 3),
        greedy_gap_to_bound=round(greedy.gap, 5),
    )
    log(f"1M-node graph, greedy: {case}")
    return case


def _coverage_matrix(
    graph: WalkGraph, demand: np.ndarray, candidates: np.ndarray, fixed: np.ndarray
) -> tuple[float, Demand, np.ndarray, Reach]:
    """Seconds to snap the demand (and build its k-d tree), walk from the fixed sites and from
    every candidate (the coverage matrix); the demand; which of it the fixed sites cover; the
    candidates' reach."""
    source = WalkingDistance(graph, snap_limit_m=250.0)
    start = time.perf_counter()
    demand_index = demand_of(demand, source.snap(demand))
    covered = source.nearest(demand, fixed).distance_m <= NORM_M
    reach = walking_reach(
        graph, (candidates, snap_points(graph, candidates, 250.0)), demand_index, NORM_M
    )
    return time.perf_counter() - start, demand_index, covered, reach


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave the 1M-node graph out")
    parser.add_argument(
        "--tiles",
        type=int,
        nargs=2,
        default=(28, 27),
        metavar=("COLUMNS", "ROWS"),
        help="tiles of the Delft graph in the large case (default 28 × 27: about 1M nodes)",
    )
    args = parser.parse_args()
    summary: dict[str, Any] = {"case": "municipality (SYNTHETIC grid, 66,000 × 1,000)"}
    municipality(summary)
    if not args.quick:
        summary["million"] = million(tuple(args.tiles))
    for key, value in summary.items():
        print(f"{key}: {value}")
    print_summary(summary)


if __name__ == "__main__":
    main()
