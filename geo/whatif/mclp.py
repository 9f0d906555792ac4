"""Maximal covering (MCLP) with fixed facilities: which k new sites bring the most weight
within the norm.

The stage takes arrays — demand weights, which demand the fixed facilities already cover, and
the candidate–demand pairs within the norm (:class:`geo.whatif.reach.Reach`) — and returns the
chosen candidates. Before solving, demand already covered (or of zero weight, or reached by no
candidate) is dropped and demand points reached by the same set of candidates are merged
(:func:`reduce_demand`). Then:

``exact``
    An ILP solved by HiGHS through :func:`scipy.optimize.milp`: binary ``x_j`` per candidate,
    ``0 ≤ y_g ≤ 1`` per merged demand group, maximise ``Σ w_g y_g`` subject to
    ``y_g ≤ Σ_{j reaches g} x_j`` and ``Σ x_j = k`` (and ``Σ_{j in area} x_j ≥ 1`` for each
    area a presence norm requires a site in). A time limit answers the best solution found.
``greedy``
    Add the site of largest marginal gain k times (vectorised sparse updates). Without area
    constraints it is proven within ``1 − (1 − 1/k)^k`` (≥ 63 %) of the optimum; the answer
    also carries the tighter of the LP bound and the greedy's own a-posteriori bound (value
    plus the k largest marginal gains at any step), and the gap to it.

Weights are residents (or residents 65+) per demand point; nothing here knows about CRSs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from geo.errors import QueryError

if TYPE_CHECKING:
    from scipy.optimize import LinearConstraint

Method = Literal["auto", "exact", "greedy"]
#: Above this many nonzeros of the reduced matrix, ``auto`` solves greedily.
EXACT_MAX_NONZEROS = 3_000_000
#: Seconds HiGHS may spend on one ILP before answering its best solution.
DEFAULT_TIME_LIMIT_S = 60.0
#: HiGHS's relative MIP gap: 0, so "optimal" is proven optimal (HiGHS's default, 1e-4,
#: would stop within 0.01 % of the bound and still call it optimal).
MIP_REL_GAP = 0.0


@dataclass(frozen=True)
class Reduced:
    """Merged demand groups: ``matrix`` (groups × candidates, boolean CSR), the weight of each
    group, and the group of every original demand point (-1: dropped)."""

    matrix: sp.csr_array
    weight: NDArray[np.float64]
    group: NDArray[np.int64]


@dataclass(frozen=True)
class Solution:
    """The chosen candidates (in order of their marginal gain) and what they bring.

    ``objective`` is the weight newly covered; ``bound`` an upper bound of the optimum
    (equal to ``objective`` when solved to optimality); ``gap`` = (bound − objective) / bound.
    ``status`` says how it was solved (``optimal``, ``time limit: best found``, ``greedy``).
    """

    method: Literal["exact", "greedy"]
    chosen: NDArray[np.int64]
    gains: NDArray[np.float64]
    objective: float
    bound: float
    status: str
    groups: int
    nonzeros: int

    @property
    def gap(self) -> float:
        """Relative gap to the bound (0 when proven optimal)."""
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.objective) / self.bound)


def reduce_demand(
    weight: NDArray[np.float64], covered: NDArray[np.bool_], pairs: sp.csr_array
) -> Reduced:
    """Drop covered, weightless and unreachable demand; merge points with the same candidate
    set (exactly: rows equal entry by entry). ``pairs`` is candidates × demand (boolean)."""
    by_demand = sp.csr_array(pairs.T.astype(bool))
    by_demand.sum_duplicates()
    by_demand.sort_indices()
    counts = np.diff(by_demand.indptr)
    keep = (weight > 0) & ~covered & (counts > 0)
    rows = np.flatnonzero(keep)
    sub = sp.csr_array(by_demand[rows])
    sub.sort_indices()
    key = _row_keys(sub)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    _check_merge(sub, first[inverse])
    matrix = sp.csr_array(sub[first])
    group_weight = np.bincount(inverse, weights=weight[rows], minlength=len(first)).astype(float)
    group = np.full(len(weight), -1, dtype=np.int64)
    group[rows] = inverse
    return Reduced(matrix, group_weight, group)


def _row_keys(rows: sp.csr_array) -> NDArray[np.uint64]:
    """Per row: (nonzeros, two random 64-bit sums of its columns) — equal for equal rows."""
    rng = np.random.default_rng(13)
    n = rows.shape[1]
    keys = [np.diff(rows.indptr).astype(np.uint64)]
    owner = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    for _ in range(2):
        code = rng.integers(0, 2**63, size=n, dtype=np.uint64)
        summed = np.zeros(rows.shape[0], dtype=np.uint64)
        np.add.at(summed, owner, code[rows.indices])
        keys.append(summed)
    return np.column_stack(keys)


def _check_merge(rows: sp.csr_array, representative: NDArray[np.int64]) -> None:
    """Every row equals its group's representative row (a hash collision would fail here)."""
    length = np.diff(rows.indptr)
    start = rows.indptr[representative]
    offsets = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    theirs = rows.indices[np.repeat(start, length) + offsets]
    if not np.array_equal(theirs, rows.indices) or not np.array_equal(
        length, length[representative]
    ):
        raise AssertionError("demand rows merged by a colliding key")  # pragma: no cover


