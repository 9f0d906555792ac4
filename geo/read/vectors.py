"""Vector files and GeoJSON bodies, read in their own CRS (the first step of every reader).

A *source* is a file (``Path``; a ``str`` is a file name) or a GeoJSON FeatureCollection
(``bytes`` or an already parsed mapping, e.g. an HTTP request body). Zips are checked and
unpacked safely (:mod:`geo.read.archive`), GeoJSON is parsed feature by feature
(:mod:`geo.read.geojson`), anything else goes to GDAL (pyogrio). The feature count is checked
against the limits before GDAL reads the features.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
from pyproj import CRS

from geo.crs import parse_crs
from geo.errors import CrsError, ReadError
from geo.read.archive import choose_name, unpacked_vector
from geo.read.checks import Problems
from geo.read.geojson import read_feature_collection
from geo.read.geopackage import check_geopackage, is_geopackage
from geo.read.limits import DEFAULT_LIMITS, Limits, check_count, check_vertices

#: What the readers take: a file, or a GeoJSON FeatureCollection (bytes or a parsed mapping).
#: A ``str`` is a file name.
Source = Path | str | bytes | bytearray | Mapping[str, Any]

GEOJSON_SUFFIXES = (".geojson", ".json")


def is_body(source: Source) -> bool:
    return isinstance(source, bytes | bytearray | Mapping)


def where_of(source: Source, where: str | None) -> str:
    if where is not None:
        return where
    return "request body" if is_body(source) else str(source)


def read_vector(
    path: Path | str,
    *,
    layer: str | None = None,
    prefer: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    problems: Problems | None = None,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file (zip, GeoPackage, Shapefile, GeoJSON) in its own CRS.

    With several layers and no ``layer`` given, the one whose name contains ``prefer`` is
    taken (CBS: ``buurt_2021_v1``, ``buurten``). A zip is checked and unpacked safely
    (:mod:`geo.read.archive`); GeoJSON is parsed feature by feature (:mod:`geo.read.geojson`),
    recording malformed features in ``problems`` (without a collector they raise at once). The index
    is
    each feature's position. Raises :class:`ReadError` on anything that cannot be read.
    """
    path = Path(path)
    where = where or str(path)
    if not path.exists():
        raise ReadError(f"{where}: no such file")
    own = problems is None
    collector = Problems(where) if problems is None else problems
    if path.suffix.lower() == ".zip":
        unpacked = unpacked_vector(path, layer=layer, prefer=prefer, limits=limits, where=where)
        with unpacked as (inner, name):
            frame = _read_file(inner, name, prefer, limits, collector, where=where)
    else:
        frame = _read_file(path, layer, prefer, limits, collector, where=where)
    if own:
        collector.raise_if_any()
    return frame


def _read_file(
    path: Path,
    layer: str | None,
    prefer: str | None,
    limits: Limits,
    problems: Problems,
    *,
    where: str,
) -> gpd.GeoDataFrame:
    if path.suffix.lower() in GEOJSON_SUFFIXES:
        return read_feature_collection(path, problems, where=where, limits=limits)
    if is_geopackage(path):
        check_geopackage(path, limits, where=where)  # views, counts, blob sizes: before GDAL
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        if layer is None:
            layer = choose_name(layers, prefer, where=where, what="layer", key=str)
        elif layer not in layers:
            raise ReadError(f"{where}: no layer {layer!r}; it holds {', '.join(layers)}")
        count = int(pyogrio.read_info(path, layer=layer)["features"])
        check_count(count, limits, where=where)  # before reading: -1 when GDAL cannot tell
        frame = _read_batches(path, layer, limits, where=where)
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.FeatureError,
        pyogrio.errors.GeometryError,
    ) as exc:
        raise ReadError(f"{where}: cannot read as a vector file: {exc}") from exc
    except pyogrio.errors.CRSError as exc:
        raise ReadError(f"{where}: the file's CRS cannot be read: {exc}") from exc
    check_count(len(frame), limits, where=where)
    return frame.reset_index(drop=True)


#: Features GDAL reads at a time; each batch is checked before the next is read.
BATCH_FEATURES = 10_000


def _read_batches(path: Path, layer: str, limits: Limits, *, where: str) -> gpd.GeoDataFrame:
    """The layer read ``BATCH_FEATURES`` at a time, never more than ``max_features + 1`` in
    all (whatever the file claims), each batch's vertex counts checked before the next."""
    batches: list[gpd.GeoDataFrame] = []
    read = 0
    while True:
        wanted = min(BATCH_FEATURES, limits.max_features + 1 - read)
        batch = gpd.read_file(
            path, layer=layer, engine="pyogrio", skip_features=read, max_features=wanted
        )
        batch.index = pd.RangeIndex(read, read + len(batch))
        read += len(batch)
        check_count(read, limits, where=where)
        if isinstance(batch, gpd.GeoDataFrame):
            check_vertices(batch.geometry, pd.Series(dtype="string"), limits, where=where)
        batches.append(batch)
        if len(batch) < wanted:
            break
    if len(batches) == 1:
        return batches[0]
    joined = pd.concat(batches)
    text = {c: t for c, t in batches[0].dtypes.items() if isinstance(t, pd.StringDtype)}
    joined = joined.astype(text)  # concat loses the text dtype the reader gives
    if isinstance(batches[0], gpd.GeoDataFrame):
        return gpd.GeoDataFrame(joined, geometry=batches[0].geometry.name, crs=batches[0].crs)
    return joined


def read_source(
    source: Source,
    *,
    layer: str | None,
    prefer: str | None,
    limits: Limits,
    problems: Problems,
    where: str,
) -> gpd.GeoDataFrame:
    if isinstance(source, Path | str):
        return read_vector(
            source, layer=layer, prefer=prefer, limits=limits, problems=problems, where=where
        )
    return read_feature_collection(source, problems, where=where, limits=limits)


def state_crs(frame: gpd.GeoDataFrame, crs: str | CRS | None, *, where: str) -> gpd.GeoDataFrame:
    """Apply a CRS the user stated (it overrides what the file says), then require one."""
    if crs is not None:
        frame = frame.set_crs(parse_crs(crs, where=where), allow_override=True)
    if frame.crs is None:
        raise CrsError(
            f"{where}: the file states no coordinate reference system; "
            "state it (e.g. --crs EPSG:28992 for RD New, EPSG:4326 for lon/lat)"
        )
    return frame
