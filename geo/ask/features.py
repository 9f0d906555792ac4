"""Feature selection for feature services: a bbox in WGS84 or RD New, equality filters, pages.

Used by the OGC API – Features endpoints; independent of HTTP. Selections are positions into a
layer frame (see :mod:`geo.ask.export`), so the same selection can be taken from the frame in
another CRS (the frames of one layer share their row order).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geo.ask.export import ExportCrs
from geo.ask.filters import parse_bbox
from geo.errors import QueryError

#: Largest page a client may ask for (OGC API – Features' usual maximum).
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in ``crs``: x (lon or RD x) and y (lat or RD y) bounds."""

    min_x: float
    min_y: float
    max_x: float
    max_y: float
    crs: ExportCrs

    def polygon(self) -> shapely.Polygon:
        """The box as a polygon, in the box's CRS."""
        return shapely.box(self.min_x, self.min_y, self.max_x, self.max_y)


def parse_box(text: str, *, crs: ExportCrs = "EPSG:4326") -> Box:
    """Parse an OGC ``bbox``: 4 numbers (or 6, with heights, which are ignored).

    In ``EPSG:4326`` the order is min lon, min lat, max lon, max lat (degrees, CRS84 order); in
    ``EPSG:28992`` min x, min y, max x, max y (metres). Raises :class:`QueryError` if malformed.
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 6:
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if crs == "EPSG:4326":
        box = parse_bbox(",".join(parts))
        if [box.min_lon, box.min_lat, box.max_lon, box.max_lat] != [float(p) for p in parts]:
            # OGC API: the lower left corner first (a larger first longitude would be a box
            # across the antimeridian, which holds nothing of the Netherlands).
            raise QueryError(f"bbox={text!r}: the minimum must come before the maximum")
        return Box(box.min_lon, box.min_lat, box.max_lon, box.max_lat, crs)
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise QueryError(
            f"bbox={text!r}: expected four numbers minx,miny,maxx,maxy in RD New metres "
            "(bbox-crs EPSG:28992), e.g. bbox=130000,445000,140000,455000"
        )
    if values[0] > values[2] or values[1] > values[3]:
        raise QueryError(f"bbox={text!r}: the minimum must come before the maximum")
    return Box(values[0], values[1], values[2], values[3], crs)


def select(
    frame: gpd.GeoDataFrame,
    *,
    box: Box | None = None,
    equals: Mapping[str, str] | None = None,
) -> NDArray[np.intp]:
    """Sorted positions of the rows that intersect ``box`` and whose columns equal ``equals``.

    ``frame`` must be in the box's CRS. Values compare as text; missing values never match.
    """
    keep = np.ones(len(frame), dtype=bool)
    for column, value in (equals or {}).items():
        keep &= (frame[column].astype("string") == value).fillna(False).to_numpy(dtype=bool)
    if box is not None:
        hits = frame.sindex.query(box.polygon(), predicate="intersects")
        inside = np.zeros(len(frame), dtype=bool)
        inside[hits] = True
        keep &= inside
    return np.flatnonzero(keep)


def check_page(limit: int, offset: int) -> None:
    """Raise :class:`QueryError` unless ``1 <= limit <= MAX_LIMIT`` and ``offset >= 0``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit={limit}: give a number from 1 to {MAX_LIMIT}")
    if offset < 0:
        raise QueryError(f"offset={offset}: give a number of 0 or more")


def page(positions: NDArray[np.intp], *, limit: int, offset: int) -> NDArray[np.intp]:
    """The ``limit`` positions starting at ``offset`` (fewer at the end)."""
    check_page(limit, offset)
    return positions[offset : offset + limit]


def extent(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """Bounds (min x, min y, max x, max y) of ``frame`` in its CRS; None when it is empty."""
    if frame.empty:
        return None
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    return minx, miny, maxx, maxy
