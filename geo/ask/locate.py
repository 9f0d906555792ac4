"""Point lookup: which buurt and zone a location is in, and the nearest voorziening per category."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.coverage.distance import DistanceSource, WalkingDistance
from geo.coverage.figures import beyond
from geo.crs import RD_BOUNDS, lonlat_to_rd
from geo.errors import QueryError
from geo.join import buurt_positions
from geo.vocabulary import Vocabulary


@dataclass(frozen=True)
class NearestVoorziening:
    """The nearest voorziening of one category; ``distance_m`` in metres."""

    category: str
    threshold_m: float
    id: str | None
    name: str | None
    distance_m: float | None
    position: int | None  # row position in the voorzieningen frame

    @property
    def within_threshold(self) -> bool | None:
        """True when reachable within the category's threshold (not :func:`beyond` it); None
        if none exists."""
        if self.distance_m is None:
            return None
        return not bool(beyond(np.array([self.distance_m]), self.threshold_m)[0])


@dataclass(frozen=True)
class Location:
    """What lies at a point: its buurt and zone (None outside them) and nearby voorzieningen."""

    lon: float
    lat: float
    bu_code: str | None
    bu_naam: str | None
    zone_code: str | None
    nearest: tuple[NearestVoorziening, ...]
    #: Why distances are missing (off the network, lon/lat likely swapped); None when all is well.
    note: str | None = None


def check_lonlat(lon: float, lat: float) -> None:
    """Raise :class:`QueryError` unless lon/lat are finite WGS84 degrees in range."""
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise QueryError(
            f"lon={lon}, lat={lat} is not a WGS84 position (lon −180..180, lat −90..90); "
            "note the order: lon first"
        )


def rd_point(lon: float, lat: float) -> shapely.Point:
    """A checked WGS84 lon/lat position as a point in RD New (metres); raises
    :class:`QueryError` for a position that is not lon/lat in range."""
    check_lonlat(lon, lat)
    x, y = lonlat_to_rd(lon, lat)
    return shapely.Point(float(x), float(y))


def _in_rd_bounds(lon: float, lat: float) -> bool:
    x, y = lonlat_to_rd(lon, lat)
    xmin, ymin, xmax, ymax = RD_BOUNDS
    return bool(xmin <= x <= xmax and ymin <= y <= ymax)


def _looks_swapped(lon: float, lat: float) -> bool:
    """True when (lon, lat) lies outside the Netherlands but (lat, lon) lies inside it."""
    swapped_valid = -180 <= lat <= 180 and -90 <= lon <= 90
    return not _in_rd_bounds(lon, lat) and swapped_valid and _in_rd_bounds(lat, lon)


def location_note(
    lon: float, lat: float, source: DistanceSource, *, off_network: bool, in_buurt: bool
) -> str | None:
    """Why a lookup at WGS84 ``lon``/``lat`` finds no distances or no buurt (None when it does):
    the point lies beyond the walking network's snap limit (metres), or lon/lat look swapped."""
    reasons = []
    if off_network and isinstance(source, WalkingDistance):
        reasons.append(
            f"lon={lon}, lat={lat} lies more than {source.snap_limit_m:.0f} m from every "
            "walkable way of the network, so no walking distance can be measured"
        )
    elif not in_buurt and not _in_rd_bounds(lon, lat):
        reasons.append(f"lon={lon}, lat={lat} lies outside the Netherlands")
    if reasons and _looks_swapped(lon, lat):
        reasons.append(f"lon and lat look swapped: did you mean lon={lat}, lat={lon}?")
    return "; ".join(reasons) or None


def locate(
    lon: float,
    lat: float,
    buurten: gpd.GeoDataFrame,
    voorzieningen: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    source: DistanceSource,
) -> Location:
    """Look up a WGS84 lon/lat position; distances are measured in RD New (metres)."""
    point = rd_point(lon, lat)
    (position,) = buurt_positions(np.array([point], dtype=object), buurten)
    bu_code = bu_naam = zone_code = None
    in_buurt = bool(position >= 0)
    if in_buurt:
        row = buurten.iloc[int(position)]
        bu_code, bu_naam = str(row["bu_code"]), str(row["bu_naam"])
        zone_code = None if pd.isna(row["zone_code"]) else str(row["zone_code"])
    origins = np.array([point], dtype=object)
    nearest = []
    off_network = False
    for category in vocabulary.codes:
        positions = np.flatnonzero((voorzieningen["category"] == category).to_numpy())
        found = source.nearest(
            origins, np.asarray(voorzieningen.geometry.values[positions], dtype=object)
        )
        threshold = vocabulary[category].threshold_m
        off_network = off_network or bool(found.unreachable_origins[0])
        if found.target[0] < 0:
            nearest.append(NearestVoorziening(category, threshold, None, None, None, None))
            continue
        position = int(positions[found.target[0]])
        row = voorzieningen.iloc[position]
        nearest.append(
            NearestVoorziening(
                category,
                threshold,
                str(row["id"]),
                str(row["name"]),
                float(found.distance_m[0]),
                position,
            )
        )
    note = location_note(lon, lat, source, off_network=off_network, in_buurt=in_buurt)
    return Location(lon, lat, bu_code, bu_naam, zone_code, tuple(nearest), note)
