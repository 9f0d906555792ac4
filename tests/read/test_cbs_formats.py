"""The real CBS formats, read from ../shared/data/cbs through the real readers.

Every expected count and total comes from that folder's SOURCES.md (or, where it gives none,
from the file itself, said so). The files are read in place, never copied into the project;
files written to ``tmp_path`` are derived variants (a column dropped, decimals as commas).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.common.text import find_column
from geo.crs import WORKING_CRS
from geo.errors import CrsError, MissingColumnError, ValueProblemError
from geo.read.buurten import BUURT_COLUMNS, load_buurten, read_buurten
from geo.read.cbs import BUURT_COLUMN_VARIANTS, StatisticsJoinWarning, cbs_numbers, read_statistics
from geo.read.options import ReadOptions
from geo.settings import PROJECT_ROOT
from geo.store.geopackage import GeoPackageStore
from geo.vocabulary import default_vocabulary
from service.cli import main
from tests.conftest import VOCABULARY, fingerprint
from tests.imports import import_file

CBS = PROJECT_ROOT.parent / "shared" / "data" / "cbs"
NIEUWEGEIN_GPKG = CBS / "buurten_GM0356_2023geom_kwb2024.gpkg"
DELFT_GPKG = CBS / "buurten_GM0503_2023geom_kwb2024.gpkg"
PDOK_GEOJSON = CBS / "buurten_GM0356_2023_gegeneraliseerd.geojson"
NIEUWEGEIN_CSV = CBS / "kwb2024_buurten_GM0356.csv"
UTRECHT_KWB = {
    2023: CBS / "kwb2023_GM0344_Utrecht_cbs_original.csv",
    2024: CBS / "kwb2024_GM0344_Utrecht_cbs_original.csv",
}
UTRECHT_CSV = CBS / "kwb2024_buurten_GM0344.csv"
NABIJHEID = CBS / "nabijheid2023_buurt_GM0344_Utrecht_statline.csv"
DISTANCES = ["cbs_huisarts_km", "cbs_apotheek_km", "cbs_supermarkt_km"]


# --------------------------------------------------------------------------- classic columns


def test_nieuwegein_geopackage_with_classic_columns() -> None:
    """SOURCES.md: 39 buurten, 65,955 residents, 14,280 aged 65+, no missing residents."""
    buurten = read_buurten(NIEUWEGEIN_GPKG, vocabulary=VOCABULARY)
    assert list(buurten.columns) == [*BUURT_COLUMNS, *DISTANCES, "geometry"]
    assert buurten.crs == WORKING_CRS
    assert len(buurten) == 39
    assert buurten["bu_code"].str.startswith("BU0356").all()
    assert buurten["residents"].sum() == 65_955
    assert buurten["residents_65plus"].sum() == 14_280
    assert buurten["residents"].notna().all()
    assert buurten.geometry.is_valid.all()
    assert buurten.area.sum() / 1e6 == pytest.approx(25.3, abs=0.05)  # km², SOURCES.md
    first = buurten.set_index("bu_code").loc["BU03560101"]
    assert first["bu_naam"] == "Jutphaas"
    assert first["wk_code"] == "WK035601"
    # CBS nabijheid: AF_ARTSPR and AF_SUPERM (km over roads); the file has no apotheek column.
    assert (first["cbs_huisarts_km"], first["cbs_supermarkt_km"]) == (0.5, 0.4)
    assert buurten["cbs_huisarts_km"].notna().all()
    assert buurten["cbs_apotheek_km"].isna().all()


def test_delft_geopackage_with_its_five_buurten_without_residents() -> None:
    """SOURCES.md: 91 buurten, 109,590 residents, 17,825 aged 65+, 5 rows without residents."""
    buurten = read_buurten(DELFT_GPKG, ReadOptions(gemeente="GM0503"), vocabulary=VOCABULARY)
    assert len(buurten) == 91
    assert buurten["residents"].sum() == 109_590
    assert buurten["residents_65plus"].sum() == 17_825
    without = set(buurten.loc[buurten["residents"].isna(), "bu_code"])
    assert without == {"BU05031100", "BU05031300", "BU05031601", "BU05032205", "BU05032807"}
    # Secret distances stay missing (9 buurten in the file), never zero.
    assert buurten["cbs_huisarts_km"].isna().sum() == 9
    assert (buurten["cbs_huisarts_km"].dropna() > 0).all()


# --------------------------------------------------------------------------- KWB 2023+ columns


@pytest.mark.parametrize(
    ("year", "residents", "residents_65plus"),
    [
        # 2024: SOURCES.md gives 374,200 and 40,285 over Utrecht's buurten (kwb2024_buurten).
        (2024, 374_200, 40_285),
        # 2023: no total in SOURCES.md; these are the sums of a_inw / a_65_oo over the file's
        # 111 buurt rows (its gemeente row says 367,947 and 39,373: CBS rounds each buurt).
        (2023, 367_715, 39_405),
    ],
)
def test_kwb_lower_case_columns_keep_only_buurt_rows(
    year: int, residents: int, residents_65plus: int
) -> None:
    statistics = read_statistics(UTRECHT_KWB[year], vocabulary=VOCABULARY)
    table = statistics.table
    assert len(table) == 111  # 122 rows: 1 gemeente, 10 wijken, 111 buurten
    assert statistics.found["bu_code"] == "gwb_code_10"
    assert statistics.found["residents"] == "a_inw"
    assert statistics.found["residents_65plus"] == "a_65_oo"
    assert statistics.found["cbs_huisarts_km"] == "g_afs_hp"
    assert statistics.found["cbs_supermarkt_km"] == "g_afs_gs"
    assert table.index.str.match(r"^BU0344\d{4}$").all()
    assert table["residents"].sum() == residents
    assert table["residents_65plus"].sum() == residents_65plus
    assert table.loc["BU03440111", "bu_naam"] == "Welgelegen, Den Hommel"
    # Every distance is "." in these files: secret → missing, never 0.
    assert table["cbs_huisarts_km"].isna().all()
    assert table["cbs_supermarkt_km"].isna().all()


# (file, buurten, sum of residents, sum of 65+, rows without residents): SOURCES.md's tables.
KWB2024_TABLES = [
    ("kwb2024_buurten_GM0356.csv", 39, 65_955, 14_280, 0),
    ("kwb2024_buurten_GM0344.csv", 111, 374_200, 40_285, 2),
    ("kwb2024_buurten_GM0363.csv", 517, 931_300, 126_475, 24),
    ("kwb2024_buurten_GM0518.csv", 114, 566_175, 85_940, 3),
    ("kwb2024_buurten_GM0606.csv", 70, 81_835, 14_335, 5),
    ("kwb2024_buurten_GM0957.csv", 36, 60_755, 13_600, 0),
    ("kwb2024_buurten_GM0503.csv", 91, 109_590, 17_825, 5),
]


@pytest.mark.parametrize(
    ("name", "n_buurten", "residents", "residents_65plus", "without"),
    KWB2024_TABLES,
    ids=[t[0] for t in KWB2024_TABLES],
)
def test_kwb2024_buurten_tables(
    name: str, n_buurten: int, residents: int, residents_65plus: int, without: int
) -> None:
    table = read_statistics(CBS / name, vocabulary=VOCABULARY).table
    assert len(table) == n_buurten
    assert table["residents"].sum() == residents
    assert table["residents_65plus"].sum() == residents_65plus
    assert int(table["residents"].isna().sum()) == without
    assert table.index.is_unique


def test_amsterdam_alphanumeric_codes_are_buurt_codes() -> None:
    """Since 2024 Amsterdam's codes have letters (BU0363AA01); they are not malformed."""
    table = read_statistics(CBS / "kwb2024_buurten_GM0363.csv", vocabulary=VOCABULARY).table
    assert "BU0363AA01" in table.index
    assert table.loc["BU0363AA01", "wk_code"] == "WK0363AA"


