"""Point lookup: which buurt and zone a location is in, and the nearest voorziening per category."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geo.coverage.distance import DistanceSource, WalkingDistance
from geo.coverage.figures import beyond
from geo.crs import RD_BOUNDS, lonlat_to_rd
from geo.errors import QueryError
from geo.vocabulary import Vocabulary

if TYPE_CHECKING:  # geo.analysis imports the distance sources this module uses
    from geo.analysis import Analysis


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


@dataclass(frozen=True)
class CategoryTargets:
    """One category's voorzieningen as plain arrays (RD New points, ids, names)."""

    code: str
    threshold_m: float
    #: Row positions in the voorzieningen frame.
    positions: NDArray[np.int64]
    points: NDArray[np.object_]
    ids: NDArray[np.object_]
    names: NDArray[np.object_]


@dataclass(frozen=True)
class LocateIndex:
    """What a point lookup reads, as arrays built once per analysis (:func:`locate_index`):
    a lookup is then a spatial-index query, a snap and a gather per category, with no frame
    filtering or row access per request. Geometry in RD New."""

    buurt_tree: shapely.STRtree
    bu_code: NDArray[np.object_]
    bu_naam: NDArray[np.object_]
    #: None where a buurt lies in no zone.
    zone_code: NDArray[np.object_]
    categories: tuple[CategoryTargets, ...]

    def category(self, code: str) -> CategoryTargets:
        """The targets of category ``code`` (a code of the vocabulary the index was built with)."""
        return next(targets for targets in self.categories if targets.code == code)


def locate_index(
    buurten: gpd.GeoDataFrame, voorzieningen: gpd.GeoDataFrame, vocabulary: Vocabulary
) -> LocateIndex:
    """The arrays :func:`locate` reads, from the buurten and voorzieningen (RD New)."""
    zone_code = buurten["zone_code"].astype(str).to_numpy(dtype=object)
    zone_code[buurten["zone_code"].isna().to_numpy()] = None
    category = voorzieningen["category"].to_numpy(dtype=object)
    ids = voorzieningen["id"].astype(str).to_numpy(dtype=object)
    names = voorzieningen["name"].astype(str).to_numpy(dtype=object)
    points = np.asarray(voorzieningen.geometry.values, dtype=object)

    def targets(code: str) -> CategoryTargets:
        positions = np.flatnonzero(category == code)
        return CategoryTargets(
            code,
            vocabulary[code].threshold_m,
            positions,
            points[positions],
            ids[positions],
            names[positions],
        )

    return LocateIndex(
        buurt_tree=shapely.STRtree(np.asarray(buurten.geometry.values, dtype=object)),
        bu_code=buurten["bu_code"].astype(str).to_numpy(dtype=object),
        bu_naam=buurten["bu_naam"].astype(str).to_numpy(dtype=object),
        zone_code=zone_code,
        categories=tuple(targets(code) for code in vocabulary.codes),
    )


def analysis_index(analysis: Analysis) -> LocateIndex:
    """The :class:`LocateIndex` of an analysis's buurten and voorzieningen, built once per
    analysis (``analysis.derived``) and shared by every lookup and route."""
    dataset = analysis.dataset

    def build() -> LocateIndex:
        return locate_index(dataset.buurten, dataset.voorzieningen, analysis.vocabulary)

    return analysis.derived.get("ask.locate", build)


def locate(lon: float, lat: float, index: LocateIndex, source: DistanceSource) -> Location:
    """Look up a WGS84 lon/lat position; distances are measured in RD New (metres)."""
    point = rd_point(lon, lat)
    inside = index.buurt_tree.query(point, predicate="intersects")
    bu_code = bu_naam = zone_code = None
    in_buurt = len(inside) > 0
    if in_buurt:  # the first buurt on a shared border (as geo.join.buurt_positions)
        position = int(inside.min())
        bu_code, bu_naam = index.bu_code[position], index.bu_naam[position]
        zone_code = index.zone_code[position]
    origins = np.array([point], dtype=object)
    nearest = []
    off_network = False
    for category in index.categories:
        found = source.nearest(origins, category.points)
        off_network = off_network or bool(found.unreachable_origins[0])
        target = int(found.target[0])
        if target < 0:
            nearest.append(NearestVoorziening(category.code, category.threshold_m, *(None,) * 4))
            continue
        nearest.append(
            NearestVoorziening(
                category.code,
                category.threshold_m,
                str(category.ids[target]),
                str(category.names[target]),
                float(found.distance_m[0]),
                int(category.positions[target]),
            )
        )
    note = location_note(lon, lat, source, off_network=off_network, in_buurt=in_buurt)
    return Location(lon, lat, bu_code, bu_naam, zone_code, tuple(nearest), note)
