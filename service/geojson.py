"""GeoDataFrame (already WGS84) → GeoJSON bodies and responses."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
from fastapi.responses import JSONResponse

GEOJSON_MEDIA_TYPE = "application/geo+json"


class GeoJSONResponse(JSONResponse):
    """JSON served as ``application/geo+json`` (RFC 7946)."""

    media_type = GEOJSON_MEDIA_TYPE


def feature_collection(
    frame: gpd.GeoDataFrame, columns: tuple[str, ...] | list[str]
) -> dict[str, Any]:
    """A FeatureCollection of ``columns`` (NaN/NA → null); no ``crs`` member, no ids."""
    body: dict[str, Any] = json.loads(
        frame[[*columns, frame.geometry.name]].to_json(na="null", drop_id=True)
    )
    body.pop("crs", None)
    return body


def feature(frame: gpd.GeoDataFrame, columns: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The first row of ``frame`` as a Feature."""
    first: dict[str, Any] = feature_collection(frame.iloc[:1], columns)["features"][0]
    return first
