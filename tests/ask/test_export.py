"""Exports: layer frames, GeoJSON/GeoPackage/CSV writers, /export and `wsz export`.

Exported files go back in through the real readers and the store and must give the same state
(codes, residents, zones, positions within the rounding of the output CRS).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis import Analysis
from geo.ask import export
from geo.ask.export import ExportCrs, ExportFormat
from geo.crs import RD_BOUNDS
from geo.errors import NotFoundError
from geo.read.buurten import read_buurten
from geo.read.voorzieningen import read_voorzieningen
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from tests.conftest import VOCABULARY
from tests.imports import import_file

#: Largest position error of a round trip through each output CRS, in metres (RD New):
#: 6 decimals of a degree are ≤ 0.06 m here; 3 decimals of a metre are ≤ 0.0005 m.
TOLERANCE_M = {"EPSG:4326": 0.1, "EPSG:28992": 0.001}


def coordinates(node: Any) -> list[list[float]]:
    if isinstance(node, list) and node and isinstance(node[0], int | float):
        return [node]
    return [xy for child in node for xy in coordinates(child)] if isinstance(node, list) else []


def test_layers_hold_every_feature_with_its_id_first(sample_analysis: Analysis) -> None:
    dataset = sample_analysis.dataset
    sizes = {
        "buurten": len(dataset.buurten),
        "zones": len(dataset.zones),
        "voorzieningen": len(dataset.voorzieningen),
        "coverage": len(dataset.buurten),
    }
    if export.find_gaps(sample_analysis) is not None:
        sizes["gaps"] = len(export.find_gaps(sample_analysis))  # type: ignore[arg-type]
    assert export.available_layers(export.find_gaps(sample_analysis)) == tuple(sizes)
    for name, size in sizes.items():
        frame = export.layer_frame(sample_analysis, name)
        assert len(frame) == size > 0
        assert frame.columns[0] == export.LAYERS[name].id_column
        assert frame.iloc[:, 0].is_unique
        assert frame.crs.to_epsg() == 28992
    with pytest.raises(NotFoundError, match="no gap polygons"):
        export.check_layer("gaps", None)
    with pytest.raises(NotFoundError, match="known layers"):
        export.layer_frame(sample_analysis, "atlantis")


def test_coverage_layer_is_wide_per_category(sample_analysis: Analysis) -> None:
    frame = export.layer_frame(sample_analysis, "coverage").set_index("bu_code")
    assert (frame["source"] == sample_analysis.source.name).all()
    long = sample_analysis.coverage.buurten
    for category in sample_analysis.vocabulary.codes:
        for suffix in ("share_beyond", "residents_beyond", "mean_m", "max_m", "threshold_m"):
            assert f"{category}_{suffix}" in frame.columns
        rows = long[long["category"] == category].set_index("bu_code")
        np.testing.assert_allclose(
            frame.loc[rows.index, f"{category}_residents_beyond"], rows["residents_beyond"]
        )
        np.testing.assert_allclose(
            frame.loc[rows.index, f"{category}_mean_m"], rows["mean_distance_m"]
        )


def test_geojson_in_wgs84_is_rfc7946(sample_analysis: Analysis) -> None:
    frame = export.layer_frame(sample_analysis, "buurten")
    body = json.loads(export.export_bytes(frame, "buurten", "geojson", "EPSG:4326"))
    assert "crs" not in body
    assert [f["id"] for f in body["features"]] == list(frame["bu_code"])
    for feature in body["features"]:
        for lon, lat in coordinates(feature["geometry"]["coordinates"]):
            assert 3 < lon < 8
            assert 50 < lat < 54
            assert len(repr(lon).split(".")[-1]) <= 6
            assert len(repr(lat).split(".")[-1]) <= 6
        polygon = shapely.geometry.shape(feature["geometry"])
        polygons = getattr(polygon, "geoms", [polygon])
        for part in polygons:
            assert part.exterior.is_ccw
            assert all(not ring.is_ccw for ring in part.interiors)


def test_geojson_in_rd_new_names_its_crs(sample_analysis: Analysis, tmp_path: Path) -> None:
    frame = export.layer_frame(sample_analysis, "zones")
    path = tmp_path / "zones.geojson"
    path.write_bytes(export.export_bytes(frame, "zones", "geojson", "EPSG:28992"))
    body = json.loads(path.read_text())
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::28992"
    read = pyogrio.read_dataframe(path)
    assert read.crs.to_epsg() == 28992
    xmin, ymin, xmax, ymax = RD_BOUNDS
    minx, miny, maxx, maxy = read.total_bounds
    assert xmin < minx < maxx < xmax
    assert ymin < miny < maxy < ymax


def test_csv_columns(sample_analysis: Analysis) -> None:
    for name, crs, tail in (
        ("buurten", "EPSG:4326", ["WKT"]),
        ("coverage", "EPSG:28992", ["WKT"]),
        ("voorzieningen", "EPSG:4326", ["lon", "lat"]),
        ("voorzieningen", "EPSG:28992", ["x", "y"]),
    ):
        frame = export.layer_frame(sample_analysis, name)
        text = export.export_bytes(frame, name, "csv", crs).decode()  # type: ignore[arg-type]
        header = text.splitlines()[0].split(",")
        assert header == [*frame.columns.drop("geometry"), *tail]
        assert len(text.splitlines()) == len(frame) + 1


@pytest.mark.parametrize("crs", export.CRS_CODES)
def test_csv_voorzieningen_read_back(
    sample_analysis: Analysis, tmp_path: Path, crs: ExportCrs
) -> None:
    frame = export.layer_frame(sample_analysis, "voorzieningen")
    path = export.write_export(frame, "voorzieningen", tmp_path / "v.csv", "csv", crs)
    again = read_voorzieningen(path, sample_analysis.vocabulary)
    _same_voorzieningen(again, frame, TOLERANCE_M[crs])


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
@pytest.mark.parametrize("crs", export.CRS_CODES)
def test_exports_reimport_to_the_same_state(
    sample_store: GeoPackageStore,
    sample_analysis: Analysis,
    tmp_path: Path,
    fmt: ExportFormat,
    crs: ExportCrs,
) -> None:
    """Export buurten and voorzieningen, import them into the store again: same state."""
    before = sample_store.read()
    files = {}
    for name in ("buurten", "voorzieningen"):
        frame = export.layer_frame(sample_analysis, name)
        path = tmp_path / export.file_name(name, fmt, crs)
        files[name] = export.write_export(frame, name, path, fmt, crs)
    buurten = read_buurten(files["buurten"], vocabulary=VOCABULARY)
    _same_buurten(buurten, before.buurten, TOLERANCE_M[crs])
    import_file(sample_store, "buurten", files["buurten"])
    import_file(sample_store, "voorzieningen", files["voorzieningen"])
    after = sample_store.read()
    _same_buurten(after.buurten, before.buurten, TOLERANCE_M[crs])
    pd.testing.assert_series_equal(
        after.buurten["zone_code"], before.buurten["zone_code"], check_dtype=False
    )
    assert list(after.zones["zone_code"]) == list(before.zones["zone_code"])
    _same_voorzieningen(after.voorzieningen, before.voorzieningen, TOLERANCE_M[crs])
    for column in ("bu_code", "zone_code"):
        assert list(after.voorzieningen[column].fillna("")) == list(
            before.voorzieningen[column].fillna("")
        )


def test_rounding_keeps_polygons_valid() -> None:
    """A notch 0.8 mm wide collapses when rounded to 1 mm; GEOS snapping keeps it valid."""
    notch = shapely.Polygon([(0, 0), (2, 0), (2, 2), (1.0004, 2), (1, 1), (0.9996, 2), (0, 2)])
    shifted = shapely.affinity.translate(notch, 150_000, 450_000)
    assert shifted.is_valid
    assert not shapely.transform(shifted, lambda xy: np.round(xy, 3)).is_valid
    frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shifted], crs=28992)
    assert export.project(frame, "EPSG:28992").geometry.is_valid.all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-3000, 3000), st.integers(-3000, 3000)), min_size=3, max_size=12
    ),
    st.sampled_from(export.CRS_CODES),
)
def test_projected_polygons_stay_valid(points: list[tuple[int, int]], crs: ExportCrs) -> None:
    """Any valid polygon (vertices on a 0.3 mm grid, near Nieuwegein) stays valid."""
    polygon = shapely.make_valid(
        shapely.Polygon([(135_000 + 0.0003 * x, 450_000 + 0.0003 * y) for x, y in points])
    )
    parts = [g for g in getattr(polygon, "geoms", [polygon]) if g.geom_type == "Polygon"]
    if not parts or shapely.MultiPolygon(parts).area == 0:
        return
    frame = gpd.GeoDataFrame({"id": ["p"]}, geometry=[shapely.MultiPolygon(parts)], crs=28992)
    assert export.project(frame, crs).geometry.is_valid.all()


def test_export_route(client: TestClient, sample_analysis: Analysis) -> None:
    for name in export.available_layers(export.find_gaps(sample_analysis)):
        for fmt in export.FORMATS:
            response = client.get(f"/export/{name}", params={"format": fmt, "crs": "EPSG:28992"})
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith(export.MEDIA_TYPE[fmt].split(";")[0])
            disposition = response.headers["content-disposition"]
            assert (
                disposition == f'attachment; filename="{export.file_name(name, fmt, "EPSG:28992")}"'
            )
    default = client.get("/export/voorzieningen")
    assert default.headers["content-type"] == "application/geo+json"
    assert len(default.json()["features"]) == len(sample_analysis.dataset.voorzieningen)
    assert client.get("/export/atlantis").status_code == 404
    assert client.get("/export/buurten", params={"format": "shp"}).status_code == 422
    assert client.get("/export/buurten", params={"crs": "EPSG:3857"}).status_code == 422


@pytest.mark.e2e
def test_downloads_from_the_running_service_reimport(
    live_server: str, sample_store: GeoPackageStore, tmp_path: Path
) -> None:
    before = sample_store.read()
    for fmt, crs in (("gpkg", "EPSG:28992"), ("geojson", "EPSG:4326")):
        response = httpx.get(
            f"{live_server}/export/buurten", params={"format": fmt, "crs": crs}, timeout=30
        )
        assert response.status_code == 200
        path = tmp_path / f"download.{fmt}"
        path.write_bytes(response.content)
        _same_buurten(read_buurten(path, vocabulary=VOCABULARY), before.buurten, TOLERANCE_M[crs])


def test_wsz_export_writes_each_format(
    sample_store: GeoPackageStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = ["--store", str(sample_store.path)]
    gpkg = tmp_path / "out" / "buurten.gpkg"
    assert main([*store, "export", "buurten", "-o", str(gpkg), "--crs", "EPSG:28992"]) == 0
    assert capsys.readouterr().out.strip() == str(gpkg)
    _same_buurten(
        read_buurten(gpkg, vocabulary=VOCABULARY),
        sample_store.read().buurten,
        TOLERANCE_M["EPSG:28992"],
    )
    geojson = tmp_path / "zones.json"
    assert main([*store, "export", "zones", "-o", str(geojson)]) == 0
    assert "crs" not in json.loads(geojson.read_text())
    csv = tmp_path / "coverage.txt"
    assert main([*store, "export", "coverage", "-o", str(csv), "--format", "csv"]) == 0
    assert csv.read_text().splitlines()[0].endswith(",WKT")
    assert main([*store, "export", "zones", "-o", str(tmp_path / "zones.shp")]) == 1
    assert main([*store, "export", "zones", "-o", str(geojson), "--crs", "EPSG:3857"]) == 1
    gaps = tmp_path / "gaps.gpkg"
    assert main([*store, "export", "gaps", "-o", str(gaps), "--crs", "EPSG:28992"]) == 0
    assert pyogrio.read_info(gaps)["features"] > 0


def _same_buurten(read: gpd.GeoDataFrame, want: gpd.GeoDataFrame, tolerance_m: float) -> None:
    read = read.set_index("bu_code")
    want = want.set_index("bu_code")
    assert list(read.index) == list(want.index)
    for column in want.columns.drop(["geometry", "zone_code"], errors="ignore"):
        if pd.api.types.is_numeric_dtype(want[column]):
            np.testing.assert_allclose(read[column].astype(float), want[column].astype(float))
        else:
            assert list(read[column].fillna("")) == list(want[column].fillna("")), column
    rd = read.to_crs(28992).geometry
    distances = shapely.hausdorff_distance(rd.to_numpy(), want.geometry.to_numpy())
    assert float(np.max(distances)) <= tolerance_m


def _same_voorzieningen(read: gpd.GeoDataFrame, want: gpd.GeoDataFrame, tolerance_m: float) -> None:
    read = read.set_index("id")
    want = want.set_index("id")
    assert list(read.index) == list(want.index)
    for column in ("name", "category"):
        assert list(read[column]) == list(want[column])
    distances = read.to_crs(28992).geometry.distance(want.geometry)
    assert float(distances.max()) <= tolerance_m
