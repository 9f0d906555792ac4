"""Snapshots, own indicators and the wijkprofiel on the real delft-tu sample (multi-year)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from geo.analysis import Analysis
from geo.errors import NotFoundError, ValueProblemError
from geo.pipeline import analyse_store, import_indicators, profiel_of, run_import, snapshot_analysis
from geo.profiel.snapshots import compare_snapshots, read_snapshots
from geo.store.geopackage import GeoPackageStore
from geo.store.history import read_history
from geo.store.request import ImportOptions, ImportRequest
from maps.profiel.render import render_html, render_pdf
from tests.conftest import fingerprint, make_settings

#: A huisarts (synthetic) in Professorenbuurt, Wippolder, lon/lat.
NEW_HUISARTS = {
    "type": "FeatureCollection",
    "features": [{
        "type": "Feature",
        "properties": {"id": "synthetic-huisarts-1", "name": "Huisarts (synthetic)",
                       "category": "huisarts"},
        "geometry": {"type": "Point", "coordinates": [4.3775, 52.0050]},
    }],
}  # fmt: skip


def test_snapshots_made_by_imports_and_compared(delft_store: Path) -> None:
    settings = make_settings(delft_store)
    first, new = snapshot_analysis(analyse_store(settings), settings)
    assert new
    assert snapshot_analysis(analyse_store(settings), settings)[1] is False  # same store
    run_import(
        GeoPackageStore(delft_store),
        ImportRequest(kind="voorzieningen", source=json.dumps(NEW_HUISARTS).encode(),
                      options=ImportOptions(mode="upsert"), where="huisarts.geojson"),
        settings,
    )  # fmt: skip
    second, new = snapshot_analysis(analyse_store(settings), settings)
    assert new
    assert second["store_version"] != first["store_version"]
    assert second["inputs"]["voorzieningen"]["file_name"] == "huisarts.geojson"
    assert {"walking"} == {first["distance"], second["distance"]}
    change = next(
        c for c in compare_snapshots(first, second)
        if (c.level, c.area_code, c.category) == ("zone", "wippolder", "huisarts")
    )  # fmt: skip
    assert change.share_65plus_after is not None
    assert change.share_65plus_before is not None
    assert change.share_65plus_after <= change.share_65plus_before
    assert "65+ beyond 500 m of huisarts in zone wippolder" in change.sentence(500)
    assert len(read_snapshots(delft_store)) == 2
    # The years of figures survived the voorzieningen import (the store was rewritten).
    assert read_history(delft_store).years == [2016, 2017, 2018, 2023, 2024]


def test_indicator_file_refused_with_row_numbers(delft_store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "area_code,name,year,value,unit,target,source\n"
        "wippolder,Score,2023,5,score,6,peiling\n"
        "WK999999,Score,2023,5,score,6,peiling\n"
        "wippolder,Score,2023,vijf,score,6,peiling\n"
        "campus,Score,twee,5,score,,peiling\n",
        encoding="utf-8",
    )
    before = fingerprint(delft_store)
    with pytest.raises(ValueProblemError) as caught:
        import_indicators(delft_store, bad)
    text = str(caught.value)
    assert "row 3: unknown area code 'WK999999'" in text
    assert "row 4: value 'vijf' is not a number" in text
    assert "row 5: year 'twee' is not a number" in text
    assert "row 2: wippolder 'Score' 2023 appears more than once" in text
    assert fingerprint(delft_store) == before


def test_profiel_numbers_equal_coverage_and_statistics(
    delft_store_file: Path, delft_analysis: Analysis
) -> None:
    settings = make_settings(delft_store_file)
    analysis = delft_analysis
    profiel = profiel_of(analysis, settings, "wippolder")
    assert profiel["year"] == 2024
    assert [y["year"] for y in profiel["years"]] == [2016, 2017, 2018, 2023, 2024]
    zone = analysis.coverage.for_zone("wippolder").set_index("category")
    for row in profiel["coverage"]:
        assert row["share_65plus_beyond"] == pytest.approx(
            zone.loc[row["category"], "share_65plus_beyond"], abs=1e-4
        )
        assert row["distance"] == "walking"
    indicators = {r["code"]: r for t in profiel["themes"] for r in t["indicators"]}
    history = read_history(delft_store_file)
    codes = profiel["area"]["buurten"]
    values = history.values
    stored = values[
        (values["year"] == 2024)
        & (values["variable"] == "residents")
        & values["area_code"].isin([b["code"] for b in codes])
    ]
    residents = indicators["residents"]
    assert residents["value"] == stored["value"].sum()
    assert residents["previous_year"] == 2023
    assert [s["year"] for s in residents["series"]] == [2016, 2017, 2018, 2023, 2024]
    assert "crimes_per_1000" in indicators  # veiligheid over the years
    own = indicators["own:Oordeel burger als partner"]
    assert (own["value"], own["previous"], own["target"], own["on_track"]) == (5.6, 5.0, 6.0, True)
    assert own["source"] == "burgerpeiling 2023 (synthetic) (2023)"
    assert profiel["code_changes"][0]["only_old"] == ["BU05032701"]
    with pytest.raises(NotFoundError, match="known: wippolder"):
        profiel_of(analysis, settings, "noord")
    with pytest.raises(NotFoundError, match="2016, 2017"):
        profiel_of(analysis, settings, "wippolder", year=2020)


def test_page_and_pdf_nl_en(delft_store_file: Path, delft_analysis: Analysis) -> None:
    settings = make_settings(delft_store_file)
    analysis = delft_analysis
    for lang, heading in (("nl", "Welzijn en zorg"), ("en", "Well-being and care")):
        profiel = profiel_of(analysis, settings, "wippolder", lang=lang)
        html = render_html(profiel, analysis.dataset.buurten)
        assert "<script" not in html
        assert heading in html
        assert "&lt;b&gt;Veiligheidsgevoel&lt;/b&gt;" in html  # data is text, never HTML
        assert "<b>Veiligheidsgevoel" not in html
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2


def test_page_in_chromium_has_no_serious_axe_violations(
    delft_store_file: Path, delft_analysis: Analysis, browser: Browser
) -> None:
    from tests.maps.embed_support import AXE

    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `make browser` (scripts/ensure-axe, npm ci)")
    settings = make_settings(delft_store_file)
    html = render_html(
        profiel_of(delft_analysis, settings, "wippolder"), delft_analysis.dataset.buurten
    )
    page = browser.new_page()  # the session's Chromium (tests/conftest.py)
    page.set_content(html)
    assert page.locator("h1").inner_text().startswith("Wippolder")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run()")
    page.context.close()
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
