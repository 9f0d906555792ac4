"""The real CBS formats joined: PDOK geometry with Kerncijfers by code, StatLine's nabijheid
export (semicolons, decimal commas), two tables on one geometry, on the command line, and
CBS's distances through the store and the API schema.

The files are read in place from ../shared/data/cbs (tests/read/cbs_support.py), never copied
into the project; files written to ``tmp_path`` are derived variants (a column dropped,
decimals as commas) or synthetic geometry for Utrecht's real codes.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.errors import CrsError, MissingColumnError
from geo.read.buurten import BUURT_COLUMNS, load_buurten, read_buurten
from geo.read.cbs import StatisticsJoinWarning, read_statistics
from geo.read.options import ReadOptions
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from tests.conftest import VOCABULARY, fingerprint, requires_shared_data
from tests.imports import import_file
from tests.read.cbs_support import (
    DISTANCES,
    NABIJHEID,
    NIEUWEGEIN_CSV,
    NIEUWEGEIN_GPKG,
    PDOK_GEOJSON,
    UTRECHT_CSV,
    UTRECHT_KWB,
    utrecht_test_geometry,
)

# --------------------------------------------------------------------------- PDOK + statistics


@requires_shared_data(PDOK_GEOJSON, NIEUWEGEIN_CSV, NIEUWEGEIN_GPKG)
def test_pdok_geometry_joined_to_kerncijfers_by_code() -> None:
    loaded = load_buurten(PDOK_GEOJSON, statistics=NIEUWEGEIN_CSV, vocabulary=VOCABULARY)
    buurten = loaded.frame
    assert len(buurten) == 39
    assert buurten["residents"].sum() == 65_955
    assert buurten["residents_65plus"].sum() == 14_280
    (join,) = loaded.joins
    assert join.matched == 39
    assert join.complete
    assert "AANT_INW" in join.columns
    # Same buurten, figures and distances as the ready-joined GeoPackage.
    expected = read_buurten(NIEUWEGEIN_GPKG, vocabulary=VOCABULARY)
    pd.testing.assert_frame_equal(
        buurten.drop(columns="geometry"), expected.drop(columns="geometry")
    )
    assert buurten.geom_equals_exact(expected, tolerance=1e-6).all()


@requires_shared_data(PDOK_GEOJSON)
def test_pdok_geometry_alone_has_no_residents_column() -> None:
    with pytest.raises(MissingColumnError, match=r"residents: one of AANT_INW.*--statistics"):
        read_buurten(PDOK_GEOJSON, vocabulary=VOCABULARY)


def _without_crs_member(tmp_path: Path) -> Path:
    document = json.loads(PDOK_GEOJSON.read_text(encoding="utf-8"))
    assert document.pop("crs")["properties"]["name"] == "urn:ogc:def:crs:EPSG::28992"
    path = tmp_path / "buurten_no_crs.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@requires_shared_data(PDOK_GEOJSON, NIEUWEGEIN_CSV)
def test_pdok_geometry_without_its_crs_member_is_refused_unless_stated(tmp_path: Path) -> None:
    """RD New coordinates read as RFC 7946 lon/lat: every feature is named, with the reason."""
    path = _without_crs_member(tmp_path)
    with pytest.raises(CrsError, match="lon/lat swapped or is the stated CRS wrong") as info:
        read_buurten(path, statistics=NIEUWEGEIN_CSV, vocabulary=VOCABULARY)
    assert info.value.total == 39
    first = info.value.problems[0]
    assert (first.index, first.id) == (0, "BU03560101")
    assert "look like RD New metres (EPSG:28992)" in first.reason
    stated = read_buurten(
        path, ReadOptions(crs="EPSG:28992"), statistics=NIEUWEGEIN_CSV, vocabulary=VOCABULARY
    )
    assert stated["residents"].sum() == 65_955


@requires_shared_data(PDOK_GEOJSON, NIEUWEGEIN_CSV, UTRECHT_CSV)
def test_codes_on_one_side_only_are_listed(tmp_path: Path) -> None:
    """Two Nieuwegein rows left out of the table, two Utrecht rows added to it."""
    lines = NIEUWEGEIN_CSV.read_text(encoding="utf-8").splitlines()
    utrecht = UTRECHT_CSV.read_text(encoding="utf-8").splitlines()
    assert lines[0] == utrecht[0]  # same columns
    dropped = [line.split(",")[0] for line in lines[1:3]]
    table = tmp_path / "partial.csv"
    table.write_text("\n".join([lines[0], *lines[3:], *utrecht[1:3]]) + "\n", encoding="utf-8")
    with pytest.warns(StatisticsJoinWarning) as record:
        buurten = read_buurten(PDOK_GEOJSON, statistics=table, vocabulary=VOCABULARY)
    warning = record[0].message
    assert isinstance(warning, StatisticsJoinWarning)
    join = warning.join
    assert join.matched == 37
    assert list(join.geometry_only) == dropped == ["BU03560101", "BU03560102"]
    assert list(join.statistics_only) == ["BU03440111", "BU03440112"]
    assert "dropped: BU03440111, BU03440112" in str(record[0].message)
    assert len(buurten) == 39  # geometry without statistics is kept, with missing figures
    by_code = buurten.set_index("bu_code")
    assert by_code.loc[dropped, "residents"].isna().all()
    assert by_code.loc[dropped, "bu_naam"].tolist() == ["Jutphaas", "Wijkersloot-Oost"]
    assert buurten["residents"].sum() == 65_955 - 2200 - 2725


@requires_shared_data(PDOK_GEOJSON, NIEUWEGEIN_CSV, UTRECHT_CSV)
def test_gemeente_filter_applies_to_the_statistics_too(tmp_path: Path) -> None:
    """With --gemeente, other gemeenten's rows in a national table are not 'unmatched'."""
    table = tmp_path / "two_gemeenten.csv"
    utrecht = UTRECHT_CSV.read_text(encoding="utf-8").splitlines()
    table.write_text(NIEUWEGEIN_CSV.read_text(encoding="utf-8") + "\n".join(utrecht[1:]) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", StatisticsJoinWarning)
        loaded = load_buurten(
            PDOK_GEOJSON, ReadOptions(gemeente="GM0356"), statistics=table, vocabulary=VOCABULARY
        )
    assert loaded.joins[0].complete
    assert loaded.frame["residents"].sum() == 65_955


# --------------------------------------------------------------------------- StatLine nabijheid


@requires_shared_data(NABIJHEID)
def test_statline_nabijheid_export_is_a_statistics_table() -> None:
    """`;`, BOM, long path headers, codes padded with spaces, '.' for secret values."""
    statistics = read_statistics(NABIJHEID, vocabulary=VOCABULARY)
    table = statistics.table
    assert len(table) == 111  # 123 rows: Nederland, Utrecht, 10 wijken, 111 buurten
    assert statistics.found["bu_code"] == "Regioaanduiding/Codering (code)"
    assert statistics.found["cbs_supermarkt_km"].endswith("Afstand tot grote supermarkt (km)")
    assert statistics.found["cbs_apotheek_km"] == "Gezondheid en welzijn/Afstand tot apotheek (km)"
    assert table.index[0] == "BU03440111"  # padding stripped
    assert table.loc["BU03440111", "gm_naam"] == "Utrecht"
    supermarket = table["cbs_supermarkt_km"]
    assert supermarket.notna().sum() == 109  # two buurten secret
    assert (supermarket.min(), supermarket.max()) == (0.2, 2.7)
    # In this 2023 export CBS published no huisarts or apotheek distance per buurt.
    assert table["cbs_huisarts_km"].isna().all()
    assert table["cbs_apotheek_km"].isna().all()


@requires_shared_data(NABIJHEID)
def test_decimal_commas_read_as_decimals(tmp_path: Path) -> None:
    """The same export with decimal commas (StatLine's Dutch setting) gives the same numbers."""
    text = NABIJHEID.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    body = [
        ";".join(c.replace(".", ",") if c.strip(' "') != "." else c for c in line.split(";"))
        for line in lines[1:]
    ]
    path = tmp_path / "nabijheid_komma.csv"
    path.write_text("\ufeff" + "\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    commas = read_statistics(path, vocabulary=VOCABULARY).table
    points = read_statistics(NABIJHEID, vocabulary=VOCABULARY).table
    pd.testing.assert_series_equal(commas["cbs_supermarkt_km"], points["cbs_supermarkt_km"])


@requires_shared_data(UTRECHT_CSV, UTRECHT_KWB[2024], NABIJHEID)
def test_two_statistics_tables_kwb_then_nabijheid(tmp_path: Path) -> None:
    """Residents from CBS's KWB file, distances from the StatLine export (the later wins)."""
    geometry = utrecht_test_geometry(tmp_path)
    loaded = load_buurten(
        geometry, statistics=[UTRECHT_KWB[2024], NABIJHEID], vocabulary=VOCABULARY
    )
    buurten = loaded.frame
    assert len(buurten) == 111
    assert [j.matched for j in loaded.joins] == [111, 111]
    assert buurten["residents"].sum() == 374_200
    assert buurten["residents_65plus"].sum() == 40_285
    assert buurten["cbs_supermarkt_km"].notna().sum() == 109
    assert buurten["bu_naam"].iloc[0] == "Welgelegen, Den Hommel"


@requires_shared_data(UTRECHT_CSV, UTRECHT_KWB[2024], NABIJHEID)
def test_cli_imports_geometry_with_statistics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.gpkg"
    monkeypatch.setenv("WSZ_STORE_PATH", str(store))
    monkeypatch.setenv("WSZ_MAP_TILES", "none")
    geometry = utrecht_test_geometry(tmp_path)
    argv = ["import", "buurten", str(geometry)]
    assert (
        main([*argv, "--statistics", str(UTRECHT_KWB[2024]), "--statistics", str(NABIJHEID)]) == 0
    )
    captured = capsys.readouterr()
    assert "Store holds 111 buurten" in captured.out
    assert "joined by buurt code: 111 buurt(en) matched" in captured.err
    stored = GeoPackageStore(store).read().buurten
    assert stored["residents"].sum() == 374_200
    assert stored["cbs_supermarkt_km"].notna().sum() == 109


@requires_shared_data(NIEUWEGEIN_GPKG, PDOK_GEOJSON)
def test_cli_refuses_a_table_without_codes_and_keeps_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.gpkg"
    monkeypatch.setenv("WSZ_STORE_PATH", str(store))
    assert main(["import", "buurten", str(NIEUWEGEIN_GPKG)]) == 0
    before = fingerprint(store)
    table = tmp_path / "no_codes.csv"
    table.write_text("naam;inwoners\nJutphaas;2200\n", encoding="utf-8")
    assert main(["import", "buurten", str(PDOK_GEOJSON), "--statistics", str(table)]) == 1
    assert "no buurt code column" in capsys.readouterr().err
    assert fingerprint(store) == before


# --------------------------------------------------------------------------- store and API


@requires_shared_data(NIEUWEGEIN_GPKG)
def test_cbs_distances_survive_the_store(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "store.gpkg")
    dataset = import_file(store, "buurten", NIEUWEGEIN_GPKG)
    stored = store.read().buurten
    for dataset_buurten in (dataset.buurten, stored):
        assert [c for c in dataset_buurten.columns if c.startswith("cbs_")] == DISTANCES
    np.testing.assert_array_equal(
        stored["cbs_huisarts_km"].to_numpy(), dataset.buurten["cbs_huisarts_km"].to_numpy()
    )
    assert stored["cbs_apotheek_km"].isna().all()
    assert stored["cbs_apotheek_km"].dtype == float


@requires_shared_data(NIEUWEGEIN_GPKG)
def test_cbs_distances_validate_against_the_buurt_schema(tmp_path: Path) -> None:
    from geo.ask.geojson import feature_collection
    from geo.crs import to_edge_crs
    from service.schemas.features import BuurtProperties, FeatureCollection

    buurten = import_file(GeoPackageStore(tmp_path / "s.gpkg"), "buurten", NIEUWEGEIN_GPKG).buurten
    columns = [*BUURT_COLUMNS, "zone_code", *DISTANCES]
    body = feature_collection(to_edge_crs(buurten), columns)
    collection = FeatureCollection[BuurtProperties].model_validate_json(body)
    extra = collection.features[0].properties.model_extra
    assert extra == {"cbs_huisarts_km": 0.5, "cbs_apotheek_km": None, "cbs_supermarkt_km": 0.4}
    schema = BuurtProperties.model_json_schema()
    assert schema["additionalProperties"] is False
    assert list(schema["patternProperties"]) == [r"^cbs_[a-z][a-z0-9_]*_km$"]
