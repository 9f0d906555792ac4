"""OGC API – Features read by real clients from a real server (``live_server``).

The clients are Debian's GDAL 3.6 command-line tools (``ogrinfo``, ``ogr2ogr``; installed by
``scripts/ensure-gdal``), the newer GDAL inside pyogrio's wheel (OGC API – Features Part 2,
``CRS=EPSG:28992``) and OWSLib. Expected values come from the published sample, never from
hard-coded figures (tests/service/ogc_support.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from owslib.ogcapi.features import Features

from service.ogc.links import CONFORMANCE, RD_NEW
from service.state import Published
from tests.service.ogc_support import ID_COLUMN, expected, hausdorff, served

# --------------------------------------------------------------------------- real clients


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(
            f"{tool} not found: run scripts/ensure-gdal (make test does) or install gdal-bin"
        )
    return path


@pytest.mark.e2e
def test_ogrinfo_lists_every_collection(live_server: str, published: Published) -> None:
    result = subprocess.run(
        [_need("ogrinfo"), "-ro", "-q", f"OAPIF:{live_server}/ogc"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    listed = re.findall(r"^\d+: (\w+)", result.stdout, flags=re.MULTILINE)
    assert listed == list(served(published))


@pytest.mark.e2e
def test_ogr2ogr_copies_every_collection_in_crs84(
    live_server: str, published: Published, tmp_path: Path
) -> None:
    out = tmp_path / "copy.gpkg"
    subprocess.run(
        [
            _need("ogr2ogr"),
            "-f",
            "GPKG",
            str(out),
            f"OAPIF:{live_server}/ogc",
            "-oo",
            "PAGE_SIZE=7",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert [str(n) for n in pyogrio.list_layers(out)[:, 0]] == list(served(published))
    for name in served(published):
        copied = pyogrio.read_dataframe(out, layer=name)
        want = expected(published, name)
        assert len(copied) == len(want) > 0
        assert copied.crs.to_epsg() == 4326
        copied = copied.set_index(copied[ID_COLUMN[name]].astype(str))
        assert list(copied.index) == list(want.index)
        _same_attributes(copied, want)
        lonlat = want.to_crs(4326)
        distances = [hausdorff(a, b) for a, b in zip(copied.geometry, lonlat.geometry, strict=True)]
        assert max(distances) < 1e-6  # degrees


@pytest.mark.e2e
def test_gdal_36_filters_on_the_server(live_server: str, published: Published) -> None:
    """``-where`` on a queryable and ``-spat`` become ``?category=`` and ``?bbox=`` requests."""
    ogrinfo = [_need("ogrinfo"), "-ro", "--debug", "on", f"OAPIF:{live_server}/ogc"]
    result = subprocess.run(
        [*ogrinfo, "voorzieningen", "-where", "category = 'huisarts'"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "category=huisarts" in result.stderr
    count = int((published.voorzieningen["category"] == "huisarts").sum())
    assert len(re.findall(r"^OGRFeature\(voorzieningen\)", result.stdout, re.MULTILINE)) == count
    minlon, minlat, maxlon, maxlat = published.buurten.geometry.iloc[0].bounds
    spatial = subprocess.run(
        [*ogrinfo, "buurten", "-spat", str(minlon), str(minlat), str(maxlon), str(maxlat)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "bbox=" in spatial.stderr
    found = set(re.findall(r"bu_code \(String\) = (BU\d{8})", spatial.stdout))
    box = shapely.box(minlon, minlat, maxlon, maxlat)
    assert found == set(published.buurten.loc[published.buurten.intersects(box), "bu_code"])


@pytest.mark.e2e
def test_pyogrio_gdal_reads_rd_new_by_crs_option(live_server: str, published: Published) -> None:
    for name in served(published):
        frame = pyogrio.read_dataframe(
            f"OAPIF:{live_server}/ogc", layer=name, CRS="EPSG:28992", PAGE_SIZE=7
        )
        want = expected(published, name)
        assert frame.crs.to_epsg() == 28992
        frame = frame.set_index(frame[ID_COLUMN[name]].astype(str))
        assert list(frame.index) == list(want.index)
        _same_attributes(frame, want)
        distances = [hausdorff(a, b) for a, b in zip(frame.geometry, want.geometry, strict=True)]
        assert max(distances) <= 0.001  # metres: RD output has 3 decimals
    want = expected(published, "buurten")
    box = shapely.box(*want.geometry.iloc[0].buffer(200).bounds)
    inside = pyogrio.read_dataframe(
        f"OAPIF:{live_server}/ogc", layer="buurten", CRS="EPSG:28992", bbox=box.bounds
    )
    assert sorted(inside["bu_code"]) == sorted(want.index[want.intersects(box)])


@pytest.mark.e2e
def test_gdal_versions_differ_in_the_default_crs(live_server: str, tmp_path: Path) -> None:
    """Issue 12 item 24, as the README says: without a CRS option, GDAL 3.6 (Debian's
    ogr2ogr) copies CRS84 lon/lat, GDAL 3.7 or newer (pyogrio's wheel) the storage CRS."""
    out = tmp_path / "buurten.gpkg"
    subprocess.run(
        [_need("ogr2ogr"), "-f", "GPKG", str(out), f"OAPIF:{live_server}/ogc", "buurten"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    debian = pyogrio.read_info(out)["crs"]
    newer = pyogrio.read_dataframe(f"OAPIF:{live_server}/ogc", layer="buurten").crs
    version = subprocess.run(
        [_need("ogr2ogr"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert version.startswith("GDAL 3.6"), f"this test expects Debian's GDAL 3.6: {version}"
    assert debian in {"OGC:CRS84", "EPSG:4326"}
    assert pyogrio.__gdal_version__ >= (3, 7, 0)
    assert newer.to_epsg() == 28992


@pytest.mark.e2e
def test_owslib_reads_the_collections(live_server: str, published: Published) -> None:
    api = Features(f"{live_server}/ogc")
    assert set(CONFORMANCE) <= set(api.conformance()["conformsTo"])
    ids = [c["id"] for c in api.collections()["collections"]]
    assert ids == list(served(published))
    for name in ids:
        assert api.collection(name)["storageCrs"] == RD_NEW
        want = expected(published, name)
        page = api.collection_items(name, limit=len(want))
        assert page["numberMatched"] == page["numberReturned"] == len(want)
        assert [f["id"] for f in page["features"]] == list(want.index)
        first = api.collection_item(name, str(want.index[0]))
        assert first["id"] == want.index[0]
    assert "category" in api.collection_queryables("voorzieningen")["properties"]


def _same_attributes(read: pd.DataFrame, want: pd.DataFrame) -> None:
    """Every attribute the client read equals the store's (numbers to 1e-9, NaN as null)."""
    for column in want.columns.drop("geometry"):
        assert column in read.columns, column
        got, wanted = read[column], want[column]
        if pd.api.types.is_numeric_dtype(wanted):
            np.testing.assert_allclose(
                got.astype(float).to_numpy(), wanted.astype(float).to_numpy(), rtol=1e-9
            )
        else:
            assert list(got.astype(object).where(got.notna(), None)) == list(
                wanted.astype(object).where(wanted.notna(), None)
            ), column
