"""Reading CBS buurten in every format and column-name variant, and refusing bad files."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geo.crs import WORKING_CRS
from geo.errors import CrsError, GeometryError, MissingColumnError, ReadError, ValueProblemError
from geo.read.buurten import BUURT_COLUMNS, read_buurten
from geo.read.options import ReadOptions
from tests.conftest import SNAKE_CASE_BUURTEN, VOCABULARY

#: The sample's columns renamed to the Shapefile names CBS used up to 2021.
SHAPEFILE_NAMES = {
    "buurtcode": "BU_CODE",
    "buurtnaam": "BU_NAAM",
    "wijkcode": "WK_CODE",
    "gemeentecode": "GM_CODE",
    "gemeentenaam": "GM_NAAM",
    "aantal_inwoners": "AANT_INW",
    "percentage_personen_65_jaar_en_ouder": "P_65_EO_JR",
}


def raw_sample() -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(SNAKE_CASE_BUURTEN)


def shapefile_frame() -> gpd.GeoDataFrame:
    """The sample as CBS's Shapefile has it (names of at most 10 characters)."""
    return raw_sample().rename(columns=SHAPEFILE_NAMES).drop(columns=["oppervlakte_totaal_in_ha"])


def write_cbs_zip(folder: Path) -> Path:
    """A zip laid out like CBS's: a subfolder with buurt and wijk Shapefiles side by side."""
    shp_dir = folder / "WijkBuurtkaart_2021_v1"
    shp_dir.mkdir()
    frame = shapefile_frame()
    frame.to_file(shp_dir / "buurt_2021_v1.shp", engine="pyogrio")
    wijken = frame.dissolve(by="WK_CODE").reset_index()[["WK_CODE", "geometry"]]
    wijken.to_file(shp_dir / "wijk_2021_v1.shp", engine="pyogrio")
    archive = folder / "WijkBuurtkaart_2021_v1.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in shp_dir.iterdir():
            zipped.write(file, f"{shp_dir.name}/{file.name}")
    return archive


def test_sample_geopackage_is_read_into_rd_new_with_canonical_columns() -> None:
    buurten = read_buurten(SNAKE_CASE_BUURTEN, vocabulary=VOCABULARY)
    distances = ["cbs_huisarts_km", "cbs_apotheek_km", "cbs_supermarkt_km"]  # NaN: no such columns
    assert list(buurten.columns) == [*BUURT_COLUMNS, *distances, "geometry"]
    assert buurten.crs == WORKING_CRS
    assert len(buurten) == 22
    assert buurten["bu_code"].is_unique
    assert buurten.geometry.is_valid.all()


def test_cbs_sentinels_become_missing_and_never_enter_sums() -> None:
    buurten = read_buurten(SNAKE_CASE_BUURTEN, vocabulary=VOCABULARY).set_index("bu_code")
    assert np.isnan(buurten.loc["BU03560704", "residents"])  # -99999999, water
    assert np.isnan(buurten.loc["BU03560802", "residents"])  # -99999997, secret
    assert buurten.loc["BU03560801", "residents"] == 0  # a real zero stays zero
    assert buurten["residents"].sum() == 57_840
    assert (buurten["residents_65plus"].dropna() >= 0).all()
    # 65+ from the percentage where CBS gives no count
    assert buurten.loc["BU03560101", "residents_65plus"] == pytest.approx(3120 * 0.24)


def test_zipped_shapefile_with_upper_case_columns_picks_the_buurt_layer(tmp_path: Path) -> None:
    buurten = read_buurten(write_cbs_zip(tmp_path), vocabulary=VOCABULARY)
    expected = read_buurten(SNAKE_CASE_BUURTEN, vocabulary=VOCABULARY)
    assert list(buurten["bu_code"]) == list(expected["bu_code"])
    assert buurten["residents"].sum() == expected["residents"].sum()
    assert buurten.crs == WORKING_CRS


def test_a_layer_in_a_zip_can_be_chosen_by_name(tmp_path: Path) -> None:
    archive = write_cbs_zip(tmp_path)
    with pytest.raises(MissingColumnError, match="BU_CODE"):
        read_buurten(archive, ReadOptions(layer="wijk_2021_v1"), vocabulary=VOCABULARY)


