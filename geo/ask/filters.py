"""Queries the API and the CLI answer from an analysis: bbox parsing and voorzieningen filters.

These validate their parameters and raise :class:`~geo.errors.QueryError` (bad value) or
:class:`~geo.errors.NotFoundError` (unknown zone) with the accepted values in the message.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.ask.locate import check_lonlat
from geo.errors import NotFoundError, QueryError
from geo.vocabulary import Vocabulary


@dataclass(frozen=True)
class BBox:
    """A WGS84 box in degrees: min lon, min lat, max lon, max lat (RFC 7946 order)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def parse_bbox(text: str) -> BBox:
    """Parse ``"minlon,minlat,maxlon,maxlat"`` (corners in either order); raise
    :class:`QueryError` if malformed.

    >>> parse_bbox("5.13,52.05,5.05,52.00")
    BBox(min_lon=5.05, min_lat=52.0, max_lon=5.13, max_lat=52.05)
    """
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4:
        raise QueryError(
            f"bbox={text!r}: expected four numbers minlon,minlat,maxlon,maxlat in WGS84 degrees, "
            "e.g. bbox=5.05,52.00,5.13,52.05"
        )
    check_lonlat(values[0], values[1])
    check_lonlat(values[2], values[3])
    lon, lat = sorted(values[0::2]), sorted(values[1::2])
    return BBox(lon[0], lat[0], lon[1], lat[1])


def check_category(category: str, vocabulary: Vocabulary) -> str:
    """Return the code for ``category`` (code or alias); raise :class:`NotFoundError` (there
    is no such category, as there is no such zone) listing the known ones."""
    code = vocabulary.resolve(category)
    if code is None:
        raise NotFoundError(
            f"unknown category {category!r}; known: {', '.join(vocabulary.codes)} (or their "
            "aliases, see /categories)"
        )
    return code


def check_zone(zone_code: str, zones: gpd.GeoDataFrame) -> str:
    """Return ``zone_code`` if it is a stored zone; raise :class:`NotFoundError` listing them."""
    if zone_code not in set(zones["zone_code"]):
        known = ", ".join(zones["zone_code"]) or "none defined yet"
        raise NotFoundError(f"no woonservicezone {zone_code!r}; known zones: {known}")
    return zone_code


def filter_voorzieningen(
    voorzieningen: gpd.GeoDataFrame,
    *,
    category: str | None = None,
    zone_code: str | None = None,
    bbox: BBox | None = None,
) -> gpd.GeoDataFrame:
    """Voorzieningen of a category, in a zone, and inside a bbox (all optional, combined).

    ``bbox`` applies to a frame in WGS84 (:func:`geo.crs.to_edge_crs`); codes are not checked
    here (see :func:`check_category`, :func:`check_zone`).
    """
    keep = voorzieningen["category"].notna()
    if category is not None:
        keep &= voorzieningen["category"] == category
    if zone_code is not None:
        keep &= (voorzieningen["zone_code"] == zone_code).fillna(False)
    if bbox is not None:
        x, y = voorzieningen.geometry.x, voorzieningen.geometry.y
        keep &= x.between(bbox.min_lon, bbox.max_lon) & y.between(bbox.min_lat, bbox.max_lat)
    return voorzieningen[keep.astype(bool)]
