"""Coverage: how many residents (and 65+) live further than a category's threshold.

For every resident point (see :mod:`geo.coverage.population`) and every category, the distance to
the nearest voorziening of that category comes from a
:class:`~geo.coverage.distance.DistanceSource`: by
walking over the street network where one is loaded, else in a straight line. All
voorzieningen count, including those outside the zones or across the municipal border. A
resident point is *beyond* when that distance exceeds the category's threshold (metres), when
the category has no voorziening at all, or when the point lies beyond the network's snap limit
(counted separately as ``residents_off_network``). Per buurt, zone and gemeente we report the
residents beyond and their share, and the resident-weighted mean (over the residents who have
a distance) and the max distance.

With a second source to compare (straight lines beside walking) every row also carries the
compared figures (``*_straight``) and the **detour factor**: mean walking distance ÷ mean
straight-line distance. Buurt rows carry CBS's own distance where the buurten have it
(``cbs_distance_m``: CBS nabijheid, over roads from every address; a different measure).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.coverage.distance import DistanceSource, nearest_of_each
from geo.coverage.population import placement_by_buurt
from geo.read.cbs import distance_column
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
    "residents_off_network",
)
#: Figures of the compared source (straight lines), when there is one.
COMPARED_COLUMNS = (
    "residents_beyond_straight",
    "share_beyond_straight",
    "mean_distance_straight_m",
    "detour_factor",
)

#: Resident counts are sums of fractional point weights; rounded to this many decimals.
COUNT_DECIMALS = 2
_SUMMED = (
    "residents",
    "residents_65plus",
    "residents_beyond",
    "residents_65plus_beyond",
    "weighted_distance",
    "residents_off_network",
    "residents_beyond_straight",
    "weighted_straight",
    "measured",
    "measured_straight",
)


@dataclass(frozen=True)
class Coverage:
    """Coverage figures, long format: one row per area and category.

    ``buurten`` is keyed by ``bu_code`` and ``zone_code`` (missing for buurten in no zone) and
    says how residents were placed (``placement``) and CBS's distance where known;
    ``zones`` is keyed by ``zone_code``; ``gemeente`` holds one row per category over all zoned
    buurten. ``source`` names the distance source (``walking``, ``straight_line``) and
    ``compared`` the one beside it, if any. ``point_distances`` holds each resident point's
    distance per category (metres, NaN where none), for gap polygons.
    """

    source: str
    buurten: pd.DataFrame
    zones: pd.DataFrame
    gemeente: pd.DataFrame
    point_distances: pd.DataFrame
    compared: str | None = None

    def for_zone(self, zone_code: str) -> pd.DataFrame:
        """The zone's rows, one per category, in vocabulary order."""
        return self.zones[self.zones["zone_code"] == zone_code].reset_index(drop=True)


def point_distances(
    points: gpd.GeoDataFrame,
    voorzieningen: gpd.GeoDataFrame,
    categories: tuple[str, ...],
    source: DistanceSource,
) -> tuple[pd.DataFrame, pd.Series]:
    """Distance in metres from each resident point to the nearest voorziening per category,
    and which points lie off the network (beyond the snap limit; never for straight lines).

    One column per category, aligned with ``points``; NaN where a category has no voorziening
    or the point cannot reach one.
    """
    origins = np.asarray(points.geometry.values, dtype=object)
    target_sets = [
        np.asarray(voorzieningen.geometry[voorzieningen["category"] == c].values, dtype=object)
        for c in categories
    ]
    distance, off_network = nearest_of_each(source, origins, target_sets)
    columns = {
        category: np.where(np.isfinite(distance[:, k]), distance[:, k], np.nan)
        for k, category in enumerate(categories)
    }
    return pd.DataFrame(columns, index=points.index), pd.Series(off_network, index=points.index)


def compute_coverage(
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    voorzieningen: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    source: DistanceSource,
    *,
    compare: DistanceSource | None = None,
) -> Coverage:
    """Coverage per buurt, zone and gemeente for every category of ``vocabulary``.

    ``points`` are resident points with ``bu_code``, ``residents``, ``residents_65plus``,
    ``placement``; ``buurten`` must carry ``zone_code``. Thresholds come from the vocabulary
    (metres). With ``compare``, its figures are added beside (see :data:`COMPARED_COLUMNS`).
    """
    return compute_coverages(points, buurten, voorzieningen, vocabulary, source, compare)[0]


def compute_coverages(
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    voorzieningen: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    source: DistanceSource,
    compare: DistanceSource | None = None,
) -> tuple[Coverage, Coverage | None]:
    """The coverage by ``source`` (with ``compare``'s figures beside it) and the coverage by
    ``compare`` on its own, each source measured once."""
    distances, off_network = point_distances(points, voorzieningen, vocabulary.codes, source)
    if compare is None:
        return _summarise(points, buurten, vocabulary, distances, off_network, source.name), None
    compared, compared_off = point_distances(points, voorzieningen, vocabulary.codes, compare)
    return (
        _summarise(
            points,
            buurten,
            vocabulary,
            distances,
            off_network,
            source.name,
            compared=compared,
            compared_name=compare.name,
        ),
        _summarise(points, buurten, vocabulary, compared, compared_off, compare.name),
    )


def beyond(distance_m: NDArray[np.float64], threshold_m: float) -> NDArray[np.bool_]:
    """The one rule: a resident point is *beyond* a norm when its nearest voorziening is
    further than ``threshold_m`` metres, or when it has none it can reach (NaN).

    >>> beyond(np.array([300.0, 500.0, 501.0, np.nan]), 500.0).tolist()
    [False, False, True, True]
    """
    result: NDArray[np.bool_] = np.isnan(distance_m) | (distance_m > threshold_m)
    return result