def solve_mclp(
    reduced: Reduced,
    k: int,
    *,
    method: Method = "auto",
    areas: Sequence[NDArray[np.int64]] = (),
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> Solution:
    """Choose ``k`` candidates maximising the weight of newly covered groups.

    ``areas`` are candidate index sets each of which must receive at least one site (a
    presence norm); ``method`` ``auto`` is exact unless the reduced matrix has more than
    :data:`EXACT_MAX_NONZEROS` nonzeros.
    """
    n = reduced.matrix.shape[1]
    if k < 1 or k > n:
        raise QueryError(f"k must be between 1 and the {n} candidates, got {k}")
    if len(areas) > k:
        raise QueryError(f"{len(areas)} areas need a site each, more than k = {k}")
    nonzeros = int(reduced.matrix.nnz)
    if method == "exact" or (method == "auto" and nonzeros <= EXACT_MAX_NONZEROS):
        return _exact(reduced, k, areas, time_limit_s)
    return _greedy(reduced, k, areas)


def covered_weight(reduced: Reduced, chosen: NDArray[np.int64]) -> float:
    """Weight of the groups reached by any of ``chosen``."""
    hit = np.asarray(reduced.matrix[:, chosen].sum(axis=1)).ravel() > 0
    return float(reduced.weight[hit].sum())


class _Rows(NamedTuple):
    """The model over (x: candidates, y: groups): cost (minimised), the link rows
    ``y_g − Σ_{j reaches g} x_j ≤ 0``, the count row ``Σ x_j = k`` and the presence rows
    ``Σ_{j in area} x_j ≥ 1`` (None without areas)."""

    cost: NDArray[np.float64]
    link: sp.csr_array
    count: sp.csr_array
    presence: sp.csr_array | None


def _rows(reduced: Reduced, areas: Sequence[NDArray[np.int64]]) -> _Rows:
    g, n = reduced.matrix.shape
    cost = np.concatenate([np.zeros(n), -reduced.weight])
    count = sp.csr_array(np.concatenate([np.ones(n), np.zeros(g)])[None, :])
    presence = None
    if areas:
        rows = np.repeat(np.arange(len(areas)), [len(a) for a in areas])
        cols = np.concatenate(list(areas))
        presence = sp.csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(areas), n + g))
    return _Rows(cost, _link(reduced.matrix), count, presence)


def _link(matrix: sp.csr_array) -> sp.csr_array:
    """``[−matrix | I]`` (groups × (candidates + groups)) from the CSR arrays directly: each
    row's candidates, then its own ``y`` (column ``n + g``, after them)."""
    g, n = matrix.shape
    indptr = matrix.indptr.astype(np.int64) + np.arange(g + 1)
    own = indptr[1:] - 1
    theirs = np.ones(int(indptr[-1]), dtype=bool)
    theirs[own] = False
    indices = np.empty(int(indptr[-1]), dtype=np.int64)
    data = np.empty(int(indptr[-1]))
    indices[theirs], data[theirs] = matrix.indices, -matrix.data.astype(float)
    indices[own], data[own] = n + np.arange(g), 1.0
    return sp.csr_array((data, indices, indptr), shape=(g, n + g))


