"""Where residents are placed inside a buurt, for distance statistics.

CBS publishes residents per buurt, not per address. Two ways to spread them, chosen per buurt:

``buildings``
    Where the OSM extract covers the whole buurt (at least :data:`MIN_EXTRACT_COVER` of its
    area) and holds residential buildings in it, each building gets a share of the buurt's
    residents proportional to its floor area: footprint area (m², RD New) × levels. Tags read:
    ``building`` (residential values in :data:`RESIDENTIAL_BUILDINGS`; ``building=yes`` only
    with an address, ``addr:housenumber``, and without ``amenity``, ``shop`` or ``office``) and
    ``building:levels`` (a number; otherwise :data:`DEFAULT_LEVELS` by type, 2 for houses). A
    building's point lies on its footprint (``point_on_surface``).
``grid``
    Everywhere else the centres of a regular grid (``spacing`` metres, 100 m by default, the
    size of CBS's square statistics) inside the buurt, with equal shares. A buurt too small to
    hold a grid centre gets one point on its surface.

Each point carries its residents and the same share of the buurt's 65+ residents (we assume
65+ residents live spread like everyone else in the buurt), the method used, and a ``cell``:
the area it stands for (its grid square clipped to the buurt, or the building footprint), from
which gap polygons are drawn. Buurten with unknown or zero residents get points with zero
weight, so their distances are still computed (and shown) but count for nobody in the shares.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: Columns of the resident points frame (plus ``geometry`` and the ``cell`` polygons).
RESIDENT_POINT_COLUMNS = ("bu_code", "residents", "residents_65plus", "placement")
#: ``building=*`` values that hold homes.
RESIDENTIAL_BUILDINGS = (
    "house",
    "residential",
    "apartments",
    "detached",
    "semidetached_house",
    "terrace",
    "bungalow",
    "dormitory",
    "farm",
    "houseboat",
    "static_caravan",
)
#: Levels assumed where ``building:levels`` is missing: a Dutch family house has two floors
#: and an attic; a flat without a stated height is taken as four.
DEFAULT_LEVELS: dict[str, float] = {"apartments": 4.0, "dormitory": 4.0, "bungalow": 1.0}
DEFAULT_HOUSE_LEVELS = 2.0
#: Share of a buurt's area the extract must cover before its buildings are used.
MIN_EXTRACT_COVER = 0.95
#: Tags that make a ``building=yes`` something other than homes.
NON_RESIDENTIAL_KEYS = ("amenity", "shop", "office")


def residential_buildings(buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Residential buildings with their floor area (``floor_area_m2`` = footprint × levels).

    ``buildings`` are OSM building polygons in RD New with their tags as columns.
    """
    if buildings.empty or "building" not in buildings:
        return gpd.GeoDataFrame(
            {"floor_area_m2": pd.Series(dtype=float)},
            geometry=gpd.GeoSeries([], crs=buildings.crs),
            crs=buildings.crs,
        )
    kind = buildings["building"].astype("string").fillna("")
    has_address = _column(buildings, "addr:housenumber").notna()
    other_use = pd.concat(
        [_column(buildings, key).notna() for key in NON_RESIDENTIAL_KEYS], axis=1
    ).any(axis=1)
    residential = kind.isin(RESIDENTIAL_BUILDINGS) | ((kind == "yes") & has_address & ~other_use)
    chosen = buildings[residential.to_numpy()]
    stated = pd.to_numeric(_column(chosen, "building:levels"), errors="coerce")
    by_type = chosen["building"].map(DEFAULT_LEVELS).fillna(DEFAULT_HOUSE_LEVELS)
    levels = stated.where(stated > 0, by_type).clip(upper=40)
    return gpd.GeoDataFrame(
        {"floor_area_m2": (chosen.area * levels).to_numpy()},
        geometry=chosen.geometry.to_numpy(),
        crs=buildings.crs,
    )


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def resident_points(
    buurten: gpd.GeoDataFrame,
    *,
    spacing_m: float,
    buildings: gpd.GeoDataFrame | None = None,
    extract_area: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """Weighted points representing the residents of each buurt (RD New).

    Returns one row per point with :data:`RESIDENT_POINT_COLUMNS` and a ``cell``; the weights
    of a buurt sum to its ``residents`` (0 where unknown). ``buildings`` (OSM building polygons
    with tags) and ``extract_area`` (what the extract covers) enable the building method.
    """
    if spacing_m <= 0:
        raise ValueError(f"grid spacing must be > 0 metres, got {spacing_m}")
    from_buildings = _building_points(buurten, buildings, extract_area)
    on_grid = buurten[~buurten["bu_code"].isin(from_buildings["bu_code"])]
    points = pd.concat([from_buildings, _grid_points(on_grid, spacing_m)], ignore_index=True)
    figures = buurten.set_index("bu_code")[["residents", "residents_65plus"]].fillna(0.0)
    share = points["share"] / points.groupby("bu_code")["share"].transform("sum")
    for column in ("residents", "residents_65plus"):
        points[column] = points["bu_code"].map(figures[column]) * share
    frame = gpd.GeoDataFrame(
        points[[*RESIDENT_POINT_COLUMNS, "geometry"]], geometry="geometry", crs=buurten.crs
    )
    frame["cell"] = gpd.GeoSeries(points["cell"].to_numpy(), crs=buurten.crs)
    return frame


def _grid_points(buurten: gpd.GeoDataFrame, spacing_m: float) -> pd.DataFrame:
    """Grid centres inside each buurt (equal shares), or one point for a tiny buurt."""
    if buurten.empty:
        return _empty_points()
    xmin, ymin, xmax, ymax = buurten.total_bounds
    xs = np.arange(np.floor(xmin / spacing_m) * spacing_m + spacing_m / 2, xmax, spacing_m)
    ys = np.arange(np.floor(ymin / spacing_m) * spacing_m + spacing_m / 2, ymax, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    grid = gpd.GeoDataFrame(geometry=shapely.points(gx.ravel(), gy.ravel()), crs=buurten.crs)
    inside = gpd.sjoin(grid, buurten[["bu_code", "geometry"]], predicate="within", how="inner")
    inside = inside[~inside.index.duplicated(keep="first")]
    shape_of = buurten.set_index("bu_code").geometry
    half = spacing_m / 2
    x, y = inside.geometry.x.to_numpy(), inside.geometry.y.to_numpy()
    squares = shapely.box(x - half, y - half, x + half, y + half)
    cells = shapely.intersection(squares, shape_of.loc[inside["bu_code"]].to_numpy())
    tiny = ~buurten["bu_code"].isin(inside["bu_code"])
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "bu_code": inside["bu_code"].to_numpy(),
                    "placement": "grid",
                    "share": 1.0,
                    "geometry": inside.geometry.to_numpy(),
                    "cell": cells,
                }
            ),
            pd.DataFrame(
                {
                    "bu_code": buurten.loc[tiny, "bu_code"].to_numpy(),
                    "placement": "grid",
                    "share": 1.0,
                    "geometry": buurten.geometry[tiny].representative_point().to_numpy(),
                    "cell": buurten.geometry[tiny].to_numpy(),
                }
            ),
        ],
        ignore_index=True,
    )


