"""Coverage: how many residents (and 65+) live further than a category's threshold.

For every resident point (see :mod:`geo.population`) and every category, the distance to the
nearest voorziening of that category comes from a :class:`~geo.distance.DistanceSource`. All
voorzieningen count, including those outside the zones or across the municipal border. A
resident point is *beyond* when that distance exceeds the category's threshold (metres). Per
buurt and per zone we report the residents beyond and their share, and the resident-weighted
mean distance.

Where a category has no voorziening at all, distances are missing (``NaN``) and every resident
is beyond.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.distance import DistanceSource
from geo.vocabulary import Vocabulary

#: Figures per (area, category). ``share_*`` are fractions 0..1 of the area's residents.
FIGURE_COLUMNS = (
    "threshold_m",
    "residents",
    "residents_65plus",
    "residents_beyond",
    "residents_65plus_beyond",
    "share_beyond",
    "share_65plus_beyond",
    "mean_distance_m",
    "max_distance_m",
)

#: Resident counts are sums of fractional point weights; rounded to this many decimals.
COUNT_DECIMALS = 2


@dataclass(frozen=True)
class Coverage:
    """Coverage figures, long format: one row per area and category.

    ``buurten`` is keyed by ``bu_code`` and ``zone_code`` (missing for buurten in no zone),
    ``zones`` by ``zone_code``, ``gemeente`` holds one row per category over all zoned buurten.
    ``source`` names the distance source (``straight_line``, ``walking``).
    """

    source: str
    buurten: pd.DataFrame
    zones: pd.DataFrame
    gemeente: pd.DataFrame

    def for_zone(self, zone_code: str) -> pd.DataFrame:
        """The zone's rows, one per category, in vocabulary order."""
        return self.zones[self.zones["zone_code"] == zone_code].reset_index(drop=True)


def point_distances(
    points: gpd.GeoDataFrame,
    voorzieningen: gpd.GeoDataFrame,
    categories: tuple[str, ...],
    source: DistanceSource,
) -> pd.DataFrame:
    """Distance in metres from each resident point to the nearest voorziening per category.

    One column per category, aligned with ``points``; NaN where a category has no voorziening.
    """
    origins = np.asarray(points.geometry.values, dtype=object)
    columns = {}
    for category in categories:
        targets = voorzieningen.geometry[voorzieningen["category"] == category]
        nearest = source.nearest(origins, np.asarray(targets.values, dtype=object))
        columns[category] = np.where(np.isfinite(nearest.distance_m), nearest.distance_m, np.nan)
    return pd.DataFrame(columns, index=points.index)


def compute_coverage(
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    voorzieningen: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    source: DistanceSource,
) -> Coverage:
    """Coverage per buurt, zone and gemeente for every category of ``vocabulary``.

    ``points`` are resident points with ``bu_code``, ``residents``, ``residents_65plus``;
    ``buurten`` must carry ``zone_code``. Thresholds come from the vocabulary (metres).
    """
    distances = point_distances(points, voorzieningen, vocabulary.codes, source)
    zone_of = buurten.set_index("bu_code")["zone_code"]
    frames = []
    for category in vocabulary.codes:
        threshold = vocabulary[category].threshold_m
        d = distances[category]
        beyond = d.isna() | (d > threshold)
        frames.append(
            pd.DataFrame(
                {
                    "bu_code": points["bu_code"].to_numpy(),
                    "category": category,
                    "threshold_m": threshold,
                    "residents": points["residents"].to_numpy(),
                    "residents_65plus": points["residents_65plus"].to_numpy(),
                    "residents_beyond": np.where(beyond, points["residents"], 0.0),
                    "residents_65plus_beyond": np.where(beyond, points["residents_65plus"], 0.0),
                    "weighted_distance": d.to_numpy() * points["residents"].to_numpy(),
                    "distance": d.to_numpy(),
                }
            )
        )
    long = pd.concat(frames, ignore_index=True)
    long["zone_code"] = long["bu_code"].map(zone_of)
    per_buurt = _aggregate(long, ["bu_code", "category"])
    per_buurt.insert(1, "zone_code", per_buurt["bu_code"].map(zone_of))
    zoned = long.dropna(subset=["zone_code"])
    per_zone = _aggregate(zoned, ["zone_code", "category"])
    gemeente = _aggregate(zoned, ["category"])
    order = {code: i for i, code in enumerate(vocabulary.codes)}
    return Coverage(
        source=source.name,
        buurten=_sorted(per_buurt, ["bu_code"], order),
        zones=_sorted(per_zone, ["zone_code"], order),
        gemeente=_sorted(gemeente, [], order),
    )


def _aggregate(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = long.groupby(keys, sort=False)
    sums = grouped[
        [
            "residents",
            "residents_65plus",
            "residents_beyond",
            "residents_65plus_beyond",
            "weighted_distance",
        ]
    ].sum()
    figures = pd.DataFrame(
        {
            "threshold_m": grouped["threshold_m"].first(),
            "residents": sums["residents"],
            "residents_65plus": sums["residents_65plus"],
            "residents_beyond": sums["residents_beyond"],
            "residents_65plus_beyond": sums["residents_65plus_beyond"],
            "share_beyond": _share(sums["residents_beyond"], sums["residents"]),
            "share_65plus_beyond": _share(
                sums["residents_65plus_beyond"], sums["residents_65plus"]
            ),
            # Resident-weighted mean; for areas without residents, the plain mean over points.
            "mean_distance_m": (sums["weighted_distance"] / sums["residents"]).where(
                sums["residents"] > 0, grouped["distance"].mean()
            ),
            "max_distance_m": grouped["distance"].max(),
        }
    )
    # A mean over partly missing distances would understate them: leave it missing.
    unreachable = long["distance"].isna().groupby([long[k] for k in keys], sort=False).any()
    figures["mean_distance_m"] = figures["mean_distance_m"].mask(unreachable)
    # Point weights are fractions of a buurt's residents; drop the float noise of their sums.
    counts = ["residents", "residents_65plus", "residents_beyond", "residents_65plus_beyond"]
    figures[counts] = figures[counts].round(COUNT_DECIMALS)
    return figures.reset_index()


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole).where(whole > 0)


def _sorted(frame: pd.DataFrame, keys: list[str], order: dict[str, int]) -> pd.DataFrame:
    rank = frame["category"].map(order)
    frame = frame.assign(_rank=rank).sort_values([*keys, "_rank"], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True)