def _model(
    reduced: Reduced, k: int, areas: Sequence[NDArray[np.int64]]
) -> tuple[NDArray[np.float64], list[LinearConstraint]]:
    """Objective and constraints over (x: candidates, y: groups), for ``milp``."""
    from scipy.optimize import LinearConstraint  # here, not at start: `wsz serve` starts faster

    rows = _rows(reduced, areas)
    constraints = [LinearConstraint(rows.link, -np.inf, 0.0), LinearConstraint(rows.count, k, k)]
    if rows.presence is not None:
        constraints.append(LinearConstraint(rows.presence, 1.0, np.inf))
    return rows.cost, constraints


#: Candidates the LP bound starts from (most weight within reach first; at least 2k); others
#: join while the duals price them in (:func:`lp_bound`).
LP_START_COLUMNS = 50


def lp_bound(reduced: Reduced, k: int, areas: Sequence[NDArray[np.int64]] = ()) -> float:
    """The LP relaxation's value: no choice of k sites covers more.

    Without areas, by column generation: the LP over a few candidates and the groups they
    reach gives duals ``u`` (``0 ≤ u_g ≤ w_g``; ``u_g = w_g`` for a group none of them
    reaches), and for any such ``u`` (weak duality) ``Σ_g (w_g − u_g)`` plus the k largest
    ``Σ_{g reached by j} u_g`` over every candidate j bounds the full LP from above — equal to
    it once no other candidate prices in (its sum above the k-th largest); while some do,
    they join and the LP is solved again. On the bench's 9,957 groups × 1,000 candidates one
    round of 50 candidates gives the LP's value, about 5 times faster than the full LP.
    """
    if reduced.matrix.shape[0] == 0:
        return 0.0
    n = reduced.matrix.shape[1]
    first = max(LP_START_COLUMNS, 2 * k)
    if areas or n <= first:
        result = _lp(reduced, k, areas)
        return float(-result.fun) if result.x is not None else float(reduced.weight.sum())
    weight = reduced.weight
    by_candidate = sp.csc_array(reduced.matrix.astype(float))
    columns = np.zeros(n, dtype=bool)
    columns[np.argsort(-(by_candidate.T @ weight), kind="stable")[:first]] = True
    while True:
        sub = sp.csr_array(reduced.matrix[:, np.flatnonzero(columns)])
        rows = np.flatnonzero(np.diff(sub.indptr) > 0)
        part = Reduced(sp.csr_array(sub[rows]), weight[rows], np.zeros(0, dtype=np.int64))
        result = _lp(part, k, ())
        if result.x is None:  # pragma: no cover  # k ≤ the columns: always feasible
            return float(weight.sum())
        dual = weight.copy()
        dual[rows] = np.clip(-np.asarray(result.ineqlin.marginals), 0.0, weight[rows])
        priced = by_candidate.T @ dual
        top = np.sort(priced)[::-1][:k]
        bound = float((weight - dual).sum() + top.sum())
        entering = ~columns & (priced > top[-1] + 1e-9 * max(1.0, float(top[-1])))
        if not entering.any():
            return bound
        columns |= entering


def _lp(reduced: Reduced, k: int, areas: Sequence[NDArray[np.int64]]) -> Any:
    """The LP relaxation solved by HiGHS's interior point method with crossover (a basic
    optimal solution and its duals, as the simplex gives; on covering LPs of thousands of
    groups several times faster than the simplex)."""
    from scipy.optimize import linprog

    rows = _rows(reduced, areas)
    upper, limits = rows.link, np.zeros(rows.link.shape[0])
    if rows.presence is not None:
        upper = sp.vstack([upper, -rows.presence], format="csr")
        limits = np.concatenate([limits, -np.ones(rows.presence.shape[0])])
    return linprog(
        rows.cost, A_ub=upper, b_ub=limits, A_eq=rows.count, b_eq=[float(k)], bounds=(0.0, 1.0),
        method="highs-ipm",
    )  # fmt: skip