# --------------------------------------------------------------------------- PDOK + statistics


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


def test_pdok_geometry_alone_has_no_residents_column() -> None:
    with pytest.raises(MissingColumnError, match=r"residents: one of AANT_INW.*--statistics"):
        read_buurten(PDOK_GEOJSON, vocabulary=VOCABULARY)


def _without_crs_member(tmp_path: Path) -> Path:
    document = json.loads(PDOK_GEOJSON.read_text(encoding="utf-8"))
    assert document.pop("crs")["properties"]["name"] == "urn:ogc:def:crs:EPSG::28992"
    path = tmp_path / "buurten_no_crs.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


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


def utrecht_test_geometry(tmp_path: Path) -> Path:
    """SYNTHETIC squares (200 m) for Utrecht's 111 real buurt codes: the data has no Utrecht
    geometry, and these tests are about the statistics joined to it."""
    codes = read_statistics(UTRECHT_CSV, vocabulary=VOCABULARY).table.index
    x0, y0 = 133_000, 455_000
    features = []
    for n, code in enumerate(codes):
        x, y = x0 + 250 * (n % 12), y0 + 250 * (n // 12)
        square = shapely.box(x, y, x + 200, y + 200)
        features.append(
            {
                "type": "Feature",
                "properties": {"statcode": code, "rubriek": "buurt"},
                "geometry": shapely.geometry.mapping(square),
            }
        )
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:28992"}},
        "features": features,
    }
    path = tmp_path / "utrecht_synthetic_squares.geojson"
    path.write_text(json.dumps(document))
    return path


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


# --------------------------------------------------------------------------- tables as data


def test_column_families_are_data_matched_case_and_space_insensitively() -> None:
    for canonical, variants in BUURT_COLUMN_VARIANTS.items():
        for variant in variants:
            assert find_column(["x", f"  {variant.upper()}  ", "y"], variants) is not None, (
                canonical
            )
    # StatLine path headers match by their last segment; OData columns without their suffix.
    header = "Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk (km)"
    huisarts = default_vocabulary()["huisarts"].cbs_columns
    assert find_column(["Wijken en buurten", header], huisarts) == header
    assert find_column(["AfstandTotHuisartsenpraktijk_110"], huisarts) is not None
    # An ambiguous last segment matches nothing rather than the wrong column.
    twice = ["A/Afstand tot school (km)", "B/Afstand tot school (km)"]
    assert find_column(twice, ["Afstand tot school (km)"]) is None


def test_cbs_markers_and_sentinels_become_missing() -> None:
    values = pd.Series([".", " x ", "", "-", "-99999999", "1,5", "  2.0 ", "0", None, "abc"])
    numbers, garbage = cbs_numbers(values)
    assert numbers.tolist()[5:8] == [1.5, 2.0, 0.0]
    assert numbers[[0, 1, 2, 3, 4, 8, 9]].isna().all()
    assert garbage.tolist() == [False] * 9 + [True]


def test_non_numeric_statistics_are_listed_per_row(tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text(
        "BU_CODE,AANT_INW\nBU03560101,2200\nBU03560102,veel\nBU03560103,.\n", encoding="utf-8"
    )
    with pytest.raises(ValueProblemError, match="column AANT_INW has non-numeric") as info:
        read_statistics(table, vocabulary=VOCABULARY)
    (problem,) = info.value.problems
    assert (problem.index, problem.id) == (1, "BU03560102")
    assert "'veel'" in problem.reason
