"""Spatial join: each voorziening to the buurt (and so the zone) it lies in."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd

from geo.errors import DataQualityWarning


def join_voorzieningen(
    voorzieningen: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Add ``bu_code`` and ``zone_code`` to each voorziening (RD New, same index).

    A point on a shared boundary goes to one buurt only (the first in ``buurten`` order).
    Points outside every zone are kept, with missing codes, and reported in a
    :class:`DataQualityWarning`: a supermarket across the municipal border still serves
    residents near it.
    """
    if voorzieningen.crs != buurten.crs:
        raise ValueError(
            f"CRS mismatch: voorzieningen {voorzieningen.crs} vs buurten {buurten.crs}; "
            "reproject both to the working CRS with geo.crs.to_working_crs"
        )
    columns = ["bu_code", "zone_code"]
    joined = gpd.sjoin(
        voorzieningen[["geometry"]],
        buurten[[*columns, "geometry"]],
        how="left",
        predicate="within",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    result = voorzieningen.drop(columns=[c for c in columns if c in voorzieningen], errors="ignore")
    for column in columns:
        result[column] = joined[column].astype("string")
    outside = result["zone_code"].isna()
    if outside.any():
        listing = ", ".join(
            f"{row.id} ({row.name}{'' if pd.isna(row.bu_code) else ', ' + row.bu_code})"
            for row in result[outside].itertuples()
        )
        warnings.warn(
            f"{int(outside.sum())} voorziening(en) outside every woonservicezone, kept for "
            f"distances: {listing}",
            DataQualityWarning,
            stacklevel=2,
        )
    return result
