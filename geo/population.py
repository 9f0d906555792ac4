"""Where residents are placed inside a buurt, for distance statistics.

CBS publishes residents per buurt, not per address. We spread each buurt's residents evenly
over the centres of a regular grid (``spacing`` metres, 100 m by default, the size of CBS's
square statistics) that fall inside the buurt. A buurt too small to hold a grid centre gets one
point on its surface. Each point carries ``residents / n_points`` residents, and the same share
of the buurt's 65+ residents: we assume 65+ residents live spread like everyone else in the
buurt. Buurten with unknown or zero residents get points with zero weight, so their distances
are still computed (and shown) but count for nobody in the shares.

With address data (BAG) or CBS's 100 m squares the same frame could carry real weights; every
later stage only reads the ``weight`` columns.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: Columns of the resident points frame (plus ``geometry``).
RESIDENT_POINT_COLUMNS = ("bu_code", "residents", "residents_65plus")


def resident_points(buurten: gpd.GeoDataFrame, *, spacing_m: float) -> gpd.GeoDataFrame:
    """Weighted points representing the residents of each buurt (RD New).

    Returns one row per point with ``bu_code`` and the residents (and 65+) it stands for; the
    weights of a buurt sum to its ``residents`` (0 where unknown).
    """
    if spacing_m <= 0:
        raise ValueError(f"grid spacing must be > 0 metres, got {spacing_m}")
    xmin, ymin, xmax, ymax = buurten.total_bounds
    xs = np.arange(np.floor(xmin / spacing_m) * spacing_m + spacing_m / 2, xmax, spacing_m)
    ys = np.arange(np.floor(ymin / spacing_m) * spacing_m + spacing_m / 2, ymax, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    grid = gpd.GeoDataFrame(geometry=shapely.points(gx.ravel(), gy.ravel()), crs=buurten.crs)
    inside = gpd.sjoin(grid, buurten[["bu_code", "geometry"]], predicate="within", how="inner")
    inside = inside[~inside.index.duplicated(keep="first")][["bu_code", "geometry"]]
    empty = ~buurten["bu_code"].isin(inside["bu_code"])
    fallback = gpd.GeoDataFrame(
        {"bu_code": buurten.loc[empty, "bu_code"].to_numpy()},
        geometry=buurten.geometry[empty].representative_point().to_numpy(),
        crs=buurten.crs,
    )
    points = pd.concat([inside, fallback], ignore_index=True)
    counts = points["bu_code"].map(points["bu_code"].value_counts())
    figures = buurten.set_index("bu_code")[["residents", "residents_65plus"]].fillna(0.0)
    for column in ("residents", "residents_65plus"):
        points[column] = points["bu_code"].map(figures[column]) / counts
    return gpd.GeoDataFrame(points[[*RESIDENT_POINT_COLUMNS, "geometry"]], crs=buurten.crs)
