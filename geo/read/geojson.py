"""Parse a GeoJSON FeatureCollection (a request body or a ``.geojson`` file) feature by feature.

RFC 7946 is the default: coordinates are WGS84 longitude, latitude. A legacy ``crs`` member
(``{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}``, or ``EPSG:28992``)
is honoured, as GDAL honours it; ``EPSG:4326`` and CRS84 in such a member mean lon/lat.

Unlike a whole-file reader, this one tells *which* feature is malformed and why (not an object,
not a Feature, properties that are not an object, a geometry shapely cannot build), recording
each into a :class:`geo.read.checks.Problems` collector so that the caller's later checks
(codes, categories, validity, coordinates) are reported in the same single error.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import CRS

from geo.crs import EDGE_CRS, parse_crs
from geo.errors import (
    CrsError,
    FeatureProblem,
    GeometryError,
    InputError,
    ReadError,
    ValueProblemError,
)
from geo.read.checks import Problems, describe
from geo.read.limits import DEFAULT_LIMITS, Limits, check_count, check_size

#: A GeoJSON document: raw bytes or text, or already parsed (``json.loads``) into a mapping.
GeoJSONBody = bytes | bytearray | str | Mapping[str, Any]
GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)
#: Names of the WGS84 lon/lat CRS in legacy ``crs`` members (GeoJSON 2008 used lon/lat order).
LONLAT_NAMES = ("CRS84", "EPSG:4326", "EPSG::4326", "OGC:1.3:CRS84", "OGC::CRS84")
#: Column added with each Feature's ``id`` member (GeoJSON keeps it outside ``properties``).
FEATURE_ID_COLUMN = "id"


#: Why a document nested deeper than the parser follows is refused (GeoJSON needs about 7
#: levels: collection, features, feature, geometry and four of coordinates).
TOO_DEEP = (
    "arrays and objects nested too deeply to be read (about 1,000 levels or more); "
    "a GeoJSON FeatureCollection needs fewer than ten"
)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def load_document(body: GeoJSONBody, *, where: str, limits: Limits) -> Mapping[str, Any]:
    """The parsed JSON object; bodies over ``max_upload_bytes`` are refused unread."""
    if isinstance(body, Mapping):
        return body
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    check_size(len(raw), limits, where=where)
    try:
        document = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise ReadError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from exc
    except ValueError as exc:  # NaN / Infinity
        raise ReadError(f"{where}: not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise ReadError(f"{where}: {TOO_DEEP}") from exc
    if not isinstance(document, Mapping):
        raise ReadError(f"{where}: expected a GeoJSON FeatureCollection object")
    return document


def document_crs(document: Mapping[str, Any], *, where: str) -> CRS:
    """The CRS of a GeoJSON document: its legacy ``crs`` member, else WGS84 lon/lat."""
    member = document.get("crs")
    if member is None:
        return EDGE_CRS
    name = None
    if isinstance(member, Mapping) and member.get("type") == "name":
        properties = member.get("properties")
        name = properties.get("name") if isinstance(properties, Mapping) else None
    if not isinstance(name, str):
        raise CrsError(
            f"{where}: the crs member must be {{'type': 'name', 'properties': {{'name': ...}}}} "
            "(e.g. urn:ogc:def:crs:EPSG::28992); RFC 7946 GeoJSON has no crs member and is "
            "lon/lat"
        )
    if name.upper().replace("URN:OGC:DEF:CRS:", "").endswith(LONLAT_NAMES):
        return EDGE_CRS
    return parse_crs(name, where=f"{where} (crs member)")


def read_feature_collection(
    body: GeoJSONBody | Path,
    problems: Problems,
    *,
    where: str,
    limits: Limits = DEFAULT_LIMITS,
) -> gpd.GeoDataFrame:
    """A frame of the features' properties and geometries, in the document's CRS.

    The frame's index is each feature's position in ``features``. Malformed features are
    recorded in ``problems`` and get a null geometry; whole-document faults raise at once
    (:class:`ReadError` for non-JSON or a document that is no FeatureCollection,
    :class:`CrsError` for an unusable ``crs`` member, limit errors for size and count).
    A ``Path`` is read without the size limit (files named on the command line).
    """
    if isinstance(body, Path):
        try:
            body = body.read_bytes()
        except OSError as exc:
            raise ReadError(f"{where}: cannot read: {exc.strerror}") from exc
        limits = dataclasses.replace(limits, max_upload_bytes=max(len(body), 1))
    document = load_document(body, where=where, limits=limits)
    if document.get("type") == "Feature":
        document = {**document, "type": "FeatureCollection", "features": [document]}
    features = document.get("features")
    if document.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise ReadError(
            f"{where}: expected a GeoJSON FeatureCollection "
            '({"type": "FeatureCollection", "features": [...]})'
        )
    check_count(len(features), limits, where=where)
    crs = document_crs(document, where=where)
    records: list[dict[str, Any]] = []
    geometries: list[shapely.Geometry | None] = []
    malformed: dict[type[InputError], list[FeatureProblem]] = {}
    for index, feature in enumerate(features):
        properties, geometry, fault = _feature(index, feature)
        records.append(properties)
        geometries.append(geometry)
        if fault is not None:
            malformed.setdefault(fault[0], []).append(fault[1])
            if fault[0] is ValueProblemError:
                problems.unusable.add(index)
            else:
                problems.malformed_geometry.add(index)
    for kind, found in malformed.items():
        positions = describe(f"features[{p.index}]" for p in found)
        problems.add(kind, f"{SUMMARIES[kind]}: {positions}", found)
    frame = pd.DataFrame.from_records(records, index=pd.RangeIndex(len(records)))
    return gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries(geometries, index=frame.index, crs=crs), crs=crs
    )


#: One-line summaries of the structural faults, by the kind of error they are.
SUMMARIES: dict[type[InputError], str] = {
    ValueProblemError: "not GeoJSON Features (or properties that are not an object)",
    GeometryError: "malformed geometries",
}

Fault = tuple[type[InputError], FeatureProblem]


def _feature(
    index: int, feature: object
) -> tuple[dict[str, Any], shapely.Geometry | None, Fault | None]:
    """Properties (with the Feature's id), geometry and the fault of one feature, if any."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        kind = feature.get("type") if isinstance(feature, Mapping) else type(feature).__name__
        reason = f"not a GeoJSON Feature (got {kind!r})"
        return {}, None, (ValueProblemError, FeatureProblem(index, None, reason))
    raw_id = feature.get("id")
    valid_id = isinstance(raw_id, str | int) and not isinstance(raw_id, bool)
    feature_id = str(raw_id) if valid_id else None
    properties = feature.get("properties")
    if properties is not None and not isinstance(properties, Mapping):
        reason = "properties must be a JSON object or null"
        return {}, None, (ValueProblemError, FeatureProblem(index, feature_id, reason))
    record = {
        ("properties.geometry" if k == "geometry" else str(k)): v
        for k, v in (properties or {}).items()
    }
    if feature_id is not None and FEATURE_ID_COLUMN not in record:
        record[FEATURE_ID_COLUMN] = feature_id
    label = feature_id if feature_id is not None else _text(record.get(FEATURE_ID_COLUMN))
    geometry, why = _geometry(feature.get("geometry"))
    if why is not None:
        return record, None, (GeometryError, FeatureProblem(index, label, why))
    return record, geometry, None


def _geometry(geometry: object) -> tuple[shapely.Geometry | None, str | None]:
    """The shapely geometry, or None and why it cannot be built (null is no fault here)."""
    if geometry is None:
        return None, None  # reported by the caller's geometry check ("no geometry")
    if not isinstance(geometry, Mapping) or geometry.get("type") not in GEOMETRY_TYPES:
        kind = geometry.get("type") if isinstance(geometry, Mapping) else type(geometry).__name__
        return None, f"not a GeoJSON geometry (type {kind!r})"
    try:
        built = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        return None, f"malformed {geometry['type']} coordinates: {exc}"
    except shapely.errors.ShapelyError as exc:
        return None, f"malformed {geometry['type']}: {exc}"
    if not np.isfinite(shapely.get_coordinates(built)).all():
        return None, "coordinates must be finite numbers"
    return built, None


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)
