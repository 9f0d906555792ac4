"""Spatial join: which buurt (and so which zone) each point lies in — the one rule for it.

A point inside a buurt belongs to it; a point on a border shared by two buurten (or where
buurten overlap) to the first of them in the buurten' order. Voorzieningen, looked-up
locations and addresses all take their buurt this way.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.errors import CrsError, DataQualityWarning


def buurt_positions(points: NDArray[np.object_], buurten: gpd.GeoDataFrame) -> NDArray[np.int64]:
    """For each point (RD New), the position in ``buurten`` of the buurt it lies in: the
    first one on a shared border, -1 outside every buurt.

    >>> import shapely
    >>> squares = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> points = np.array([shapely.Point(0.5, 0.5), shapely.Point(1, 0.5), shapely.Point(5, 5)])
    >>> buurt_positions(points, squares).tolist()
    [0, 0, -1]
    """
    found = np.full(len(points), -1, dtype=np.int64)
    if len(points) == 0 or buurten.empty:
        return found
    point_index, buurt_index = buurten.sindex.query(points, predicate="intersects")
    first = pd.Series(buurt_index).groupby(point_index).min()
    found[first.index.to_numpy()] = first.to_numpy()
    return found


def join_voorzieningen(
    voorzieningen: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Add ``bu_code`` and ``zone_code`` to each voorziening (RD New, same index).

    Points outside every zone are kept, with missing codes, and reported in a
    :class:`DataQualityWarning`: a supermarket across the municipal border still serves
    residents near it. Raises :class:`~geo.errors.CrsError` when the two CRSs differ.
    """
    if voorzieningen.crs != buurten.crs:
        raise CrsError(
            f"CRS mismatch: voorzieningen {voorzieningen.crs} vs buurten {buurten.crs}; "
            "reproject both to the working CRS with geo.crs.to_working_crs"
        )
    positions = buurt_positions(np.asarray(voorzieningen.geometry.values, dtype=object), buurten)
    result = voorzieningen.drop(columns=["bu_code", "zone_code"], errors="ignore")
    for column in ("bu_code", "zone_code"):
        values = buurten[column].astype("string").to_numpy()[np.maximum(positions, 0)]
        codes = pd.Series(values, index=result.index, dtype="string")
        result[column] = codes.where(positions >= 0, pd.NA)
    _warn_outside(result)
    return result


def _warn_outside(voorzieningen: gpd.GeoDataFrame) -> None:
    outside = voorzieningen["zone_code"].isna()
    if not outside.any():
        return
    listing = ", ".join(
        f"{row.id} ({row.name}{'' if pd.isna(row.bu_code) else ', ' + row.bu_code})"
        for row in voorzieningen[outside].itertuples()
    )
    warnings.warn(
        f"{int(outside.sum())} voorziening(en) outside every woonservicezone, kept for "
        f"distances: {listing}",
        DataQualityWarning,
        stacklevel=3,
    )
