"""The gain curve of a placement: the best k sites for k = 1…K, and what each added site
brings (residents, or 65+, newly covered).

Each k is solved on its own with the placement's method (the best 2 sites need not contain
the best one), on the same reduced demand, so the curve costs K − 1 more solves of an
already small model. They share the placement's time limit; once it is spent the remaining
k are solved greedily, and each row says how it was solved. Weights, no CRS.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.whatif.mclp import Method, Reduced, Solution, solve_mclp

#: Columns of the curve, one row per k.
CURVE_COLUMNS = ("k", "newly", "added", "share_beyond_after", "method", "status")


def gain_curve(
    reduced: Reduced,
    final: Solution,
    *,
    method: Method,
    areas: Sequence[NDArray[np.int64]] = (),
    time_limit_s: float,
    beyond: tuple[float, float],
) -> pd.DataFrame:
    """The curve for k = max(1, areas)…K (K: ``final``'s sites, reused for the last row).

    ``beyond`` is (weight beyond the norm before, total weight); ``newly`` is the weight the
    best k sites cover, ``added`` what the k-th adds to the best k − 1, and
    ``share_beyond_after`` the share of the weight still beyond the norm.
    """
    last = len(final.chosen)
    start = max(1, len(areas))
    deadline = time.monotonic() + time_limit_s
    solutions: list[Solution] = []
    for k in range(start, last):
        left = deadline - time.monotonic()
        solve: Method = method if left > 0 else "greedy"
        solutions.append(
            solve_mclp(reduced, k, method=solve, areas=areas, time_limit_s=max(left, 0.1))
        )
    solutions.append(final)
    newly = np.array([s.objective for s in solutions])
    before, total = beyond
    frame = pd.DataFrame(
        {
            "k": np.arange(start, last + 1),
            "newly": newly,
            "added": np.diff(newly, prepend=0.0 if start == 1 else np.nan),
            "share_beyond_after": (before - newly) / max(total, 1e-12),
            "method": [s.method for s in solutions],
            "status": [s.status for s in solutions],
        }
    )
    return frame[list(CURVE_COLUMNS)]
