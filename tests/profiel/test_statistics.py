"""Years of CBS figures: every layout through the real reader, imported into one store as
logged transactions, codes that change between years reported and carried over by area."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest

from geo.analysis import Analysis
from geo.errors import NotFoundError, ValueProblemError
from geo.pipeline import import_statistics, profiel_of_figures
from geo.profiel.carry import carry_over, code_changes
from geo.read.statistics import all_variables, read_year_table
from geo.store.history import read_history
from geo.store.log import ImportLog, store_version
from service.cli import main
from tests.conftest import SHARED_DATA, VOCABULARY, fingerprint, make_settings, requires_shared_data

CBS = SHARED_DATA / "cbs"
pytestmark = requires_shared_data(CBS / "kwb2019_84583NED_buurten_GM0344_Utrecht.csv")


def _total(path: Path, variable: str = "residents", **kw: object) -> tuple[int, float]:
    table = read_year_table(path, vocabulary=VOCABULARY, **kw)  # type: ignore[arg-type]
    rows = table.values[(table.values["level"] == "buurt") & (table.values["variable"] == variable)]
    return table.year, float(rows["value"].sum())


@pytest.mark.parametrize(
    ("name", "year", "residents"),
    [
        ("kwb2019_84583NED_buurten_GM0344_Utrecht.csv", 2019, 352_866),  # OData; CBS 2019 total
        ("kwb2023_GM0344_Utrecht_cbs_original.csv", 2023, None),  # KWB a_inw, gemeente+wijk rows
        ("kwb2023_pdok_buurten_GM0503_Delft.csv", 2023, None),  # PDOK camel case
        ("kwb2024_buurten_GM0356.csv", 2024, 65_955),  # AANT_INW aliases (SOURCES.md total)
        ("misdrijven2016_83903NED_buurten_GM0503_Delft.csv", 2016, None),  # OData crimes
    ],
)
def test_every_layout_gives_its_year_and_residents(
    name: str, year: int, residents: int | None
) -> None:
    told, total = _total(CBS / name, year=2024 if name.startswith("kwb2024_buurten") else None)
    assert told == year
    assert total > 10_000
    if residents is not None:
        assert total == pytest.approx(residents, rel=0.005)  # buurten rounded to 5s


def test_statline_nabijheid_and_gemeente_rows() -> None:
    table = read_year_table(
        CBS / "nabijheid2023_buurt_GM0344_Utrecht_statline.csv", vocabulary=VOCABULARY
    )
    assert table.year == 2023
    assert {"cbs_huisarts_km", "cbs_apotheek_km"} <= set(table.columns)
    levels = table.values.drop_duplicates("area_code")["level"].value_counts().to_dict()
    assert levels == {"buurt": 111, "wijk": 10, "gemeente": 1}
    kwb = read_year_table(CBS / "kwb2024_GM0344_Utrecht_cbs_original.csv", vocabulary=VOCABULARY)
    gm = kwb.values[(kwb.values["area_code"] == "GM0344") & (kwb.values["variable"] == "residents")]
    assert gm["value"].iloc[0] == 374_238  # SOURCES.md: the gemeente row


def test_delft_years_imported_compared_and_refused(tmp_path: Path) -> None:
    store = tmp_path / "store.gpkg"
    settings = make_settings(store)
    for name in ("misdrijven2016_83903NED_buurten_GM0503_Delft.csv",
                 "misdrijven2017_83901NED_buurten_GM0503_Delft.csv"):  # fmt: skip
        report = import_statistics(store, CBS / name, settings)
        assert report.outcome == "applied"
    assert any("BU05032701" in w and "only in 2016" in w for w in report.warnings)
    import_statistics(store, CBS / "buurten_GM0503_2023geom_kwb2024.gpkg", settings)
    before = fingerprint(store)
    with pytest.raises(ValueProblemError, match=r"2024 already holds .*--replace"):
        import_statistics(store, CBS / "kwb2024_85984NED_buurten_GM0503_Delft.csv", settings)
    assert fingerprint(store) == before
    assert ImportLog.beside(store).entries(1)[0]["outcome"] == "refused"
    replaced = import_statistics(
        store, CBS / "kwb2024_85984NED_buurten_GM0503_Delft.csv", settings, replace_year=True
    )
    assert replaced.outcome == "applied"
    assert replaced.updated > 0
    history = read_history(store)
    assert history.years == [2016, 2017, 2024]
    crimes = history.values[
        (history.values["variable"] == "crimes") & (history.values["area_code"] == "BU05031101")
    ]
    assert sorted(crimes["value"]) == [39.0, 47.0] or len(crimes) == 2
    source = history.values[
        (history.values["year"] == 2024) & (history.values["variable"] == "residents")
    ]
    assert set(source["source"]) == {"kwb2024_85984NED_buurten_GM0503_Delft.csv"}
    assert set(source["table_id"]) == {"85984NED"}


def test_year_that_cannot_be_told_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store.gpkg"
    copy = tmp_path / "figures.csv"
    shutil.copy(CBS / "kwb2024_buurten_GM0356.csv", copy)
    with pytest.raises(ValueProblemError, match="--year"):
        import_statistics(store, copy, make_settings(store))
    assert store_version(store) is None
    assert import_statistics(store, copy, make_settings(store), year=2024).outcome == "applied"


def test_nieuwegein_code_change_and_carry_over(tmp_path: Path, walking_analysis: Analysis) -> None:
    store = tmp_path / "store.gpkg"
    settings = make_settings(store)
    import_statistics(store, CBS / "buurten_GM0356_2019_gegeneraliseerd.gpkg", settings)
    import_statistics(store, CBS / "buurten_GM0356_2023geom_kwb2024.gpkg", settings)
    history = read_history(store)
    changes = code_changes(history, 2019, 2024, "GM0356")
    # SOURCES.md: 22 buurten in 2019, 39 in 2023: 10 codes gone, 27 new, 12 kept.
    assert (len(changes.kept), len(changes.only_old), len(changes.only_new)) == (12, 10, 27)
    assert changes.by_geometry
    assert set(changes.parts) >= set(changes.only_new)
    variables = all_variables(VOCABULARY)
    counts = {v: variables[v] for v in ("residents", "residents_65plus")}
    by_area = carry_over(history, 2024, 2019, counts, "GM0356").set_index(["area_code", "variable"])
    assert by_area.index.get_level_values(0).nunique() == 22
    assert by_area.xs("residents", level=1)["value"].sum() == pytest.approx(65_955, rel=0.02)
    assert (
        by_area["method"].str.endswith("from the 2024 buurten onto the 2019 buurten by area").all()
    )
    # Better: by the analysis' resident points (2024 residents, placed in the 2023 polygons).
    points = walking_analysis.points
    by_points = carry_over(history, 2024, 2019, counts, "GM0356", points)
    by_points = by_points.set_index(["area_code", "variable"])
    assert by_points["method"].str.endswith("by resident points").all()
    residents = by_points.xs("residents", level=1)["value"]
    assert residents.sum() == pytest.approx(65_955)  # every resident carried, none lost at edges
    assert by_points.xs("residents_65plus", level=1)["value"].sum() == pytest.approx(14_280)
    # Each 2024 buurt's residents go to the 2019 buurten its resident points lie in, in
    # proportion (points outside every 2019 polygon, at generalised edges, count for none).
    old = history.geometry_of(2019)
    assert old is not None
    inside = gpd.sjoin(points[points["residents"] > 0], old[["bu_code", "geometry"]],
                       predicate="within", lsuffix="new", rsuffix="old")  # fmt: skip
    parts = inside.groupby(["bu_code_new", "bu_code_old"])["residents"].sum()
    share = parts / parts.groupby(level=0).transform("sum")
    whole = points.groupby("bu_code")["residents"].sum()
    expected = (share * whole.reindex(share.index.get_level_values(0)).to_numpy()).groupby(
        level=1).sum()  # fmt: skip
    assert residents.to_dict() == pytest.approx(expected.to_dict())
    # Where the two differ most: De Wiers (BU03562200, 130 ha, mostly without homes) gets its
    # residents by area from its neighbours, by points only those who live inside it.
    wiers = (by_points.loc[("BU03562200", "residents"), "value"],
             by_area.loc[("BU03562200", "residents"), "value"])  # fmt: skip
    assert wiers[0] == pytest.approx(240)
    assert wiers[1] > 3 * wiers[0]
    # Without resident points (or where a buurt has none), by area: the method says which.
    nobody = carry_over(history, 2024, 2019, counts, "GM0356", points.assign(residents=0.0))
    assert nobody.set_index(["area_code", "variable"])["value"].to_dict() == pytest.approx(
        by_area["value"].to_dict())  # fmt: skip
    some = points[~points["bu_code"].isin(["BU03560101", "BU03560102"])]
    mixed = carry_over(history, 2024, 2019, counts, "GM0356", some)
    assert mixed["method"].str.endswith("(by area for parts without resident points)").any()


UTRECHT = (
    "kwb2019_84583NED_buurten_GM0344_Utrecht.csv",  # OData: residents, ages, households
    "nabijheid2019_buurt_GM0344_Utrecht_statline.csv",  # StatLine: CBS's distances of 2019
    "kwb2023_GM0344_Utrecht_cbs_original.csv",  # kwb-2023.xlsx: gemeente, wijk, buurt rows
    "kwb2024_GM0344_Utrecht_cbs_original.csv",
)


def test_utrecht_gemeente_profile_2019_to_2024(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Utrecht's years (no buurt polygons of Utrecht are in the data: the profile of the
    figures alone, no map and no coverage)."""
    store = tmp_path / "utrecht.gpkg"
    settings = make_settings(store)
    for name in UTRECHT:
        assert import_statistics(store, CBS / name, settings).outcome == "applied"
    # Nabijheid 2023 gives distances KWB 2023 has columns for (all '.' there): two tables of
    # one year for the same figures are refused without --replace, then replace only those.
    nabijheid = CBS / "nabijheid2023_buurt_GM0344_Utrecht_statline.csv"
    before = fingerprint(store)
    with pytest.raises(ValueProblemError, match=r"2023 already holds cbs_huisarts_km.*--replace"):
        import_statistics(store, nabijheid, settings)
    assert fingerprint(store) == before
    assert import_statistics(store, nabijheid, settings, replace_year=True).outcome == "applied"
    profiel = profiel_of_figures(settings, "GM0344")
    held = {y["year"]: y for y in profiel["years"]}
    assert sorted(held) == [2019, 2023, 2024]
    assert {y["buurten"] for y in held.values()} == {111}
    assert "woz" not in held[2019]["variables"]  # 2019's OData extract: no WOZ, no income
    assert {"woz", "cbs_huisarts_km"} <= set(held[2023]["variables"])
    change = profiel["code_changes"][0]
    assert (len(change["kept"]), change["only_old"], change["only_new"]) == (111, [], [])
    rows = {r["code"]: r for t in profiel["themes"] for r in t["indicators"]}
    residents = rows["residents"]
    assert [(s["year"], s["value"]) for s in residents["series"]] == [
        (2019, 352_315), (2023, 367_715), (2024, 374_200)]  # fmt: skip
    assert (residents["gemeente"], residents["gemeente_method"]) == (374_238, "CBS gemeente row")
    older = rows["residents_65plus"]
    assert [s["value"] for s in older["series"]] == [36_800, 39_405, 40_285]
    assert (older["previous_year"], older["change"], older["gemeente"]) == (2023, 880, 40_261)
    # CBS's huisarts distance: 2019 only (2023 and 2024 give '.' in both tables: missing,
    # never 0); the supermarkt's 2019 and 2023 (nabijheid).
    huisarts = rows["cbs_huisarts_km"]
    assert [(s["year"], s["value"] is None) for s in huisarts["series"]] == [
        (2019, False), (2023, True), (2024, True)]  # fmt: skip
    assert huisarts["series"][-1]["method"] == "no cbs_huisarts_km in 2024"
    assert huisarts["value"] == pytest.approx(0.607, abs=0.001)  # resident-weighted, km
    supermarkt = rows["cbs_supermarkt_km"]
    assert (supermarkt["year"], supermarkt["previous_year"]) == (2023, 2019)
    assert supermarkt["change"] == pytest.approx(0.096, abs=0.001)
    assert supermarkt["source"] == "CBS nabijheid2023_buurt_GM0344_Utrecht_statline.csv (2023)"
    # The command line gives the same (JSON only: no polygons, no page).
    assert main(["--store", str(store), "profiel", "GM0344", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["themes"] == profiel["themes"]
    assert main(["--store", str(store), "profiel", "GM0344"]) == 1
    assert "give --json" in capsys.readouterr().err
    english = profiel_of_figures(settings, "GM0344", lang="en")
    assert english["notes"] == ["no buurt polygons of this area are stored: no map and no coverage"]
    with pytest.raises(NotFoundError, match="2019, 2023, 2024"):
        profiel_of_figures(settings, "GM0344", year=2021)