@pytest.mark.parametrize("suffix", [".shp", ".geojson", ".gpkg"])
def test_every_vector_format_gives_the_same_buurten(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"buurten{suffix}"
    frame = shapefile_frame() if suffix == ".shp" else raw_sample()
    if suffix == ".geojson":
        frame = frame.to_crs(4326)  # RFC 7946 GeoJSON is lon/lat
    frame.to_file(path, engine="pyogrio")
    buurten = read_buurten(path, vocabulary=VOCABULARY)
    expected = read_buurten(SNAKE_CASE_BUURTEN, vocabulary=VOCABULARY)
    assert list(buurten["bu_code"]) == list(expected["bu_code"])
    # Reprojection round trip: areas agree to well under a square metre per hectare.
    np.testing.assert_allclose(buurten.area, expected.area, rtol=1e-4)


def test_legacy_rd_geojson_needs_its_crs_stated(tmp_path: Path) -> None:
    """Dutch tools write GeoJSON in RD New without a crs member: refused unless stated."""
    path = tmp_path / "legacy.geojson"
    document = json.loads(raw_sample().to_json())
    document.pop("crs", None)
    path.write_text(json.dumps(document))
    with pytest.raises(CrsError, match="lon/lat swapped or is the stated CRS wrong"):
        read_buurten(path, vocabulary=VOCABULARY)
    assert len(read_buurten(path, ReadOptions(crs="EPSG:28992"), vocabulary=VOCABULARY)) == 22


def test_gemeente_filter_and_unknown_gemeente(tmp_path: Path) -> None:
    assert (
        len(read_buurten(SNAKE_CASE_BUURTEN, ReadOptions(gemeente="GM0356"), vocabulary=VOCABULARY))
        == 22
    )
    with pytest.raises(ValueProblemError, match="no buurten of gemeente GM0344; found GM0356"):
        read_buurten(SNAKE_CASE_BUURTEN, ReadOptions(gemeente="GM0344"), vocabulary=VOCABULARY)


# --------------------------------------------------------------------------- bad input


def test_malformed_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"this is not a GeoPackage")
    with pytest.raises(ReadError, match=re.escape("broken.gpkg")):
        read_buurten(path, vocabulary=VOCABULARY)


def test_truncated_geojson_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "truncated.geojson"
    path.write_text(raw_sample().to_crs(4326).to_json()[:500])
    with pytest.raises(ReadError, match=re.escape("truncated.geojson")):
        read_buurten(path, vocabulary=VOCABULARY)


def test_missing_column_is_named_with_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "no_residents.gpkg"
    raw_sample().drop(columns=["aantal_inwoners"]).to_file(path, engine="pyogrio")
    with pytest.raises(MissingColumnError, match="residents: one of AANT_INW") as info:
        read_buurten(path, vocabulary=VOCABULARY)
    assert "buurtcode" in str(info.value)


def test_unknown_crs_is_refused() -> None:
    with pytest.raises(CrsError, match="unknown coordinate reference system 'EPSG:999999'"):
        read_buurten(SNAKE_CASE_BUURTEN, ReadOptions(crs="EPSG:999999"), vocabulary=VOCABULARY)


def test_shapefile_without_prj_states_no_crs(tmp_path: Path) -> None:
    path = tmp_path / "buurten.shp"
    shapefile_frame().to_file(path, engine="pyogrio")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CrsError, match="states no coordinate reference system"):
        read_buurten(path, vocabulary=VOCABULARY)


def bowtie_sample(tmp_path: Path) -> Path:
    frame = raw_sample()
    x, y = frame.geometry.iloc[3].centroid.coords[0]
    frame.loc[3, "geometry"] = shapely.Polygon(
        [(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)]
    )
    path = tmp_path / "bowtie.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def test_invalid_geometry_is_refused_naming_the_buurt(tmp_path: Path) -> None:
    with pytest.raises(GeometryError, match=r"BU03560201: Self-intersection.*--repair"):
        read_buurten(bowtie_sample(tmp_path), vocabulary=VOCABULARY)


def test_invalid_geometry_is_repaired_on_request(tmp_path: Path) -> None:
    buurten = read_buurten(bowtie_sample(tmp_path), ReadOptions(repair=True), vocabulary=VOCABULARY)
    assert buurten.geometry.is_valid.all()
    assert set(buurten.geom_type) <= {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize(
    ("code", "message"),
    [("BU0356010", "malformed buurt code"), ("BU03560102", "occur twice: BU03560102")],
)
def test_bad_buurt_codes_are_refused(tmp_path: Path, code: str, message: str) -> None:
    frame = raw_sample()
    frame.loc[0, "buurtcode"] = code
    path = tmp_path / "codes.gpkg"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(ValueProblemError, match=message):
        read_buurten(path, vocabulary=VOCABULARY)


def test_points_are_not_buurten(tmp_path: Path) -> None:
    frame = raw_sample()
    frame["geometry"] = frame.geometry.centroid
    path = tmp_path / "points.gpkg"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(GeometryError, match="must be polygons"):
        read_buurten(path, vocabulary=VOCABULARY)
