"""Snapshots, own indicators and the wijkprofiel on the real delft-tu sample (multi-year)."""

from __future__ import annotations

import json
import logging
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from geo.analysis import Analysis
from geo.errors import InputError, NotFoundError, ValueProblemError
from geo.pipeline import import_indicators, profiel_of, run_import
from geo.profiel.snapshots import compare_snapshots, read_snapshots, snapshot_file
from geo.store.geopackage import GeoPackageStore
from geo.store.history import read_history
from geo.store.log import ImportLog
from geo.store.request import ImportOptions, ImportRequest
from maps.profiel.labels import LABELS
from tests.conftest import fingerprint, make_settings


def _voorziening(identifier: str, category: str, lon: float, lat: float) -> ImportRequest:
    """An upsert of one (synthetic) voorziening, as a GeoJSON body."""
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
               "properties": {"id": identifier, "name": f"{category} (synthetic)",
                              "category": category}}  # fmt: skip
    body = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    return ImportRequest(kind="voorzieningen", source=body, where=f"{identifier}.geojson",
                         options=ImportOptions(mode="upsert"))  # fmt: skip


def test_imports_take_snapshots_which_compare(delft_store: Path) -> None:
    settings = make_settings(delft_store, snapshot_imports=True)
    store = GeoPackageStore(delft_store)
    taken = read_snapshots(delft_store)  # the sample's import took the first
    assert len(taken) == 1
    sample = [e for e in ImportLog.beside(delft_store).entries() if e["kind"] == "sample"]
    assert taken[0]["store_version"] == sample[0]["store_version"]
    first = run_import(store, _voorziening("synthetic-huisarts-1", "huisarts", 4.3775, 52.0050),
                       settings)  # fmt: skip
    again = run_import(store, _voorziening("synthetic-huisarts-1", "huisarts", 4.3775, 52.0050),
                       settings)  # fmt: skip
    with pytest.raises(InputError):
        run_import(store, ImportRequest(kind="voorzieningen", source=b"{", where="x.geojson"),
                   settings)  # fmt: skip
    second = run_import(store, _voorziening("synthetic-apotheek-1", "apotheek", 4.3775, 52.0050),
                        settings)  # fmt: skip
    assert (again.report.outcome, again.snapshot) == ("unchanged", None)
    snapshots = read_snapshots(delft_store)
    assert [s["id"] for s in snapshots[1:]] == [first.snapshot, second.snapshot]
    assert [s["store_version"] for s in snapshots[1:]] == [
        first.report.store_version, second.report.store_version]  # fmt: skip
    assert snapshots[1]["inputs"]["voorzieningen"]["file_name"] == "synthetic-huisarts-1.geojson"
    assert {"walking"} == {s["distance"] for s in snapshots}
    changes = {
        (c.level, c.area_code, c.category): c for c in compare_snapshots(snapshots[0], snapshots[1])
    }
    huisarts = changes["zone", "wippolder", "huisarts"]
    assert huisarts.share_65plus_before is not None
    assert huisarts.share_65plus_after is not None
    assert huisarts.share_65plus_after < huisarts.share_65plus_before
    assert re.fullmatch(r"65\+ beyond 500 m of huisarts in zone wippolder fell from \d+ % to "
                        r"\d+ %", huisarts.sentence(500))  # fmt: skip
    assert " apotheek in zone wippolder stayed at " in changes["zone", "wippolder", "apotheek"
                                                               ].sentence(500)  # fmt: skip
    whole = changes["gemeente", "gemeente", "huisarts"].sentence(500)
    assert whole.startswith("65+ beyond 500 m of huisarts in the gemeente ")
    later = compare_snapshots(snapshots[1], snapshots[2])
    assert all(c.share_65plus_after == c.share_65plus_before for c in later
               if c.category == "huisarts")  # fmt: skip
    # The years of figures survived the voorzieningen imports (the store was rewritten).
    assert read_history(delft_store).years == [2016, 2017, 2018, 2023, 2024]


def test_failed_snapshot_keeps_the_import_and_is_logged(
    delft_store: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(delft_store, snapshot_imports=True)
    store = GeoPackageStore(delft_store)
    path = snapshot_file(delft_store)
    path.unlink()
    path.mkdir()  # a directory where the snapshot file should be: appending fails
    with caplog.at_level(logging.ERROR, logger="woonservicezones.pipeline"):
        result = run_import(
            store, _voorziening("synthetic-huisarts-1", "huisarts", 4.3775, 52.0050), settings
        )
    assert (result.report.outcome, result.snapshot) == ("applied", None)
    assert store.version() == result.report.store_version
    assert "synthetic-huisarts-1" in set(store.read().voorzieningen["id"])
    assert "keeping its coverage snapshot failed" in caplog.text
    assert ImportLog.beside(delft_store).entries(1)[0]["outcome"] == "applied"


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


def test_page_nl_en_data_as_text(wippolder_pages: dict[str, tuple[str, Path]]) -> None:
    for lang, heading in (("nl", "Welzijn en zorg"), ("en", "Well-being and care")):
        html = wippolder_pages[lang][0]
        assert "<script" not in html
        assert heading in html
        assert "&lt;b&gt;Veiligheidsgevoel&lt;/b&gt;" in html  # data is text, never HTML
        assert "<b>Veiligheidsgevoel" not in html


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is missing: run `make browser` (scripts/ensure-poppler)")
    return found


#: A4 in millimetres.
A4_MM = (210, 297)


def test_pdf_pages_headings_and_a4_as_poppler_reads_them(
    wippolder_pages: dict[str, tuple[str, Path]], tmp_path: Path
) -> None:
    texts = {}
    for lang, (_, pdf) in wippolder_pages.items():
        info = subprocess.run([_poppler("pdfinfo"), pdf], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
        text = subprocess.run([_poppler("pdftotext"), "-enc", "UTF-8", pdf, "-"],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert text.count("\f") == pages >= 2  # a form feed ends every page
        texts[lang] = " ".join(text.split())
        t = LABELS[lang]
        for heading in (t["description"], t["coverage"], t["gaps"], t["years"],
                        t["themes"]["welzijn_zorg"], t["themes"]["veiligheid"]):  # fmt: skip
            assert heading in texts[lang], (lang, heading)
        assert "Wippolder" in texts[lang][:300]  # the page's h1, on page 1
        assert "<b>Veiligheidsgevoel</b>" in texts[lang]  # the indicator's name, as text
    assert "Well-being and care" not in texts["nl"]
    assert "Welzijn en zorg" not in texts["en"]
    dpi = 96
    first_page = ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run([_poppler("pdftoppm"), "-png", "-r", str(dpi), *first_page,
                    wippolder_pages["nl"][1], tmp_path / "page"], check=True)  # fmt: skip
    png = (tmp_path / "page.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # IHDR
    expected = [round(mm / 25.4 * dpi) for mm in A4_MM]  # 794 × 1123
    assert abs(width - expected[0]) <= 1
    assert abs(height - expected[1]) <= 1


def test_page_in_chromium_has_no_serious_axe_violations(
    wippolder_pages: dict[str, tuple[str, Path]], browser: Browser
) -> None:
    from tests.maps.embed_support import AXE

    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `make browser` (scripts/ensure-axe, npm ci)")
    html = wippolder_pages["nl"][0]
    page = browser.new_page()  # the session's Chromium (tests/conftest.py)
    page.set_content(html)
    assert page.locator("h1").inner_text().startswith("Wippolder")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run()")
    page.context.close()
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
