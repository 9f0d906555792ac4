"""GeoJSON parsed feature by feature (geo.read.geojson): the document, its CRS (RFC 7946 lon/lat,
or a legacy ``crs`` member), and a frame of properties and geometries in which every malformed
feature is named in a :class:`~geo.read.checks.Problems` collector instead of failing alone.

Tiny GeoJSON documents are written beside their expected frames.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.crs import EDGE_CRS, WORKING_CRS
from geo.errors import (
    CrsError,
    GeometryError,
    InvalidFeaturesError,
    ReadError,
    TooLargeError,
    TooManyFeaturesError,
    ValueProblemError,
)
from geo.read.checks import Problems
from geo.read.geojson import document_crs, load_document, read_feature_collection
from geo.read.limits import Limits


def feature(geometry: object, properties: object = None, **members: object) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry, **members}


def point(lon: float = 5.08, lat: float = 52.03) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def collection(*features: object, **members: object) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **members}


def named_crs(name: str) -> dict[str, Any]:
    return {"type": "name", "properties": {"name": name}}


def read(document: Any, **kwargs: Any) -> tuple[Any, Problems]:
    problems = Problems("body")
    return read_feature_collection(document, problems, where="body", **kwargs), problems


# --------------------------------------------------------------------------- the document


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "FeatureCollection", "features": []}',
        bytearray(b'{"type": "FeatureCollection", "features": []}'),
        '{"type": "FeatureCollection", "features": []}',
        '\ufeff{"type": "FeatureCollection", "features": []}'.encode(),  # a BOM
    ],
    ids=["bytes", "bytearray", "text", "bom"],
)
def test_load_document_from_bytes_or_text(body: bytes | bytearray | str) -> None:
    assert load_document(body, where="b", limits=Limits()) == collection()


def test_a_parsed_mapping_is_taken_as_it_is() -> None:
    document = collection(feature(point()))
    assert load_document(document, where="b", limits=Limits(max_upload_bytes=1)) is document


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"type": "FeatureCollection",\n "features": [', r"b: not valid JSON \(.* line 2"),
        (b'{"features": [], "x": NaN}', r"not valid JSON \(NaN is not a JSON number\)"),
        (b'{"x": Infinity}', "Infinity is not a JSON number"),
        (b"\xff\xfe{}", r"b: not UTF-8 text \(invalid start byte at byte 0\)"),
        (b"[1, 2]", "b: expected a GeoJSON FeatureCollection object"),
        (b'"a string"', "expected a GeoJSON FeatureCollection object"),
    ],
)
def test_documents_that_are_no_json_object(body: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        load_document(body, where="b", limits=Limits())


def test_a_body_over_the_size_limit_is_refused_unread() -> None:
    body = b"not even json"
    with pytest.raises(TooLargeError, match=r"b: 13 bytes is more than the 12 bytes") as info:
        load_document(body, where="b", limits=Limits(max_upload_bytes=12))
    assert (info.value.limit, info.value.actual) == (12, 13)
    with pytest.raises(ReadError, match="not valid JSON"):
        load_document(body, where="b", limits=Limits(max_upload_bytes=13))


# --------------------------------------------------------------------------- the CRS


@pytest.mark.parametrize(
    ("member", "epsg"),
    [
        (None, 4326),
        (named_crs("urn:ogc:def:crs:EPSG::28992"), 28992),
        (named_crs("EPSG:28992"), 28992),
        (named_crs("urn:ogc:def:crs:OGC:1.3:CRS84"), 4326),
        (named_crs("urn:ogc:def:crs:EPSG::4326"), 4326),
        (named_crs("EPSG:4326"), 4326),
        (named_crs("crs84"), 4326),
    ],
)
def test_document_crs(member: dict[str, Any] | None, epsg: int) -> None:
    document = collection() if member is None else collection(crs=member)
    crs = document_crs(document, where="b")
    assert crs.to_epsg() == epsg
    if epsg == 4326:
        assert crs == EDGE_CRS  # lon/lat order, as RFC 7946 wants


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ({"type": "link", "properties": {"href": "http://x"}}, "the crs member must be"),
        ({"type": "name", "properties": "EPSG:28992"}, "the crs member must be"),
        ({"type": "name", "properties": {"name": 28992}}, "the crs member must be"),
        ("EPSG:28992", "RFC 7946 GeoJSON has no crs member and is lon/lat"),
        (named_crs("EPSG:999999"), r"b \(crs member\): unknown coordinate reference system"),
    ],
)
def test_unusable_crs_members(member: object, message: str) -> None:
    with pytest.raises(CrsError, match=message):
        document_crs(collection(crs=member), where="b")


# --------------------------------------------------------------------------- features


def test_properties_ids_and_geometries_by_position() -> None:
    frame, problems = read(
        collection(
            feature(point(5.08, 52.03), {"naam": "A", "n": 1}, id="f-1"),
            feature(None, {"naam": "B", "geometry": "in the properties"}, id=7),
            feature(point(5.09, 52.04), None, id=True),  # a boolean is no id
            feature(point(5.10, 52.05), {"id": "own", "naam": "D"}, id="member"),
        )
    )
    assert not problems
    assert list(frame.index) == [0, 1, 2, 3]
    assert frame.crs == EDGE_CRS
    assert frame["naam"].tolist()[:2] == ["A", "B"]
    assert math.isnan(frame["naam"].iloc[2])
    assert frame["id"].tolist()[:2] == ["f-1", "7"]
    assert frame["id"].iloc[3] == "own"  # properties win over the Feature's id member
    assert frame["properties.geometry"].iloc[1] == "in the properties"
    assert frame.geometry.iloc[0].equals(shapely.Point(5.08, 52.03))
    assert frame.geometry.iloc[1] is None  # null geometry: reported by later checks


def test_a_single_feature_is_a_collection_of_one() -> None:
    frame, problems = read(feature(point(), {"naam": "alleen"}))
    assert not problems
    assert frame["naam"].tolist() == ["alleen"]


def test_a_legacy_crs_member_gives_the_frame_its_crs() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [100, 0], [100, 100], [0, 0]]]}
    frame, _ = read(collection(feature(square), crs=named_crs("urn:ogc:def:crs:EPSG::28992")))
    assert frame.crs == WORKING_CRS
    assert frame.geometry.iloc[0].area == pytest.approx(5000)


def test_heights_are_kept_for_later_checks() -> None:
    frame, _ = read(collection(feature({"type": "Point", "coordinates": [5.08, 52.03, 12.5]})))
    assert frame.geometry.iloc[0].has_z


@pytest.mark.parametrize(
    "document",
    [
        {"type": "FeatureCollection"},
        {"type": "FeatureCollection", "features": {}},
        {"type": "GeometryCollection", "geometries": []},
        {"features": []},
    ],
)
def test_no_feature_collection_is_refused_at_once(document: dict[str, Any]) -> None:
    with pytest.raises(ReadError, match=r"body: expected a GeoJSON FeatureCollection \("):
        read(document)


def test_too_many_features_is_refused_before_they_are_read() -> None:
    document = collection(*[feature(point()) for _ in range(4)])
    with pytest.raises(TooManyFeaturesError, match="4 features is more than the 3"):
        read(document, limits=Limits(max_features=3))
    assert len(read(document, limits=Limits(max_features=4))[0]) == 4


def test_every_malformed_feature_is_recorded_with_its_reason() -> None:
    frame, problems = read(
        collection(
            feature(point(), {"naam": "goed"}),
            ["not", "a", "feature"],
            {"type": "Point", "coordinates": [5.0, 52.0]},
            feature(point(), ["properties", "as", "a", "list"], id="lijst"),
            feature({"type": "Circle", "coordinates": [5.0, 52.0]}, {"id": "c"}),
            feature({"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.1, 52.0]]]}, id="kort"),
            feature({"type": "Point", "coordinates": "5,52"}, id=9),
            feature({"type": "LineString", "coordinates": [[5, 52], [float("inf"), 52]]}),
            feature(None, {"naam": "geen geometrie"}),
        )
    )
    assert problems.unusable == {1, 2, 3}
    assert problems.malformed_geometry == {4, 5, 6, 7}
    assert len(frame) == 9
    assert frame.geometry.iloc[4:8].isna().all()
    assert frame["naam"].iloc[0] == "goed"
    with pytest.raises(InvalidFeaturesError) as info:
        problems.raise_if_any()
    error = info.value
    listed = {p.index: (p.id, p.reason) for p in error.problems}
    assert listed[1] == (None, "not a GeoJSON Feature (got 'list')")
    assert listed[2] == (None, "not a GeoJSON Feature (got 'Point')")
    assert listed[3] == ("lijst", "properties must be a JSON object or null")
    assert listed[4] == ("c", "not a GeoJSON geometry (type 'Circle')")
    assert listed[5][0] == "kort"
    assert listed[5][1].startswith("malformed Polygon")
    assert listed[6][0] == "9"
    assert listed[6][1].startswith("malformed Point coordinates")
    assert listed[7] == (None, "coordinates must be finite numbers")
    assert 8 not in listed
    assert error.total == 7
    text = str(error)
    assert text.startswith("body: 7 feature(s) refused — ")
    assert "not GeoJSON Features (or properties that are not an object): features[1], " in text
    assert "malformed geometries: features[4], features[5], features[6], features[7]" in text


def test_malformed_geometries_alone_are_a_geometry_error() -> None:
    ring = [[[5.0, 52.0], [5.1, 52.0]]]
    _, problems = read(collection(feature({"type": "Polygon", "coordinates": ring}, id="leeg")))
    with pytest.raises(GeometryError, match=r"malformed geometries: features\[0\]") as info:
        problems.raise_if_any()
    assert info.value.problems[0].id == "leeg"


def test_an_empty_geometry_is_left_to_the_later_checks() -> None:
    """No coordinates make an empty point, not a malformed one: the geometry check reports it
    as "no geometry" with the nulls."""
    frame, problems = read(collection(feature({"type": "Point", "coordinates": []})))
    assert not problems
    assert frame.geometry.iloc[0].is_empty


def test_features_that_are_no_features_alone_are_a_value_problem() -> None:
    _, problems = read(collection(42))
    with pytest.raises(ValueProblemError, match=r"not GeoJSON Features .*features\[0\]"):
        problems.raise_if_any()


# --------------------------------------------------------------------------- files


def test_a_file_is_read_without_the_upload_limit(tmp_path: Path) -> None:
    path = tmp_path / "punten.geojson"
    path.write_text(json.dumps(collection(feature(point(), {"naam": "uit een bestand"}))))
    frame, problems = read(path, limits=Limits(max_upload_bytes=1))
    assert not problems
    assert frame["naam"].tolist() == ["uit een bestand"]


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="body: cannot read: No such file or directory"):
        read(tmp_path / "missing.geojson")


# --------------------------------------------------------------------------- property

coordinates = st.tuples(st.floats(3.0, 7.5), st.floats(50.5, 54.0))
values = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=12))


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(coordinates, st.dictionaries(st.sampled_from(["naam", "n", "x"]), values)),
        min_size=1,
        max_size=8,
    )
)
def test_well_formed_points_come_back_as_they_were_sent(
    rows: list[tuple[tuple[float, float], dict[str, Any]]],
) -> None:
    """Any collection of well-formed points, as bytes: no problem recorded, one row per
    feature in order, the same coordinates and the same property values."""
    document = collection(*[feature(point(*xy), props) for xy, props in rows])
    frame, problems = read(json.dumps(document).encode())
    assert not problems
    assert len(frame) == len(rows)
    for position, ((lon, lat), props) in enumerate(rows):
        geometry = frame.geometry.iloc[position]
        assert (geometry.x, geometry.y) == (lon, lat)
        for key, value in props.items():
            got = frame[key].iloc[position]
            if value is None:
                assert got is None or (isinstance(got, float) and math.isnan(got))
            else:
                assert got == value
