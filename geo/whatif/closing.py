"""What closing some voorzieningen does: who loses coverage, where, and how far they walk then.

Frames in (resident points with ``residents``, ``residents_65plus`` and ``bu_code``; buurten
with ``zone_code``), arrays of the solvers in, frames out. Distances are metres (RD New);
shares 0..1. A point *loses coverage* when it is within the norm of a closing voorziening now
and of none that stays open (:func:`geo.whatif.closure.losing_coverage`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.whatif.report import areas_of


@dataclass(frozen=True)
class ClosureImpact:
    """The answer to "what if these voorzieningen close?".

    ``residents_losing`` / ``residents_65plus_losing``: who falls beyond the norm;
    ``by_zone`` / ``by_buurt``: the same per area, with the resident-weighted mean and the
    largest new walking distance (m) and ``residents_unreachable`` (no open voorziening
    reachable at all). ``share_beyond_before`` / ``_after``: residents beyond the norm.
    """

    category: str
    norm_m: float
    closed: tuple[str, ...]
    points_losing: int
    residents_losing: float
    residents_65plus_losing: float
    share_beyond_before: float
    share_beyond_after: float
    by_zone: pd.DataFrame
    by_buurt: pd.DataFrame


def impact_by_area(
    areas: pd.DataFrame,
    keys: list[str],
    weights: tuple[NDArray[np.float64], NDArray[np.float64]],
    losing: NDArray[np.bool_],
    distance_m: NDArray[np.float64],
) -> pd.DataFrame:
    """Per area (``keys`` of ``areas``): residents and 65+ losing coverage, their mean and
    largest new distance (m; over those who can still reach one) and the unreachable."""
    residents, older = weights
    finite = np.isfinite(distance_m)
    frame = areas.assign(
        residents_losing=residents,
        residents_65plus_losing=older,
        weighted=np.where(finite, residents * np.where(finite, distance_m, 0.0), 0.0),
        reachable=np.where(finite, residents, 0.0),
        residents_unreachable=np.where(finite, 0.0, residents),
        max_new_distance_m=np.where(finite, distance_m, np.nan),
    )[losing]
    grouped = frame.groupby(keys, as_index=False).agg(
        residents_losing=("residents_losing", "sum"),
        residents_65plus_losing=("residents_65plus_losing", "sum"),
        weighted=("weighted", "sum"),
        reachable=("reachable", "sum"),
        max_new_distance_m=("max_new_distance_m", "max"),
        residents_unreachable=("residents_unreachable", "sum"),
    )
    reachable = grouped.pop("reachable")
    weighted = grouped.pop("weighted")
    mean = weighted / reachable.where(reachable > 0)
    grouped.insert(len(keys) + 2, "mean_new_distance_m", mean)
    return grouped.sort_values("residents_losing", ascending=False, ignore_index=True)


def closure_impact(
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    covered_now: NDArray[np.bool_],
    losing: NDArray[np.bool_],
    distance_m: NDArray[np.float64],
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[float, float, float]]:
    """The per-zone and per-buurt frames, and (residents losing, 65+ losing, share beyond
    before) — the share after adds the residents losing."""
    residents = points["residents"].to_numpy(dtype=float)
    older = points["residents_65plus"].to_numpy(dtype=float)
    areas = areas_of(points, buurten)
    weights = (residents, older)
    by_zone = impact_by_area(areas, ["zone_code"], weights, losing, distance_m)
    by_buurt = impact_by_area(areas, ["bu_code", "zone_code"], weights, losing, distance_m)
    total = max(float(residents.sum()), 1e-12)
    before = float(residents[~covered_now].sum()) / total
    return by_zone, by_buurt, (float(residents[losing].sum()), float(older[losing].sum()), before)
