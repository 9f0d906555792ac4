"""CSV exports never hand a spreadsheet a formula: text cells starting with = + - @ TAB CR get
a single quote before them (OWASP's rule), numbers stay numbers — through `wsz export` and
``/export/…?format=csv`` after hostile names were imported (real readers, real store)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.ask import export
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from tests.conftest import make_app, make_settings
from tests.imports import import_file

HOSTILE_NAMES = {
    "f1": "=cmd|' /C calc'!A0",
    "f2": "+SUM(1+1)",
    "f3": "-2+3",
    "f4": '@HYPERLINK("http://example.invalid","klik")',
    "f5": "\tTab",
    "f6": "\rCR",
    "f7": "Gewone naam = prima",
}


def _rows(data: bytes) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(data.decode()))}


def test_formula_cells_are_neutralised_and_numbers_kept() -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["=1+1", "Plein"], "delta": [-3.5, 2.0], "n": [-4, 5]},
        geometry=[shapely.Point(0, 0), shapely.Point(1, 1)],
        crs="EPSG:28992",
    )
    rows = _rows(export.to_csv(frame, crs="EPSG:28992"))
    assert rows["a"]["name"] == "'=1+1"
    assert rows["b"]["name"] == "Plein"
    assert (rows["a"]["delta"], rows["a"]["n"]) == ("-3.5", "-4")


@pytest.fixture
def hostile_store(sample_store: GeoPackageStore, tmp_path: Path) -> GeoPackageStore:
    table = tmp_path / "hostile.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "naam", "categorie", "lon", "lat"])
        for n, (ident, name) in enumerate(HOSTILE_NAMES.items()):
            writer.writerow([ident, name, "huisarts", 5.0868 + n / 1000, 52.0345])
    import_file(sample_store, "voorzieningen", table, mode="upsert")
    return sample_store


def test_cli_and_api_exports_neutralise_hostile_names(
    hostile_store: GeoPackageStore, tmp_path: Path
) -> None:
    out = tmp_path / "v.csv"
    store = ["--store", str(hostile_store.path)]
    assert main([*store, "export", "voorzieningen", "-o", str(out)]) == 0
    app = make_app(make_settings(hostile_store.path), reload_interval_s=0)
    with TestClient(app) as client:
        response = client.get("/export/voorzieningen", params={"format": "csv"})
    assert response.status_code == 200
    for data in (out.read_bytes(), response.content):
        rows = _rows(data)
        for ident, name in HOSTILE_NAMES.items():
            want = name if ident == "f7" else "'" + name.replace("\r", "\n")
            assert rows[ident]["name"] == want
        assert all(float(row["lon"]) > 0 for row in rows.values())
