"""The what-if solvers on small hand-made and random instances: the exact MCLP and p-median
agree with brute force, greedy stays within its proven bound, presence constraints hold."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from geo.errors import QueryError
from geo.whatif.mclp import (
    LP_START_COLUMNS,
    _model,
    covered_weight,
    lp_bound,
    reduce_demand,
    solve_mclp,
)
from geo.whatif.pmedian import savings_matrix, simple_bound, solve_pmedian, total_saving


def _pairs(cover: NDArray[np.bool_]) -> sp.csr_array:
    return sp.csr_array(cover.T)  # candidates × demand


def _brute_mclp(cover: NDArray[np.bool_], weight: NDArray[np.float64], k: int) -> float:
    best = 0.0
    for chosen in combinations(range(cover.shape[1]), k):
        best = max(best, float(weight[cover[:, list(chosen)].any(axis=1)].sum()))
    return best


instances = st.integers(min_value=0, max_value=2**31 - 1)


@settings(max_examples=15, deadline=None)
@given(seed=instances, k=st.integers(min_value=1, max_value=3))
def test_exact_mclp_equals_brute_force(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    demand, candidates = int(rng.integers(1, 25)), int(rng.integers(k, 8))
    cover = rng.random((demand, candidates)) < 0.25
    weight = rng.integers(0, 50, demand).astype(float)
    covered = rng.random(demand) < 0.2
    reduced = reduce_demand(weight, covered, _pairs(cover))
    solution = solve_mclp(reduced, k, method="exact")
    expected = _brute_mclp(cover & ~covered[:, None], weight, k)
    assert solution.objective == pytest.approx(expected)
    assert solution.status.startswith("optimal")
    assert solution.gap == 0
    greedy = solve_mclp(reduced, k, method="greedy")
    assert greedy.objective <= expected + 1e-9
    assert greedy.objective >= (1 - (1 - 1 / k) ** k) * expected - 1e-9
    assert greedy.bound >= expected - 1e-6
    assert lp_bound(reduced, k) >= expected - 1e-6


@settings(max_examples=15, deadline=None)
@given(seed=instances, k=st.integers(min_value=1, max_value=12))
def test_the_lp_bound_by_column_generation_is_the_full_lp(seed: int, k: int) -> None:
    """More candidates than the bound starts from: its value is the full LP's (by the
    simplex, every candidate and group at once), never below it."""
    from scipy.optimize import Bounds, milp

    rng = np.random.default_rng(seed)
    demand, candidates = int(rng.integers(20, 400)), int(rng.integers(LP_START_COLUMNS + 1, 200))
    cover = rng.random((demand, candidates)) < rng.uniform(0.01, 0.1)
    weight = rng.integers(1, 20, demand).astype(float)
    reduced = reduce_demand(weight, np.zeros(demand, dtype=bool), _pairs(cover))
    if reduced.matrix.shape[0] == 0:
        return
    cost, constraints = _model(reduced, k, ())
    full = -milp(cost, constraints=constraints, bounds=Bounds(0.0, 1.0)).fun
    assert lp_bound(reduced, k) == pytest.approx(full, rel=1e-9)
    assert lp_bound(reduced, k) >= full - 1e-9 * full


def test_merging_keeps_the_weight_and_drops_covered_demand() -> None:
    cover = np.array([[1, 0], [1, 0], [0, 1], [1, 1], [0, 0]], dtype=bool)
    weight = np.array([3.0, 4.0, 5.0, 6.0, 7.0])
    covered = np.array([False, False, False, True, False])
    reduced = reduce_demand(weight, covered, _pairs(cover))
    assert reduced.matrix.shape == (2, 2)  # rows 0 and 1 merged; 3 covered; 4 unreachable
    assert sorted(reduced.weight) == [5.0, 7.0]
    assert reduced.group.tolist()[3:] == [-1, -1]
    assert reduced.group[0] == reduced.group[1]


def test_presence_constraint_forces_a_site_in_each_area() -> None:
    # Candidate 0 covers everyone; area {1} and area {2} each need a site.
    cover = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 0, 0]], dtype=bool)
    weight = np.array([10.0, 1.0, 1.0, 10.0])
    reduced = reduce_demand(weight, np.zeros(4, bool), _pairs(cover))
    free = solve_mclp(reduced, 1, method="exact")
    assert free.chosen.tolist() == [0]
    areas = [np.array([1]), np.array([2])]
    forced = solve_mclp(reduced, 2, method="exact", areas=areas)
    assert sorted(forced.chosen.tolist()) == [1, 2]
    assert covered_weight(reduced, forced.chosen) == pytest.approx(2.0)
    greedy = solve_mclp(reduced, 3, method="greedy", areas=areas)
    assert {1, 2} <= set(greedy.chosen.tolist())
    with pytest.raises(QueryError, match="more than k"):
        solve_mclp(reduced, 1, areas=areas)


def test_k_beyond_the_candidates_is_refused() -> None:
    reduced = reduce_demand(np.ones(2), np.zeros(2, bool), _pairs(np.eye(2, dtype=bool)))
    with pytest.raises(QueryError, match="between 1 and the 2 candidates"):
        solve_mclp(reduced, 3)


def _brute_median(savings: sp.csr_array, k: int) -> float:
    return max(
        total_saving(savings, np.asarray(c)) for c in combinations(range(savings.shape[1]), k)
    )


@settings(max_examples=12, deadline=None)
@given(seed=instances, k=st.integers(min_value=1, max_value=3))
def test_pmedian_exact_and_heuristic_against_brute_force(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    demand, candidates = int(rng.integers(1, 30)), int(rng.integers(k, 8))
    distance = rng.uniform(0, 1000, (demand, candidates))
    base = rng.uniform(100, 1200, demand)
    weight = rng.integers(1, 20, demand).astype(float)
    near = rng.random((demand, candidates)) < 0.5
    point, site = np.nonzero(near)
    savings = savings_matrix(weight, base, (site, point, distance[near]), candidates)
    expected = _brute_median(savings, k)
    exact = solve_pmedian(savings, k, method="exact")
    assert exact.saving == pytest.approx(expected)
    heuristic = solve_pmedian(savings, k, method="heuristic")
    assert heuristic.saving <= expected + 1e-6
    assert heuristic.bound >= expected - 1e-6
    assert simple_bound(savings, k) >= expected - 1e-6  # the bound given when the LP is slow
    # Adding sites never lengthens anyone's walk: each point's new distance ≤ its base.
    new = base - np.where(
        savings[:, heuristic.chosen].toarray().max(axis=1) > 0,
        savings[:, heuristic.chosen].toarray().max(axis=1) / weight,
        0,
    )
    assert (new <= base + 1e-9).all()
