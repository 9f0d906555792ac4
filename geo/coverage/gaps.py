"""Gap polygons: the area where residents beyond a category's threshold live.

Each resident point stands for a *cell* (its grid square clipped to the buurt, or its building's
footprint; see :mod:`geo.coverage.population`). A category's gap in a zone is the union of the cells
of the zone's points that are beyond the threshold (by the coverage's own measure, walking where a
network is loaded) and stand for at least one resident. Buurten outside every zone form their
own group (``zone_code`` missing). Everything in RD New.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.coverage.figures import Coverage, beyond
from geo.vocabulary import Vocabulary

#: Columns of the gap polygons frame (plus ``geometry``).
GAP_COLUMNS = (
    "category",
    "zone_code",
    "threshold_m",
    "residents_beyond",
    "residents_65plus_beyond",
    "source",
)


def gap_polygons(
    points: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    coverage: Coverage,
    vocabulary: Vocabulary,
) -> gpd.GeoDataFrame:
    """One (multi)polygon per category and zone where residents beyond the threshold live."""
    zone_of = buurten.set_index("bu_code")["zone_code"]
    lived_in = points["residents"].to_numpy() > 0
    parts = []
    for category in vocabulary.codes:
        threshold = vocabulary[category].threshold_m
        distance = coverage.point_distances[category].to_numpy()
        far = beyond(distance, threshold) & lived_in
        chosen = points[far]
        parts.append(
            pd.DataFrame(
                {
                    "category": category,
                    "zone_code": chosen["bu_code"].map(zone_of).to_numpy(),
                    "threshold_m": threshold,
                    "residents_beyond": chosen["residents"].to_numpy(),
                    "residents_65plus_beyond": chosen["residents_65plus"].to_numpy(),
                    "geometry": chosen["cell"].to_numpy(),
                }
            )
        )
    cells = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=points.crs)
    if cells.empty:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in GAP_COLUMNS},
            geometry=gpd.GeoSeries([], crs=points.crs),
            crs=points.crs,
        )
    gaps = cells.dissolve(
        by=["category", "zone_code"],
        aggfunc={
            "threshold_m": "first",
            "residents_beyond": "sum",
            "residents_65plus_beyond": "sum",
        },
        dropna=False,
    ).reset_index()
    gaps["source"] = coverage.source
    gaps["zone_code"] = gaps["zone_code"].astype("string")
    order = {code: i for i, code in enumerate(vocabulary.codes)}
    gaps = gaps.assign(_rank=gaps["category"].map(order)).sort_values(
        ["_rank", "zone_code"], na_position="last", kind="stable"
    )
    counts = ["residents_beyond", "residents_65plus_beyond"]
    gaps[counts] = gaps[counts].round(2)
    return gaps[[*GAP_COLUMNS, "geometry"]].reset_index(drop=True)
