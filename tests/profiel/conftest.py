"""A delft-tu store with every year of Delft's CBS figures and an own indicator (session)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.analysis import Analysis
from geo.pipeline import (
    analyse_store,
    import_indicators,
    import_statistics,
    profiel_of,
    run_import,
)
from geo.store.geopackage import GeoPackageStore
from geo.store.request import ImportRequest
from maps.profiel.render import render_html, render_pdf
from tests.conftest import SAMPLE_SHARED_FILES, SHARED_DATA, make_settings, skip_without_shared_data

CBS = SHARED_DATA / "cbs"
DELFT_YEARS = (
    "misdrijven2016_83903NED_buurten_GM0503_Delft.csv",
    "misdrijven2017_83901NED_buurten_GM0503_Delft.csv",
    "misdrijven2018_84468NED_buurten_GM0503_Delft.csv",
    "kwb2023_pdok_buurten_GM0503_Delft.csv",
    "buurten_GM0503_2023geom_kwb2024.gpkg",
)
#: Own indicators (synthetic figures, as a gemeente's burgerpeiling would give them).
INDICATORS = """gebied,indicator,jaar,waarde,eenheid,prognose,informatiebron,thema
wippolder,Oordeel burger als partner,2021,5,score,6,burgerpeiling 2021 (synthetic),welzijn_zorg
wippolder,Oordeel burger als partner,2023,5.6,score,6,burgerpeiling 2023 (synthetic),welzijn_zorg
wippolder,<b>Veiligheidsgevoel</b>,2023,6.1,score,,burgerpeiling 2023 (synthetic),veiligheid
"""


@pytest.fixture(scope="session")
def delft_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The delft-tu sample (walking network built, its coverage snapshot kept) with Delft's
    figures of 2016-2018, 2023 and 2024 and own indicators (do not modify: copy it)."""
    skip_without_shared_data(*SAMPLE_SHARED_FILES["delft-tu"], *(CBS / n for n in DELFT_YEARS))
    folder = tmp_path_factory.mktemp("delft")
    path = folder / "delft.gpkg"
    settings = make_settings(path, snapshot_imports=True)  # the sample's import: a snapshot
    run_import(GeoPackageStore(path), ImportRequest(kind="sample", sample="delft-tu"), settings)
    for name in DELFT_YEARS:
        import_statistics(path, CBS / name, settings)
    indicators = folder / "indicatoren.csv"
    indicators.write_text(INDICATORS, encoding="utf-8")
    import_indicators(path, indicators)
    return path


@pytest.fixture(scope="session")
def delft_analysis(delft_store_file: Path) -> Analysis:
    """The delft store analysed as the service does (walking over its network)."""
    return analyse_store(make_settings(delft_store_file))


@pytest.fixture
def delft_store(delft_store_file: Path, tmp_path: Path) -> Path:
    """A private copy of the delft store (with its network folder and logs)."""
    for item in delft_store_file.parent.iterdir():
        target = tmp_path / item.name
        if item.is_dir():
            shutil.copytree(item, target)
        elif not item.name.endswith(".lock"):
            shutil.copy(item, target)
    return tmp_path / delft_store_file.name


@pytest.fixture(scope="session")
def wippolder_pages(
    delft_store_file: Path, delft_analysis: Analysis, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, Path]]:
    """Wippolder's profile page and its PDF, Dutch and English: ``{lang: (html, pdf file)}``
    (rendered once per session; every PDF check reads these)."""
    settings = make_settings(delft_store_file)
    folder = tmp_path_factory.mktemp("wippolder-pdf")
    pages = {}
    for lang in ("nl", "en"):
        profiel = profiel_of(delft_analysis, settings, "wippolder", lang=lang)
        html = render_html(profiel, delft_analysis.dataset.buurten)
        pdf = folder / f"wippolder-{lang}.pdf"
        pdf.write_bytes(render_pdf(html))
        pages[lang] = (html, pdf)
    return pages
