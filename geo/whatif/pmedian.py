"""Mean walking distance (p-median) with fixed facilities: which k new sites shorten the
residents' walks the most.

Each demand point keeps its distance to the nearest fixed facility (``base``, metres) unless a
chosen candidate is nearer; only candidate–demand pairs nearer than ``base`` matter, and their
*saving* ``base − d`` is what the stage maximises (weighted). Demand no candidate improves
drops out. Then:

``exact`` (small inputs)
    ILP over binary ``x_j`` and assignment ``z_ij ≥ 0``: maximise ``Σ w_i s_ij z_ij`` with
    ``Σ_j z_ij ≤ 1``, ``z_ij ≤ x_j`` and ``Σ x_j = k`` (HiGHS, :func:`scipy.optimize.milp`).
``heuristic``
    Greedy, then vertex substitution (Teitz–Bart): the best swap of a chosen site for an
    unchosen one, evaluated for every pair at once with sparse products from each point's best
    and second-best saving, until no swap helps. Its gap is to the LP relaxation's bound.

Distances are metres; an unreachable base is given as a cap (the caller says which).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.errors import QueryError

#: Pairs (candidate–demand, improving) up to which ``auto`` solves the ILP exactly.
EXACT_MAX_PAIRS = 200_000


@dataclass(frozen=True)
class MedianSolution:
    """Chosen candidates; ``saving`` is the weighted metres saved (Σ w × (base − new)),
    ``bound`` an upper bound of the best saving, ``status`` how it was solved."""

    method: Literal["exact", "heuristic"]
    chosen: NDArray[np.int64]
    saving: float
    bound: float
    status: str
    swaps: int

    @property
    def gap(self) -> float:
        """Relative gap of the saving to its bound (0 when proven optimal)."""
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.saving) / self.bound)


def savings_matrix(
    weight: NDArray[np.float64],
    base_m: NDArray[np.float64],
    pairs: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]],
    n_candidates: int,
) -> sp.csr_array:
    """Weighted savings (demand × candidates, CSR): ``w_i (base_i − d_ij)`` where positive."""
    site, point, distance = pairs
    saving = weight[point] * (base_m[point] - distance)
    keep = saving > 0
    matrix = sp.csr_array(
        (saving[keep], (point[keep], site[keep])), shape=(len(weight), n_candidates)
    )
    matrix.sum_duplicates()  # a pair twice would be a caller's bug; keep the larger
    return matrix


def solve_pmedian(
    savings: sp.csr_array,
    k: int,
    *,
    method: Literal["auto", "exact", "heuristic"] = "auto",
    time_limit_s: float | None = None,
) -> MedianSolution:
    """Choose ``k`` candidates maximising the weighted saving (``savings``: demand × candidates).

    With ``time_limit_s``, an ILP that is not solved in time answers the heuristic, and an LP
    bound not found in time the simple bound of :func:`simple_bound` (the status says so)."""
    n = savings.shape[1]
    if k < 1 or k > n:
        raise QueryError(f"k must be between 1 and the {n} candidates, got {k}")
    rows = np.flatnonzero(np.diff(savings.indptr) > 0)
    savings = sp.csr_array(savings[rows])
    status = "heuristic"
    if method == "exact" or (method == "auto" and savings.nnz <= EXACT_MAX_PAIRS):
        exact = _exact(savings, k, time_limit_s)
        if exact is not None:
            return exact
        status = f"heuristic (the ILP was not solved in {time_limit_s:g} s)"
    chosen, swaps = substitute(savings, greedy_median(savings, k))
    bound = median_lp_bound(savings, k, time_limit_s)
    if bound is None:
        bound = simple_bound(savings, k)
        status += f"; LP bound not found in {time_limit_s:g} s, simple bound given"
    return MedianSolution("heuristic", chosen, total_saving(savings, chosen), bound, status, swaps)


def simple_bound(savings: sp.csr_array, k: int) -> float:
    """A bound found at once: the smaller of Σ over demand of its best saving and the sum of
    the k largest savings of a single candidate."""
    if savings.nnz == 0:
        return 0.0
    best = float(savings.max(axis=1).toarray().sum())
    alone = np.sort(np.asarray(savings.sum(axis=0)).ravel())[::-1][:k]
    return min(best, float(alone.sum()))


def total_saving(savings: sp.csr_array, chosen: NDArray[np.int64]) -> float:
    """Σ over demand of its best saving among ``chosen`` (0 if none)."""
    if len(chosen) == 0 or savings.shape[0] == 0:
        return 0.0
    sub = sp.csr_array(savings[:, chosen])
    return float(sub.max(axis=1).toarray().sum())


def _model(savings: sp.csr_array, k: int) -> tuple[NDArray[np.float64], list[LinearConstraint]]:
    coo = savings.tocoo()
    m, n, p = savings.shape[0], savings.shape[1], savings.nnz
    cost = np.concatenate([np.zeros(n), -coo.data])
    pair = np.arange(p)
    one_each = sp.csr_array((np.ones(p), (coo.row, n + pair)), shape=(m, n + p))
    link = sp.csr_array(
        (np.r_[np.ones(p), -np.ones(p)], (np.r_[pair, pair], np.r_[n + pair, coo.col])),
        shape=(p, n + p),
    )
    count = sp.csr_array(np.r_[np.ones(n), np.zeros(p)][None, :])
    return cost, [
        LinearConstraint(one_each, -np.inf, 1.0),
        LinearConstraint(link, -np.inf, 0.0),
        LinearConstraint(count, k, k),
    ]


def _exact(savings: sp.csr_array, k: int, time_limit_s: float | None) -> MedianSolution | None:
    """The ILP's optimum; None when it is not proven within ``time_limit_s``."""
    n = savings.shape[1]
    if savings.nnz == 0:
        return MedianSolution("exact", np.arange(k), 0.0, 0.0, "optimal", 0)
    cost, constraints = _model(savings, k)
    integrality = np.r_[np.ones(n), np.zeros(savings.nnz)]
    options = {} if time_limit_s is None else {"time_limit": time_limit_s}
    result = milp(
        cost, constraints=constraints, integrality=integrality, bounds=Bounds(0, 1), options=options
    )
    if result.status != 0 or result.x is None:
        return None
    chosen = np.flatnonzero(result.x[:n] > 0.5)
    value = total_saving(savings, chosen)
    return MedianSolution("exact", chosen, value, value, "optimal", 0)