def _building_points(
    buurten: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    extract_area: shapely.Geometry | None,
) -> pd.DataFrame:
    """One point per residential building, weighted by floor area, in the buurten the extract
    covers fully."""
    if buildings is None or extract_area is None or buurten.empty:
        return _empty_points()
    homes = residential_buildings(buildings)
    homes = homes[homes["floor_area_m2"] > 0]
    covered = shapely.area(shapely.intersection(buurten.geometry.values, extract_area))
    eligible = buurten[covered >= MIN_EXTRACT_COVER * buurten.area.to_numpy()]
    if homes.empty or eligible.empty:
        return _empty_points()
    points = gpd.GeoDataFrame(
        {"floor_area_m2": homes["floor_area_m2"].to_numpy(), "cell": homes.geometry.to_numpy()},
        geometry=shapely.point_on_surface(homes.geometry.to_numpy()),
        crs=homes.crs,
    )
    inside = gpd.sjoin(points, eligible[["bu_code", "geometry"]], predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    return pd.DataFrame(
        {
            "bu_code": inside["bu_code"].to_numpy(),
            "placement": "buildings",
            "share": inside["floor_area_m2"].to_numpy(),
            "geometry": inside.geometry.to_numpy(),
            "cell": inside["cell"].to_numpy(),
        }
    )


def _empty_points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bu_code": pd.Series(dtype="string"),
            "placement": pd.Series(dtype="string"),
            "share": pd.Series(dtype=float),
            "geometry": pd.Series(dtype=object),
            "cell": pd.Series(dtype=object),
        }
    )


def placement_by_buurt(points: gpd.GeoDataFrame) -> pd.Series:
    """The method used per buurt (``buildings`` or ``grid``), indexed by ``bu_code``."""
    return points.groupby("bu_code")["placement"].first()
