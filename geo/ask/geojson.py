"""GeoJSON text of frames: the one encoder the API, the OGC collections and the exports use.

Frames come in the CRS they are written in (WGS84 for RFC 7946, already rounded by
:func:`geo.crs.to_edge_crs` or :func:`geo.ask.export.project`); geometry is written by GEOS
(``shapely.to_geojson``), attributes by orjson with NaN, NA and infinities as ``null``.
Bodies are built as text once — never parsed back and encoded again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely


def properties(frame: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Attribute rows as JSON-ready dicts; NaN, NA and infinities become None."""
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    numeric = table.select_dtypes("number").columns  # only numbers can be infinite
    table[numeric] = table[numeric].replace([np.inf, -np.inf], np.nan)
    rows: list[dict[str, object]] = (
        table.astype(object).where(table.notna(), None).to_dict("records")
    )
    return rows


def dumps(value: object) -> str:
    """Compact JSON text (UTF-8 as is) by orjson: numpy numbers as numbers, NaN and
    infinities as ``null``."""
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def feature_strings(frame: gpd.GeoDataFrame, id_column: str | None = None) -> Iterator[str]:
    """Each row as a GeoJSON Feature (JSON text), with ``id`` from ``id_column`` if given."""
    geometries = shapely.to_geojson(np.asarray(frame.geometry.values, dtype=object))
    for row, geometry in zip(properties(frame), geometries, strict=True):
        yield _feature(geometry, row, None if id_column is None else row[id_column])


def feature_text(geometry: shapely.Geometry | None, values: Mapping[str, object]) -> str:
    """One Feature (JSON text) of a geometry already in the output CRS and its properties
    (JSON-ready values): what :func:`feature` writes for a frame's row, without a frame."""
    text = None if geometry is None else shapely.to_geojson(geometry)
    return _feature(text, values, None)


def _feature(geometry: str | None, values: Mapping[str, object], identifier: object) -> str:
    member = "" if identifier is None else f'"id":{dumps(identifier)},'
    return (
        f'{{"type":"Feature",{member}"geometry":{geometry or "null"},"properties":{dumps(values)}}}'
    )


def collection_text(
    features: Iterable[str], members: Mapping[str, object] | None = None, *, sep: str = ","
) -> str:
    """A FeatureCollection of Feature texts, with further top-level ``members`` after them."""
    extra = "".join(f",{dumps(key)}:{dumps(value)}" for key, value in (members or {}).items())
    return f'{{"type":"FeatureCollection","features":[{sep.join(features)}]{extra}}}'


def feature_collection(
    frame: gpd.GeoDataFrame,
    columns: Sequence[str],
    members: Mapping[str, object] | None = None,
) -> str:
    """``columns`` of ``frame`` as an RFC 7946 FeatureCollection (no ``crs`` member, no ids)."""
    return collection_text(feature_strings(frame[[*columns, frame.geometry.name]]), members)


def feature(frame: gpd.GeoDataFrame, columns: Sequence[str]) -> str:
    """The first row of ``frame`` as a Feature (text)."""
    return next(feature_strings(frame.iloc[:1][[*columns, frame.geometry.name]]))
