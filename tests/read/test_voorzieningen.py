"""Reading voorzieningen from GeoJSON and CSV, with categories from the vocabulary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.crs import WORKING_CRS
from geo.errors import (
    CrsError,
    GeometryError,
    MissingColumnError,
    ReadError,
    UnknownCategoryError,
    ValueProblemError,
)
from geo.read.options import ReadOptions
from geo.read.voorzieningen import (
    VOORZIENING_COLUMNS,
    VOORZIENING_DETAIL_COLUMNS,
    read_voorzieningen,
)
from geo.settings import Settings
from geo.vocabulary import Vocabulary
from tests.conftest import SAMPLE_HUISARTSEN, SAMPLE_VOORZIENINGEN


@pytest.fixture
def vocabulary(settings: Settings) -> Vocabulary:
    return settings.vocabulary


def test_geojson_categories_from_column_aliases_and_osm_tags(vocabulary: Vocabulary) -> None:
    frame = read_voorzieningen(SAMPLE_VOORZIENINGEN, vocabulary)
    assert list(frame.columns) == [*VOORZIENING_COLUMNS, *VOORZIENING_DETAIL_COLUMNS, "geometry"]
    assert frame.crs == WORKING_CRS
    assert len(frame) == 34
    category = frame.set_index("id")["category"]
    assert category["wsz-o-3"] == "ontmoetingsplek"  # alias "huiskamer"
    assert category["wsz-w-3"] == "steunpunt"  # "Dienstencentrum", case-insensitive
    assert category["osm-n101"] == "ontmoetingsplek"  # amenity=community_centre
    assert category["osm-n102"] == "steunpunt"  # amenity=social_facility + outreach
    assert category["osm-n201"] == "apotheek"  # amenity=pharmacy
    assert category["osm-n301"] == "supermarkt"  # shop=supermarket
    assert frame["category"].value_counts().to_dict() == {
        "supermarkt": 12,
        "ontmoetingsplek": 11,
        "apotheek": 6,
        "steunpunt": 5,
    }
    assert frame["name"].str.endswith("(synthetisch)").all()
    assert set(frame.geom_type) == {"Point"}


def test_polygon_is_reduced_to_a_point_on_it(vocabulary: Vocabulary) -> None:
    import geopandas as gpd

    raw = gpd.read_file(SAMPLE_VOORZIENINGEN).to_crs(WORKING_CRS).set_index("id")
    frame = read_voorzieningen(SAMPLE_VOORZIENINGEN, vocabulary).set_index("id")
    assert raw.loc["osm-w401"].geometry.geom_type == "Polygon"
    assert raw.loc["osm-w401"].geometry.buffer(1e-6).contains(frame.loc["osm-w401"].geometry)


def test_rd_csv_with_detected_crs(vocabulary: Vocabulary) -> None:
    frame = read_voorzieningen(SAMPLE_HUISARTSEN, vocabulary)
    assert len(frame) == 14
    assert frame["category"].value_counts().to_dict() == {"huisarts": 11, "gezondheidscentrum": 3}
    assert frame.geometry.x.iloc[0] == pytest.approx(133970.1)


def test_lonlat_csv_with_semicolons_and_decimal_commas(
    tmp_path: Path, vocabulary: Vocabulary
) -> None:
    path = tmp_path / "apotheken.csv"
    path.write_text("naam;lengtegraad;breedtegraad\nApotheek A;5,0912;52,0301\n", encoding="utf-8")
    frame = read_voorzieningen(path, vocabulary, ReadOptions(category="apotheek"))
    assert frame["category"].tolist() == ["apotheek"]
    assert frame["id"].tolist() == ["apotheken-1"]
    assert 130_000 < frame.geometry.x.iloc[0] < 140_000


def test_unknown_categories_are_listed_with_counts(tmp_path: Path, vocabulary: Vocabulary) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "id,categorie,x,y\n1,huisarts,134000,449000\n2,bakker,134100,449000\n"
        "3,bakker,134200,449000\n"
    )
    with pytest.raises(UnknownCategoryError, match=r"'bakker' \(2×\).*Known categories"):
        read_voorzieningen(path, vocabulary)


def test_unknown_category_for_the_whole_file(vocabulary: Vocabulary) -> None:
    with pytest.raises(UnknownCategoryError, match="unknown category 'kapper'"):
        read_voorzieningen(SAMPLE_HUISARTSEN, vocabulary, ReadOptions(category="kapper"))


def test_non_numeric_coordinates_name_the_line(tmp_path: Path, vocabulary: Vocabulary) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,categorie,x,y\n1,huisarts,134000,449000\n2,huisarts,onbekend,449000\n")
    with pytest.raises(ValueProblemError, match=r"column x .* line\(s\) 3"):
        read_voorzieningen(path, vocabulary)


def test_missing_coordinate_columns(tmp_path: Path, vocabulary: Vocabulary) -> None:
    path = tmp_path / "nocoords.csv"
    path.write_text("id,categorie,adres\n1,huisarts,Markt 1\n")
    with pytest.raises(MissingColumnError, match="no coordinate columns found"):
        read_voorzieningen(path, vocabulary)


def test_coordinates_that_fit_no_crs(tmp_path: Path, vocabulary: Vocabulary) -> None:
    path = tmp_path / "far.csv"
    path.write_text("id,categorie,x,y\n1,huisarts,9000000,9000000\n")
    with pytest.raises(ValueProblemError, match="cannot tell the CRS"):
        read_voorzieningen(path, vocabulary)


def test_swapped_lonlat_is_caught(tmp_path: Path, vocabulary: Vocabulary) -> None:
    path = tmp_path / "swapped.csv"
    path.write_text("id,categorie,lon,lat\n1,huisarts,52.03,5.09\n")
    with pytest.raises(CrsError, match="lon/lat swapped"):
        read_voorzieningen(path, vocabulary)


def test_duplicate_ids_are_refused(tmp_path: Path, vocabulary: Vocabulary) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text("id,categorie,x,y\n7,huisarts,134000,449000\n7,apotheek,134100,449000\n")
    with pytest.raises(ValueProblemError, match="id\\(s\\) occur twice: 7"):
        read_voorzieningen(path, vocabulary)


def test_feature_without_geometry(tmp_path: Path, vocabulary: Vocabulary) -> None:
    path = tmp_path / "nogeom.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,'
        '"properties":{"id":"x","categorie":"huisarts"}}]}'
    )
    with pytest.raises(GeometryError, match="without geometry"):
        read_voorzieningen(path, vocabulary)


def test_malformed_and_empty_files(tmp_path: Path, vocabulary: Vocabulary) -> None:
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(ReadError, match=re.escape("broken.geojson")):
        read_voorzieningen(broken, vocabulary)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ReadError, match=re.escape("empty.csv")):
        read_voorzieningen(empty, vocabulary)
