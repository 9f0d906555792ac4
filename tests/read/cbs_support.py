"""The real CBS files of ../shared/data/cbs that the CBS format tests (test_cbs_*.py) read in
place, and the synthetic geometry they join Utrecht's tables to. Every test reading one of
them is marked with the files it needs (skipped, naming them, where they are missing).
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely

from geo.read.cbs import read_statistics
from tests.conftest import SHARED_DATA, VOCABULARY

CBS = SHARED_DATA / "cbs"
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
