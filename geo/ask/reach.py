"""Walking queries on an analysis: the route to the nearest voorziening, and isochrones.

The API (``/route``, ``/isochrone``) and the maps (isochrones of a zone's ontmoetingsplekken
and gezondheidscentra) call these; they take WGS84 lon/lat at the edge, work in RD New and
return RD New geometry (converted for output by the caller).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geo.analysis import Analysis
from geo.ask.filters import check_category
from geo.ask.locate import analysis_index, rd_point
from geo.errors import NotFoundError, QueryError

#: Isochrone cut-offs allowed in a request, minutes.
MAX_MINUTES = 60.0
#: Default cut-offs of isochrones, minutes (5, 10 and 15 minutes' walk).
DEFAULT_MINUTES = (5.0, 10.0, 15.0)


def parse_minutes(text: str) -> tuple[float, ...]:
    """``"5,10,15"`` → ``(5.0, 10.0, 15.0)``; raise :class:`QueryError` unless 1–5 numbers in
    (0, 60] minutes."""
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        values = ()
    if not values or len(values) > 5 or not all(0 < v <= MAX_MINUTES for v in values):
        raise QueryError(
            f"minutes={text!r}: give 1 to 5 walking times in minutes, each above 0 and at most "
            f"{MAX_MINUTES:g}, separated by commas, e.g. minutes=5,10,15"
        )
    return values


@dataclass(frozen=True)
class RouteAnswer:
    """A walk to the nearest voorziening of a category; geometry in RD New, metres."""

    geometry: shapely.LineString
    distance_m: float
    voorziening_id: str
    voorziening_name: str
    #: Row position of the voorziening in the analysis's voorzieningen frame.
    voorziening_position: int
    category: str
    profile: str


def route_to_nearest(
    analysis: Analysis, lon: float, lat: float, category: str, profile: str = "walk"
) -> RouteAnswer:
    """The walking route from a WGS84 point to the nearest voorziening of ``category``.

    Raises :class:`QueryError` for a bad point or category, :class:`NotFoundError` when no
    voorziening of the category can be reached on foot from the point (none exists, or the
    point lies beyond the snap limit), and :class:`~geo.errors.NoNetworkError` without a
    network.
    """
    code = check_category(category, analysis.vocabulary)
    walking = analysis.walking(profile)
    origin = rd_point(lon, lat)
    targets = analysis_index(analysis).category(code)
    if len(targets.positions) == 0:
        raise NotFoundError(f"there is no voorziening of category {code!r} to walk to")
    found = walking.route(origin, targets.points)
    if found is None:
        raise NotFoundError(
            f"no {code} can be reached on foot from lon={lon}, lat={lat}: the point lies more "
            f"than {walking.snap_limit_m:.0f} m from every walkable way, or no {code} is "
            "connected to the network"
        )
    return RouteAnswer(
        found.geometry,
        found.distance_m,
        str(targets.ids[found.target]),
        str(targets.names[found.target]),
        int(targets.positions[found.target]),
        code,
        profile,
    )


def isochrones_at(
    analysis: Analysis,
    lon: float,
    lat: float,
    minutes: tuple[float, ...],
    *,
    speed_m_per_s: float,
    buffer_m: float,
    profile: str = "walk",
) -> gpd.GeoDataFrame:
    """Areas reachable on foot from a WGS84 point within each number of ``minutes``.

    Returns one row per cut-off (``minutes``, ``distance_m``, ``profile``, geometry in RD New).
    Raises :class:`NotFoundError` when the point lies beyond the snap limit.
    """
    walking = analysis.walking(profile)
    origin = rd_point(lon, lat)
    cutoffs = [m * 60.0 * speed_m_per_s for m in minutes]
    polygons = walking.isochrones(origin, cutoffs, buffer_m=buffer_m)
    if polygons is None:
        raise NotFoundError(
            f"lon={lon}, lat={lat} lies more than {walking.snap_limit_m:.0f} m from every "
            "walkable way of the network"
        )
    return gpd.GeoDataFrame(
        {"minutes": list(minutes), "distance_m": cutoffs, "profile": profile},
        geometry=polygons,
        crs=analysis.dataset.buurten.crs,
    )


def voorziening_isochrones(
    analysis: Analysis,
    voorzieningen: gpd.GeoDataFrame,
    minutes: tuple[float, ...],
    *,
    speed_m_per_s: float,
    buffer_m: float,
) -> gpd.GeoDataFrame:
    """Walking isochrones around each given voorziening (RD New), one row per voorziening and
    cut-off, largest first (for drawing). Voorzieningen beyond the snap limit are left out."""
    walking = analysis.walking("walk")
    cutoffs = [m * 60.0 * speed_m_per_s for m in minutes]
    rows = []
    for row in voorzieningen.itertuples():  # one Dijkstra per voorziening (a handful per zone)
        polygons = walking.isochrones(row.geometry, cutoffs, buffer_m=buffer_m)
        if polygons is None:
            continue
        for m, distance, polygon in zip(minutes, cutoffs, polygons, strict=True):
            rows.append(
                {
                    "id": row.id,
                    "name": row.name,
                    "category": row.category,
                    "minutes": m,
                    "distance_m": distance,
                    "geometry": polygon,
                }
            )
    frame = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["id", "name", "category", "minutes", "distance_m", "geometry"]),
        geometry="geometry",
        crs=analysis.dataset.buurten.crs,
    )
    return frame.sort_values("minutes", ascending=False, kind="stable").reset_index(drop=True)
