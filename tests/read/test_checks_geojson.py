"""Validation with a per-feature report, for GeoJSON bodies: CRS members and lon/lat mix-ups,
every broken feature listed in one error, documents that are no FeatureCollection, and
properties of any valid or swapped polygon.

Bodies are built from the real Nieuwegein buurten (../shared/data/cbs) in memory
(tests/read/checks_support.py); the property tests need no data.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.crs import EDGE_CRS
from geo.errors import (
    CrsError,
    GeometryError,
    InputError,
    InvalidFeaturesError,
    ReadError,
    TooLargeError,
    UnknownCategoryError,
    UnsafeArchiveError,
    ValueProblemError,
)
from geo.read.buurten import read_buurten
from geo.read.options import ReadOptions
from geo.read.voorzieningen import read_voorzieningen
from geo.vocabulary import default_vocabulary
from tests.conftest import VOCABULARY
from tests.read.checks_support import (
    NIEUWEGEIN_GPKG,
    RD_NAME,
    body,
    broken_body,
    real_buurten,
    requires_real_buurten,
)

# --------------------------------------------------------------------------- CRS


@requires_real_buurten
def test_rfc7946_body_as_bytes_or_mapping_gives_the_file_buurten() -> None:
    expected = read_buurten(NIEUWEGEIN_GPKG, vocabulary=VOCABULARY)
    document = body(real_buurten())
    for source in (document, json.dumps(document).encode()):
        buurten = read_buurten(source, vocabulary=VOCABULARY)
        assert list(buurten["bu_code"]) == list(expected["bu_code"])
        assert buurten["residents"].sum() == 65_955
        assert buurten.geom_equals_exact(expected, tolerance=0.01).all()  # metres


@pytest.mark.parametrize("name", [RD_NAME, "EPSG:28992", "urn:ogc:def:crs:EPSG:6.3:28992"])
def test_legacy_crs_member_naming_rd_new_is_honoured(name: str) -> None:
    buurten = read_buurten(body(real_buurten(), crs_name=name), vocabulary=VOCABULARY)
    assert len(buurten) == 39
    assert buurten.total_bounds[0] == pytest.approx(real_buurten().total_bounds[0])


def test_rd_new_sent_as_lonlat_is_refused_per_feature() -> None:
    document = body(real_buurten().iloc[:5], crs_name=RD_NAME)
    del document["crs"]
    with pytest.raises(CrsError) as info:
        read_buurten(document, vocabulary=VOCABULARY)
    assert info.value.total == 5
    assert [p.index for p in info.value.problems] == [0, 1, 2, 3, 4]
    assert all("look like RD New metres (EPSG:28992)" in p.reason for p in info.value.problems)
    assert info.value.problems[0].id == "BU03560101"


def test_swapped_lat_lon_is_refused_per_feature() -> None:
    document = body(real_buurten().iloc[:3])
    for feature in document["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
        feature["geometry"] = shapely.geometry.mapping(swapped)
    with pytest.raises(CrsError, match="lon/lat swapped") as info:
        read_buurten(document, vocabulary=VOCABULARY)
    assert all("latitude and longitude look swapped" in p.reason for p in info.value.problems)


def test_lonlat_under_a_crs_member_naming_rd_new_is_refused() -> None:
    document = body(real_buurten().iloc[:2])
    document["crs"] = {"type": "name", "properties": {"name": RD_NAME}}
    with pytest.raises(CrsError) as info:
        read_buurten(document, vocabulary=VOCABULARY)
    assert "look like lon/lat degrees but are read as EPSG:28992" in info.value.problems[0].reason


def test_unusable_crs_member_is_refused_at_once() -> None:
    document = body(real_buurten().iloc[:1])
    document["crs"] = {"type": "link", "properties": {"href": "http://example.com/crs"}}
    with pytest.raises(CrsError, match="crs member must be"):
        read_buurten(document, vocabulary=VOCABULARY)


# --------------------------------------------------------------------------- per-feature report


def test_every_broken_feature_is_listed_in_one_error() -> None:
    with pytest.raises(InvalidFeaturesError) as info:
        read_buurten(broken_body(), vocabulary=VOCABULARY)
    error = info.value
    listed = {(p.index, p.id): p.reason for p in error.problems}
    assert error.total == len(listed) == 10
    assert listed[(1, "BU03560102")] == "no geometry (null or empty)"
    assert "geometry is a Point; buurten must be polygons" in listed[(2, "BU03560103")]
    assert listed[(3, "BU03560201")].startswith("invalid geometry: Self-intersection")
    assert "occurs twice (also feature 0)" in listed[(4, "BU03560101")]
    assert listed[(5, None)].startswith("no buurt code")
    assert listed[(6, "BU0356010")].startswith("malformed buurt code")
    assert "not a GeoJSON Feature" in listed[(7, None)]
    assert "at least 4 coordinates" in listed[(8, "BU03560401")]
    assert "'veel'" in listed[(9, "BU03560402")]
    assert listed[(10, "BU03560403")] == "no geometry (null or empty)"
    assert [p.index for p in error.problems] == sorted(p.index for p in error.problems)
    assert "request body: 10 feature(s) refused" in str(error)
    assert error.extensions()["total"] == 10


def test_repair_is_applied_only_on_request() -> None:
    document = body(real_buurten().iloc[:4])
    x, y = shapely.geometry.shape(document["features"][3]["geometry"]).centroid.coords[0]
    bowtie = [[x, y], [x + 0.001, y + 0.001], [x + 0.001, y], [x, y + 0.001], [x, y]]
    document["features"][3]["geometry"] = {"type": "Polygon", "coordinates": [bowtie]}
    with pytest.raises(GeometryError, match=r"BU03560201: Self-intersection.*--repair"):
        read_buurten(document, vocabulary=VOCABULARY)
    repaired = read_buurten(document, ReadOptions(repair=True), vocabulary=VOCABULARY)
    assert repaired.geometry.is_valid.all()
    assert repaired.geom_type.iloc[3] == "MultiPolygon"


def test_at_most_100_problems_are_listed_with_the_total() -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"statcode": f"BU0356{n:04d}", "AANT_INW": 1},
            "geometry": None,
        }
        for n in range(240)
    ]
    with pytest.raises(GeometryError) as info:
        read_buurten({"type": "FeatureCollection", "features": features}, vocabulary=VOCABULARY)
    assert info.value.total == 240
    assert len(info.value.problems) == 100
    assert len(str(info.value)) < 500  # the summary names 10; the list is in .problems


def test_voorzieningen_body_unknown_categories_and_duplicate_ids() -> None:
    vocabulary = default_vocabulary()
    point = {"type": "Point", "coordinates": [5.09, 52.03]}
    features = [
        {"type": "Feature", "id": "a", "properties": {"categorie": "huisarts"}, "geometry": point},
        {"type": "Feature", "id": "b", "properties": {"categorie": "bakker"}, "geometry": point},
        {"type": "Feature", "id": "a", "properties": {"amenity": "pharmacy"}, "geometry": point},
        {
            "type": "Feature",
            "properties": {"id": "c", "shop": "supermarket"},
            "geometry": {"type": "GeometryCollection", "geometries": [point]},
        },
    ]
    with pytest.raises(InvalidFeaturesError) as info:
        read_voorzieningen({"type": "FeatureCollection", "features": features}, vocabulary)
    listed = {(p.index, p.id): p.reason for p in info.value.problems}
    assert listed[(1, "b")].startswith("unknown category 'bakker'")
    assert listed[(2, "a")] == "id a occurs twice (also feature 0)"
    assert "GeometryCollection" in listed[(3, "c")]
    assert len(listed) == 3
    good = read_voorzieningen(
        {"type": "FeatureCollection", "features": features[:1]}, vocabulary, where="upload.json"
    )
    assert good[["id", "category", "source"]].values.tolist() == [["a", "huisarts", "upload.json"]]


def test_unknown_category_alone_keeps_its_class_and_summary() -> None:
    point = {"type": "Point", "coordinates": [5.09, 52.03]}
    features = [
        {"type": "Feature", "properties": {"categorie": "bakker"}, "geometry": point}
        for _ in range(2)
    ]
    with pytest.raises(UnknownCategoryError, match=r"'bakker' \(2×\).*Known categories"):
        read_voorzieningen(
            {"type": "FeatureCollection", "features": features}, default_vocabulary()
        )


def test_invalid_voorziening_polygon_needs_repair() -> None:
    x, y = 5.09, 52.03
    ring = [[x, y], [x + 0.001, y + 0.001], [x + 0.001, y], [x, y + 0.001], [x, y]]
    feature = {
        "type": "Feature",
        "properties": {"categorie": "supermarkt"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    document = {"type": "FeatureCollection", "features": [feature]}
    with pytest.raises(GeometryError, match="Self-intersection"):
        read_voorzieningen(document, default_vocabulary())
    points = read_voorzieningen(document, default_vocabulary(), ReadOptions(repair=True))
    assert points.geom_type.tolist() == ["Point"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"type": "FeatureCollection", "features": {}}', "expected a GeoJSON FeatureCollection"),
        (b"[1, 2]", "expected a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": [], "x": NaN}', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_documents_that_are_no_feature_collection(text: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read_buurten(text, vocabulary=VOCABULARY)


# --------------------------------------------------------------------------- properties


@st.composite
def lonlat_polygons(draw: st.DrawFn) -> shapely.Polygon:
    """A convex polygon (3–12 vertices, up to ~1 km across) somewhere in the Netherlands."""
    lon = draw(st.floats(4.0, 6.8))
    lat = draw(st.floats(51.5, 53.2))
    offsets = draw(
        st.lists(
            st.tuples(st.floats(-0.007, 0.007), st.floats(-0.005, 0.005)),
            min_size=3,
            max_size=12,
        )
    )
    hull = shapely.MultiPoint([(lon + dx, lat + dy) for dx, dy in offsets]).convex_hull
    from hypothesis import assume

    assume(hull.geom_type == "Polygon" and hull.area > 1e-8)
    return hull


def _one(polygon: shapely.Geometry) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"statcode": "BU03560101", "AANT_INW": 10},
                "geometry": shapely.geometry.mapping(polygon),
            }
        ],
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lonlat_polygons())
def test_any_valid_polygon_survives_the_round_trip(polygon: shapely.Polygon) -> None:
    buurten = read_buurten(json.dumps(_one(polygon)).encode(), vocabulary=VOCABULARY)
    back = buurten.to_crs(EDGE_CRS).geometry.iloc[0]
    assert back.equals_exact(polygon, tolerance=1e-7)  # degrees: about a centimetre


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lonlat_polygons())
def test_swapped_lonlat_is_always_refused(polygon: shapely.Polygon) -> None:
    swapped = shapely.transform(polygon, lambda xy: xy[:, ::-1])
    with pytest.raises(CrsError) as info:
        read_buurten(_one(swapped), vocabulary=VOCABULARY)
    assert "look swapped" in info.value.problems[0].reason


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lonlat_polygons())
def test_rd_new_as_lonlat_is_always_refused(polygon: shapely.Polygon) -> None:
    rd = gpd.GeoSeries([polygon], crs=EDGE_CRS).to_crs(28992).iloc[0]
    with pytest.raises(CrsError) as info:
        read_buurten(_one(rd), vocabulary=VOCABULARY)
    assert "look like RD New metres" in info.value.problems[0].reason


def test_value_problem_classes_are_input_errors() -> None:
    for error in (InvalidFeaturesError, TooLargeError, UnsafeArchiveError, ValueProblemError):
        assert issubclass(error, InputError)
