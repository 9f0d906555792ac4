"""The real CBS formats, each file read alone through the real readers: the classic Wijk- en
Buurtkaart columns, the KWB 2023+ lower-case columns and the 2024 buurten tables; then the
column families, CBS's markers and sentinels as data (these need no files).

The files are read in place from ../shared/data/cbs (tests/read/cbs_support.py). Every
expected count and total comes from that folder's SOURCES.md (or, where it gives none, from
the file itself, said so).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.common.text import find_column
from geo.crs import WORKING_CRS
from geo.errors import ValueProblemError
from geo.read.buurten import BUURT_COLUMNS, read_buurten
from geo.read.cbs import BUURT_COLUMN_VARIANTS, cbs_numbers, read_statistics
from geo.read.options import ReadOptions
from geo.vocabulary import default_vocabulary
from tests.conftest import VOCABULARY, requires_shared_data
from tests.read.cbs_support import CBS, DELFT_GPKG, DISTANCES, NIEUWEGEIN_GPKG, UTRECHT_KWB

# --------------------------------------------------------------------------- classic columns


@requires_shared_data(NIEUWEGEIN_GPKG)
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


@requires_shared_data(DELFT_GPKG)
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
@requires_shared_data(*UTRECHT_KWB.values())
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
    [pytest.param(*t, id=t[0], marks=requires_shared_data(CBS / t[0])) for t in KWB2024_TABLES],
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


@requires_shared_data(CBS / "kwb2024_buurten_GM0363.csv")
def test_amsterdam_alphanumeric_codes_are_buurt_codes() -> None:
    """Since 2024 Amsterdam's codes have letters (BU0363AA01); they are not malformed."""
    table = read_statistics(CBS / "kwb2024_buurten_GM0363.csv", vocabulary=VOCABULARY).table
    assert "BU0363AA01" in table.index
    assert table.loc["BU0363AA01", "wk_code"] == "WK0363AA"


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
