"""Bodies and zips for the checks' tests (test_checks_*.py): built from the real Nieuwegein
buurten (../shared/data/cbs) in memory or in ``tmp_path``; a test using them is skipped, naming
the file, where that folder is absent.
"""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from geo.crs import EDGE_CRS
from tests.conftest import SAMPLE_BUURTEN, requires_shared_data, skip_without_shared_data

#: Nieuwegein's 39 real buurten (the sample's), with CBS's classic columns.
NIEUWEGEIN_GPKG = SAMPLE_BUURTEN
RD_NAME = "urn:ogc:def:crs:EPSG::28992"
#: A marker for the tests that read :data:`NIEUWEGEIN_GPKG` (skipped without it).
requires_real_buurten = requires_shared_data(NIEUWEGEIN_GPKG)


def real_buurten() -> gpd.GeoDataFrame:
    """Nieuwegein's 39 real buurten, in RD New, with AANT_INW."""
    skip_without_shared_data(NIEUWEGEIN_GPKG)
    frame = gpd.read_file(NIEUWEGEIN_GPKG, engine="pyogrio")
    return frame[["statcode", "statnaam", "AANT_INW", "A_65_EO_JR", "geometry"]]


def body(frame: gpd.GeoDataFrame, *, crs_name: str | None = None) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of ``frame`` (lon/lat), or in its own CRS with a member."""
    if crs_name is None:
        frame = frame.to_crs(EDGE_CRS)
    document: dict[str, Any] = json.loads(frame.to_json(drop_id=True))
    document.pop("crs", None)
    if crs_name is not None:
        document["crs"] = {"type": "name", "properties": {"name": crs_name}}
    return document


def broken_body() -> dict[str, Any]:
    """Twelve real buurten, ten of them broken in a different way each."""
    document = body(real_buurten().iloc[:12])
    features: list[Any] = document["features"]
    x, y = shapely.geometry.shape(features[3]["geometry"]).centroid.coords[0]
    d = 0.001
    features[1]["geometry"] = None
    features[2]["geometry"] = {"type": "Point", "coordinates": [x, y]}
    features[3]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]],
    }
    features[4]["properties"]["statcode"] = features[0]["properties"]["statcode"]
    features[5]["properties"]["statcode"] = None
    features[6]["properties"]["statcode"] = "BU0356010"
    features[7] = ["not", "a", "feature"]
    features[8]["geometry"] = {"type": "Polygon", "coordinates": [[[x, y], [x + d, y]]]}
    features[9]["properties"]["AANT_INW"] = "veel"
    features[10]["geometry"] = {"type": "Polygon", "coordinates": []}
    return document


def shapefile_zip(
    tmp_path: Path, *, extra: Callable[[zipfile.ZipFile], None] | None = None
) -> Path:
    """The real buurten as a Shapefile in a CBS-like zip (a subfolder, a wijk layer beside)."""
    skip_without_shared_data(NIEUWEGEIN_GPKG)
    folder = tmp_path / "shp"
    folder.mkdir()
    frame = gpd.read_file(NIEUWEGEIN_GPKG, engine="pyogrio")
    frame[["BU_CODE", "BU_NAAM", "AANT_INW", "A_65_EO_JR", "geometry"]].to_file(
        folder / "buurt_2023_v1.shp", engine="pyogrio"
    )
    frame[["WK_CODE", "geometry"]].to_file(folder / "wijk_2023_v1.shp", engine="pyogrio")
    archive = tmp_path / "WijkBuurtkaart_2023_v1.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in sorted(folder.iterdir()):
            zipped.write(file, f"WijkBuurtkaart_2023_v1/{file.name}")
        if extra is not None:
            extra(zipped)
    return archive


def zip_member(
    name: str, data: bytes = b"x", *, mode: int = stat.S_IFREG | 0o644
) -> Callable[[zipfile.ZipFile], None]:
    """A member ``name`` (holding ``data``, with Unix ``mode``) added to a zip being written."""

    def add(zipped: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zipped.writestr(info, data)

    return add
