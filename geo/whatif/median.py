"""What a mean-walking-distance placement (p-median) answer shows: the weighted mean walking
distance before and after, its bound, the chosen sites and what each serves, per zone.

Arrays of the solver in (:mod:`geo.whatif.pmedian`), frames out. Distances are metres (RD
New); a resident point's distance *after* is the smaller of today's and the walk to the
nearest chosen site (pairs within the search limit). Means are over the weight that can
reach a voorziening (the rest is counted in ``unreachable_*``). The objective and its LP bound
count walks beyond the search limit as the limit; the reported means are the real distances.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from geo.whatif.pmedian import MedianSolution
from geo.whatif.report import areas_of

#: Longest walk (m) a candidate's search follows for the distance objective.
MEDIAN_LIMIT_M = 1_500.0


@dataclass(frozen=True)
class MedianPlacement:
    """The answer to "where do k new sites shorten the walks most?" (p-median).

    ``mean_before_m`` / ``mean_after_m``: weighted mean walking distance (None when nobody
    reaches one); ``mean_after_bound_m``: the mean after less the gap to the LP bound (its
    weighted metres over the weight reaching one): no k sites bring the mean below it.
    ``sites``: chosen candidates with ``served`` (weight now nearest to it) and ``saved_m``
    (their mean metres saved), buurt, wijk, zone and nearest address. ``by_zone``: means
    before and after per zone.
    """

    category: str
    weight: str
    limit_m: float
    solution: MedianSolution
    sites: gpd.GeoDataFrame
    mean_before_m: float | None
    mean_after_m: float | None
    mean_after_bound_m: float | None
    unreachable_before: float
    unreachable_after: float
    by_zone: pd.DataFrame
    off_network: tuple[str, ...]
    addresses: bool = False


def distance_after(
    base_m: NDArray[np.float64],
    pairs: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]],
    chosen: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Each point's distance (m) after adding ``chosen``: today's, or the walk to the nearest
    chosen site where shorter (``pairs``: site, point, metres)."""
    site, point, distance = pairs
    mine = np.isin(site, chosen)
    after = base_m.copy()
    np.minimum.at(after, point[mine], distance[mine])
    return after


def weighted_mean(weight: NDArray[np.float64], distance_m: NDArray[np.float64]) -> float | None:
    """The weighted mean over finite distances (None without any weight there)."""
    finite = np.isfinite(distance_m) & (weight > 0)
    total = float(weight[finite].sum())
    return float((weight[finite] * distance_m[finite]).sum()) / total if total > 0 else None


def served_by(
    savings: sp.csr_array, chosen: NDArray[np.int64], weight: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per chosen site: the weight whose nearest it becomes, and their mean saving (m)."""
    sub = savings[:, chosen].toarray() if len(chosen) else np.zeros((savings.shape[0], 0))
    best = np.argmax(sub, axis=1) if sub.shape[1] else np.zeros(sub.shape[0], dtype=int)
    gain = sub.max(axis=1) if sub.shape[1] else np.zeros(sub.shape[0])
    helped = gain > 0
    served = np.bincount(best[helped], weights=weight[helped], minlength=len(chosen)).astype(float)
    saved = np.bincount(best[helped], weights=gain[helped], minlength=len(chosen)).astype(float)
    return served, np.divide(saved, served, out=np.full(len(chosen), np.nan), where=served > 0)


def mean_by_zone(
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    weight: NDArray[np.float64],
    distances: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> pd.DataFrame:
    """Per zone: the weighted mean walking distance before and after (m, finite only)."""
    before, after = distances
    frame = areas_of(points, buurten)[["zone_code"]].assign(
        w_before=np.where(np.isfinite(before), weight, 0.0),
        d_before=np.where(np.isfinite(before), weight * np.nan_to_num(before, posinf=0.0), 0.0),
        w_after=np.where(np.isfinite(after), weight, 0.0),
        d_after=np.where(np.isfinite(after), weight * np.nan_to_num(after, posinf=0.0), 0.0),
    )
    sums = frame.groupby("zone_code", as_index=False).sum()
    sums = sums[(sums["w_before"] > 0) | (sums["w_after"] > 0)].reset_index(drop=True)
    return pd.DataFrame(
        {
            "zone_code": sums["zone_code"],
            "mean_before_m": sums["d_before"] / sums["w_before"].where(sums["w_before"] > 0),
            "mean_after_m": sums["d_after"] / sums["w_after"].where(sums["w_after"] > 0),
        }
    )
