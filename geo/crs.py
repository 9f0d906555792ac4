"""Coordinate reference systems: RD New inside, WGS84 (lon/lat) at the edges.

Every distance and area is computed in :data:`WORKING_CRS` (EPSG:28992, metres). Data comes in
and goes out in :data:`EDGE_CRS` (EPSG:4326 with lon/lat axis order, as RFC 7946 and Leaflet
want it). Conversion happens once, at the boundary, through the functions here.
"""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from geo.errors import CrsError

WORKING_CRS = CRS.from_epsg(28992)
EDGE_CRS = CRS.from_epsg(4326)

#: Generous bounds of the Netherlands in EPSG:28992 (metres): European part plus margin.
RD_BOUNDS = (-10_000.0, 290_000.0, 300_000.0, 630_000.0)


def parse_crs(value: str | int | CRS, *, where: str = "input") -> CRS:
    """Parse a user-given CRS (``"EPSG:28992"``, ``28992``, WKT) or raise :class:`CrsError`."""
    try:
        return CRS.from_user_input(value)
    except PyprojCRSError as exc:
        raise CrsError(
            f"{where}: unknown coordinate reference system {value!r}; "
            "give an EPSG code such as EPSG:28992 (RD New) or EPSG:4326 (WGS84 lon/lat)"
        ) from exc


def require_metric_projected(crs: CRS) -> CRS:
    """Return ``crs`` if it is projected with metre units, else raise :class:`CrsError`."""
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or units != {"metre"}:
        raise CrsError(
            f"working CRS {crs.to_string()} must be projected in metres "
            "(distances and areas are computed in it); use EPSG:28992 (RD New)"
        )
    return crs


@cache
def _transformer(source: str, target: str) -> Transformer:
    """The transformer between two CRSs named by code (cached by the codes: hashing a CRS
    object writes its WKT, which cost more than transforming one point)."""
    return Transformer.from_crs(source, target, always_xy=True)


_EDGE, _WORKING = EDGE_CRS.to_string(), WORKING_CRS.to_string()


def lonlat_to_rd(
    lon: NDArray[np.float64] | float, lat: NDArray[np.float64] | float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert WGS84 lon/lat (degrees) to RD New x/y (metres); vectorised."""
    x, y = _transformer(_EDGE, _WORKING).transform(np.asarray(lon), np.asarray(lat))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def rd_to_lonlat(
    x: NDArray[np.float64] | float, y: NDArray[np.float64] | float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert RD New x/y (metres) to WGS84 lon/lat (degrees); vectorised."""
    lon, lat = _transformer(_WORKING, _EDGE).transform(np.asarray(x), np.asarray(y))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def to_working_crs(frame: gpd.GeoDataFrame, *, where: str) -> gpd.GeoDataFrame:
    """Reproject ``frame`` to RD New and check that it lands in the Netherlands.

    Raises :class:`CrsError` when the frame has no CRS, or when its coordinates, once in RD New,
    lie outside the Netherlands: the usual sign of swapped lon/lat or a wrongly stated CRS.
    """
    if frame.crs is None:
        raise CrsError(
            f"{where}: the file states no coordinate reference system; "
            "state it (e.g. --crs EPSG:28992 for RD New, EPSG:4326 for lon/lat)"
        )
    projected = frame.to_crs(WORKING_CRS)
    check_in_netherlands(projected, where=where, source_crs=frame.crs)
    return projected


def check_in_netherlands(frame: gpd.GeoDataFrame, *, where: str, source_crs: CRS) -> None:
    """Raise :class:`CrsError` if any geometry of an RD New frame lies outside the Netherlands."""
    if frame.empty:
        return
    bounds = frame.geometry.bounds
    xmin, ymin, xmax, ymax = RD_BOUNDS
    outside = (
        (bounds["minx"] < xmin)
        | (bounds["maxx"] > xmax)
        | (bounds["miny"] < ymin)
        | (bounds["maxy"] > ymax)
        | bounds.isna().any(axis=1)
    )
    if outside.any():
        rows = ", ".join(str(i) for i in frame.index[outside][:10])
        raise CrsError(
            f"{where}: {int(outside.sum())} feature(s) (rows {rows}) lie outside the Netherlands "
            f"when read as {CRS.from_user_input(source_crs).to_string()}; are lon/lat swapped "
            "or is the stated CRS wrong?"
        )


#: Decimals of lon/lat written at the edge: 6 decimals ≈ 0.1 m (RFC 7946 advises ≤ 7).
EDGE_DECIMALS = 6


def geometry_to_edge(
    geometry: shapely.Geometry, *, decimals: int = EDGE_DECIMALS
) -> shapely.Geometry:
    """One RD New geometry as WGS84 lon/lat, rounded as :func:`to_edge_crs` rounds a frame's
    (the same coordinates, without building a frame for it: per-request answers)."""

    def project(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = rd_to_lonlat(xy[:, 0], xy[:, 1])
        lonlat: NDArray[np.float64] = np.column_stack([lon, lat])
        return np.round(lonlat, decimals)

    return shapely.transform(geometry, project)


def to_edge_crs(frame: gpd.GeoDataFrame, *, decimals: int = EDGE_DECIMALS) -> gpd.GeoDataFrame:
    """Reproject a working-CRS frame to WGS84 lon/lat for GeoJSON output and Leaflet.

    Coordinates are rounded to ``decimals`` (vectorised), which keeps pages and responses small.
    """
    projected = frame.to_crs(EDGE_CRS)
    rounded = shapely.transform(
        np.asarray(projected.geometry.values, dtype=object), lambda xy: np.round(xy, decimals)
    )
    return projected.set_geometry(gpd.GeoSeries(rounded, index=projected.index, crs=EDGE_CRS))