def median_lp_bound(
    savings: sp.csr_array, k: int, time_limit_s: float | None = None
) -> float | None:
    """The LP relaxation's saving: no k sites save more (None: not solved in time)."""
    if savings.nnz == 0:
        return 0.0
    cost, constraints = _model(savings, k)
    options = {} if time_limit_s is None else {"time_limit": time_limit_s}
    result = milp(cost, constraints=constraints, bounds=Bounds(0, 1), options=options)
    return float(-result.fun) if result.status == 0 else None


def greedy_median(savings: sp.csr_array, k: int) -> NDArray[np.int64]:
    """Add k times the candidate whose addition saves the most (vectorised per step)."""
    best = np.zeros(savings.shape[0])
    coo = savings.tocoo()
    chosen: list[int] = []
    for _ in range(k):
        gain = np.bincount(
            coo.col, weights=np.maximum(coo.data - best[coo.row], 0.0), minlength=savings.shape[1]
        )
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        best = np.maximum(best, savings[:, [j]].toarray().ravel())
    return np.asarray(chosen, dtype=np.int64)


def substitute(
    savings: sp.csr_array, chosen: NDArray[np.int64], *, max_swaps: int = 1000
) -> tuple[NDArray[np.int64], int]:
    """Vertex substitution: apply the best improving swap (in, out) until none improves."""
    chosen = chosen.copy()
    coo = savings.tocoo()
    n = savings.shape[1]
    for swaps in range(max_swaps):
        s1, r1, s2 = _best_two(savings, chosen)
        add = np.maximum(coo.data - s1[coo.row], 0.0)
        gain_in = np.bincount(coo.col, weights=add, minlength=n)
        owner = r1[coo.row]  # slot in ``chosen`` of each pair's demand best site (-1: none)
        has = owner >= 0
        loss_out = np.bincount(r1[r1 >= 0], weights=(s1 - s2)[r1 >= 0], minlength=len(chosen))
        fix = np.maximum(coo.data - s2[coo.row], 0.0) - add
        correction = sp.csr_array(
            (fix[has], (owner[has], coo.col[has])), shape=(len(chosen), n)
        ).toarray()
        delta = gain_in[None, :] - loss_out[:, None] + correction
        delta[:, chosen] = -np.inf
        out, into = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if delta[out, into] <= 1e-9 * max(1.0, float(s1.sum())):
            return chosen, swaps
        chosen[out] = into
    return chosen, max_swaps


def _best_two(
    savings: sp.csr_array, chosen: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
    """Per demand: best saving among ``chosen``, its slot (-1: none), second-best saving."""
    sub = savings[:, chosen].toarray()
    order = np.argsort(-sub, axis=1)
    rows = np.arange(sub.shape[0])
    s1 = sub[rows, order[:, 0]]
    s2 = sub[rows, order[:, 1]] if sub.shape[1] > 1 else np.zeros(sub.shape[0])
    r1 = np.where(s1 > 0, order[:, 0], -1)
    return s1, r1.astype(np.int64), s2