def _summarise(
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    distances: pd.DataFrame,
    off_network: pd.Series,
    name: str,
    *,
    compared: pd.DataFrame | None = None,
    compared_name: str | None = None,
) -> Coverage:
    """Coverage figures from per-point distances (one column per category, metres)."""
    zone_of = buurten.set_index("bu_code")["zone_code"]
    frames = [
        _point_rows(
            points, category, vocabulary[category].threshold_m, distances, off_network, compared
        )
        for category in vocabulary.codes
    ]
    long = pd.concat(frames, ignore_index=True)
    long["zone_code"] = long["bu_code"].map(zone_of)
    per_buurt = _aggregate(long, ["bu_code", "category"], compared is not None)
    per_buurt.insert(1, "zone_code", per_buurt["bu_code"].map(zone_of))
    per_buurt["placement"] = per_buurt["bu_code"].map(placement_by_buurt(points))
    per_buurt["cbs_distance_m"] = _cbs_distances(per_buurt, buurten)
    zoned = long.dropna(subset=["zone_code"])
    per_zone = _aggregate(zoned, ["zone_code", "category"], compared is not None)
    gemeente = _aggregate(zoned, ["category"], compared is not None)
    order = {code: i for i, code in enumerate(vocabulary.codes)}
    return Coverage(
        source=name,
        buurten=_sorted(per_buurt, ["bu_code"], order),
        zones=_sorted(per_zone, ["zone_code"], order),
        gemeente=_sorted(gemeente, [], order),
        point_distances=distances,
        compared=compared_name,
    )


def _point_rows(
    points: gpd.GeoDataFrame,
    category: str,
    threshold: float,
    distances: pd.DataFrame,
    off_network: pd.Series,
    compared: pd.DataFrame | None,
) -> pd.DataFrame:
    """One row per resident point for ``category``: its weights beyond the norm and its
    weighted distances (by the source, and by the compared one where given), to be summed."""
    residents = points["residents"].to_numpy()
    residents_65 = points["residents_65plus"].to_numpy()
    d = distances[category].to_numpy()
    far = beyond(d, threshold)
    straight = compared[category].to_numpy() if compared is not None else np.full_like(d, np.nan)
    return pd.DataFrame(
        {
            "bu_code": points["bu_code"].to_numpy(),
            "category": category,
            "threshold_m": threshold,
            "residents": residents,
            "residents_65plus": residents_65,
            "residents_beyond": np.where(far, residents, 0.0),
            "residents_65plus_beyond": np.where(far, residents_65, 0.0),
            "weighted_distance": d * residents,
            "measured": np.where(np.isnan(d), 0.0, residents),
            "distance": d,
            "residents_off_network": np.where(off_network, residents, 0.0),
            "residents_beyond_straight": np.where(beyond(straight, threshold), residents, 0.0),
            "weighted_straight": straight * residents,
            "measured_straight": np.where(np.isnan(straight), 0.0, residents),
            "straight": straight,
        }
    )


def _cbs_distances(rows: pd.DataFrame, buurten: gpd.GeoDataFrame) -> pd.Series:
    """CBS's own distance (metres) for each (buurt, category) row where the buurten carry it."""
    by_code = buurten.set_index("bu_code")
    values = pd.Series(np.nan, index=rows.index)
    for category in rows["category"].unique():
        column = distance_column(str(category))
        if column in by_code:
            rows_of = rows["category"] == category
            values[rows_of] = rows.loc[rows_of, "bu_code"].map(by_code[column]) * 1000.0
    return values


def _aggregate(long: pd.DataFrame, keys: list[str], with_compared: bool) -> pd.DataFrame:
    grouped = long.groupby(keys, sort=False)
    sums = grouped[list(_SUMMED)].sum()
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
            "mean_distance_m": _mean(
                sums["weighted_distance"], sums["measured"], grouped, "distance"
            ),
            "max_distance_m": grouped["distance"].max(),
            "residents_off_network": sums["residents_off_network"],
        }
    )
    counts = ["residents", "residents_65plus", "residents_beyond", "residents_65plus_beyond"]
    counts.append("residents_off_network")
    if with_compared:
        straight = _mean(sums["weighted_straight"], sums["measured_straight"], grouped, "straight")
        figures["residents_beyond_straight"] = sums["residents_beyond_straight"]
        figures["share_beyond_straight"] = _share(
            sums["residents_beyond_straight"], sums["residents"]
        )
        figures["mean_distance_straight_m"] = straight
        figures["detour_factor"] = figures["mean_distance_m"] / straight.where(straight > 0)
        counts.append("residents_beyond_straight")
    # Point weights are fractions of a buurt's residents; drop the float noise of their sums.
    figures[counts] = figures[counts].round(COUNT_DECIMALS)
    return figures.reset_index()


def _mean(
    weighted: pd.Series, measured: pd.Series, grouped: pd.api.typing.DataFrameGroupBy, column: str
) -> pd.Series:
    """Mean over the residents with a distance, weighted by residents; where none of them has
    weight, the plain mean over points; missing where no point has a distance (no
    voorziening of the category, or none reachable)."""
    return (weighted / measured).where(measured > 0, grouped[column].mean())


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole).where(whole > 0)


def _sorted(frame: pd.DataFrame, keys: list[str], order: dict[str, int]) -> pd.DataFrame:
    rank = frame["category"].map(order)
    frame = frame.assign(_rank=rank).sort_values([*keys, "_rank"], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True)