def _exact(
    reduced: Reduced, k: int, areas: Sequence[NDArray[np.int64]], time_limit_s: float
) -> Solution:
    g, n = reduced.matrix.shape
    if g == 0 and not areas:
        return _finish(reduced, np.arange(k), "exact", "optimal", 0.0)
    greedy = _greedy(reduced, k, areas)
    if greedy.objective >= greedy.bound - 1e-9 * max(1.0, greedy.bound):
        return replace(greedy, method="exact", status="optimal (greedy meets the bound)")
    from scipy.optimize import Bounds, milp

    cost, constraints = _model(reduced, k, areas)
    integrality = np.concatenate([np.ones(n), np.zeros(g)])
    result = milp(
        cost,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": time_limit_s, "mip_rel_gap": MIP_REL_GAP},
    )
    if result.x is None:
        if areas and result.status == 2:
            raise QueryError("no choice of k sites puts one in every area the norm requires")
        return _greedy(reduced, k, areas, status="greedy (the ILP found no solution in time)")
    chosen = np.flatnonzero(result.x[:n] > 0.5)
    if result.status == 0:
        return _finish(reduced, chosen, "exact", "optimal", None)
    bound = min(float(-getattr(result, "mip_dual_bound", -np.inf)), greedy.bound)
    status = f"time limit of {time_limit_s:g} s: best solution found"
    found = _finish(reduced, chosen, "exact", status, bound)
    if greedy.objective > found.objective:
        found = replace(greedy, method="exact", status=status, bound=bound)
    return found


def _finish(
    reduced: Reduced,
    chosen: NDArray[np.int64],
    method: Literal["exact", "greedy"],
    status: str,
    bound: float | None,
) -> Solution:
    order, gains = order_by_gain(reduced, chosen)
    objective = float(gains.sum())
    return Solution(
        method,
        order,
        gains,
        objective,
        objective if bound is None else max(bound, objective),
        status,
        int(reduced.matrix.shape[0]),
        int(reduced.matrix.nnz),
    )


def order_by_gain(
    reduced: Reduced, chosen: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """``chosen`` ordered greedily (largest marginal gain first) and each one's gain."""
    by_candidate = sp.csc_array(reduced.matrix[:, chosen])
    remaining = reduced.weight.copy()
    left = list(range(len(chosen)))
    order: list[int] = []
    gains: list[float] = []
    while left:
        values = [float(remaining[_col(by_candidate, j)].sum()) for j in left]
        best = int(np.argmax(values))
        j = left.pop(best)
        order.append(j)
        gains.append(values[best])
        remaining[_col(by_candidate, j)] = 0.0
    return chosen[np.asarray(order, dtype=np.int64)], np.asarray(gains)


def _col(matrix: sp.csc_array, j: int) -> NDArray[np.int64]:
    return np.asarray(matrix.indices[matrix.indptr[j] : matrix.indptr[j + 1]], dtype=np.int64)


def _greedy(
    reduced: Reduced,
    k: int,
    areas: Sequence[NDArray[np.int64]],
    *,
    status: str = "greedy",
) -> Solution:
    """Greedy with vectorised gain updates; areas without a site are served first."""
    by_group = reduced.matrix
    by_candidate = sp.csc_array(by_group)
    remaining = reduced.weight.copy()
    gains = by_candidate.T @ remaining if by_group.shape[0] else np.zeros(by_group.shape[1])
    allowed = np.ones(by_group.shape[1], dtype=bool)
    chosen: list[int] = []
    value, posterior = 0.0, np.inf
    open_areas = [np.asarray(a) for a in areas]
    for _ in range(k):
        posterior = min(posterior, value + float(np.sort(gains[allowed])[::-1][:k].sum()))
        pool = open_areas.pop(0) if open_areas else np.flatnonzero(allowed)
        pool = pool[allowed[pool]]
        j = int(pool[np.argmax(gains[pool])])
        chosen.append(j)
        allowed[j] = False
        value += float(gains[j])
        new = _col(by_candidate, j)
        new = new[remaining[new] > 0]
        if len(new):
            gains = gains - by_group[new].T @ remaining[new]
            remaining[new] = 0.0
        open_areas = [a for a in open_areas if not np.isin(a, chosen).any()]
    if areas:
        bound = lp_bound(reduced, k, areas)
    elif posterior <= value + 1e-9 * max(1.0, posterior):
        bound = posterior  # the greedy's own bound proves it optimal: no LP to solve
    else:
        bound = min(posterior, lp_bound(reduced, k, areas))
    return _finish(reduced, np.asarray(chosen, dtype=np.int64), "greedy", status, bound)
