"""Golden answers of ``GET /export/{layer}``: every layer in every format and both CRSs, on
both samples (a GeoPackage is compared as its read-back content, not its bytes), and the
error answers. Expected files: ``tests/golden/<sample>/export/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.golden.support import SAMPLES, Get, check_get, needs_shared_data, params

pytestmark = needs_shared_data

LAYERS = ("buurten", "zones", "voorzieningen", "coverage", "gaps")
FORMATS = ("geojson", "csv", "gpkg")
CRSS = ("EPSG:4326", "EPSG:28992")


def export_cases() -> list[Get]:
    cases = [Get("/export/buurten")]
    cases += [
        Get(f"/export/{layer}?format={fmt}&crs={crs}")
        for layer in LAYERS
        for fmt in FORMATS
        for crs in CRSS
    ]
    return [
        *cases,
        Get("/export/bakker"),
        Get("/export/buurten?format=shp"),
        Get("/export/buurten?crs=EPSG:3857"),
    ]


@pytest.mark.parametrize(("sample", "case"), params({s: export_cases() for s in SAMPLES}))
def test_export(sample: str, case: Get, api: TestClient, basetemp: Path) -> None:
    check_get(api, sample, "export", case, basetemp)
