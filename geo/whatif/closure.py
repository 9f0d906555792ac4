"""Closures: who loses coverage when voorzieningen close, and which voorziening matters most.

Arrays in, arrays out. A demand point within the norm of exactly one facility loses coverage
when that facility closes: counting the facilities within the norm per point (the pairs of
:class:`geo.whatif.reach.Reach`) ranks every facility of a category at once — by the weight of
the points it alone covers — with no search per facility. The distance after a closure comes
from one multi-source search over the facilities that stay (the caller's distance source).
Distances are metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from geo.whatif.reach import Reach


@dataclass(frozen=True)
class Dependence:
    """Per facility: the weight of the demand it alone covers (``sole_weight`` and, for a
    second weight such as residents 65+, ``sole_weight_2``), and how many points (``sole``).
    Per demand point: how many facilities are within the norm (``reach_count``) and which
    facility covers it alone (``sole_facility``, -1 when none or several)."""

    sole: NDArray[np.int64]
    sole_weight: NDArray[np.float64]
    sole_weight_2: NDArray[np.float64]
    reach_count: NDArray[np.int64]
    sole_facility: NDArray[np.int64]


def dependence(
    reach: Reach, weight: NDArray[np.float64], weight_2: NDArray[np.float64]
) -> Dependence:
    """Who depends on which facility alone (``reach``: facilities × demand within the norm)."""
    m = reach.n_sites
    count = np.bincount(reach.demand, minlength=reach.n_demand).astype(np.int64)
    alone = count[reach.demand] == 1
    facility = np.full(reach.n_demand, -1, dtype=np.int64)
    facility[reach.demand[alone]] = reach.site[alone]
    sole_points = reach.demand[alone]
    sole_sites = reach.site[alone]
    return Dependence(
        np.bincount(sole_sites, minlength=m).astype(np.int64),
        np.bincount(sole_sites, weights=weight[sole_points], minlength=m).astype(float),
        np.bincount(sole_sites, weights=weight_2[sole_points], minlength=m).astype(float),
        count,
        facility,
    )


def losing_coverage(reach: Reach, closing: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Demand points within the norm of some facility now and of none that stays open."""
    now = np.bincount(reach.demand, minlength=reach.n_demand) > 0
    stays = ~closing[reach.site]
    after = np.bincount(reach.demand[stays], minlength=reach.n_demand) > 0
    return now & ~after


def ranking_order(dep: Dependence) -> NDArray[np.int64]:
    """Facilities by the weight they alone cover, most first (ties: more points first)."""
    return np.lexsort((-dep.sole, -dep.sole_weight)).astype(np.int64)
