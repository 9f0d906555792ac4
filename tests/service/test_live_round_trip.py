"""The GIS round trip over a real server: ``ogr2ogr`` a layer out in RD New, edit it, push it
back with a key, see it at once (voorzieningen, then buurten).

Real parts: a real ``wsz serve`` process over a copy of the sample store (the
``shared_server`` fixture, tests/service/conftest.py: one for both tests, which edit different
layers), Debian's ``ogr2ogr`` and the GDAL inside pyogrio as clients.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import httpx
import pyogrio
import pytest
import shapely

from tests.conftest import fingerprint
from tests.servers import AUTH
from tests.service.live_support import names_of

#: OGC's name of RD New, as a client asks for it (``crs=``).
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: run scripts/ensure-gdal (make test does)")
    return path


def _pull_in_rd_new(server: str, folder: Path) -> gpd.GeoDataFrame:
    """The voorzieningen out in RD New: by Debian's ogr2ogr (GDAL 3.6, reprojecting on its
    side), which is returned, and by the GDAL in pyogrio asking the server for RD New itself
    (Part 2), which must hold the same features."""
    pulled = folder / "voorzieningen_rd.gpkg"
    subprocess.run(
        [
            _tool("ogr2ogr"),
            "-f",
            "GPKG",
            str(pulled),
            f"OAPIF:{server}/ogc",
            "voorzieningen",
            "-t_srs",
            "EPSG:28992",
            "-nln",
            "voorzieningen",
        ],
        check=True,
        capture_output=True,
    )
    frame = pyogrio.read_dataframe(pulled, layer="voorzieningen")
    assert frame.crs.to_epsg() == 28992
    served_rd = pyogrio.read_dataframe(
        f"OAPIF:{server}/ogc", layer="voorzieningen", CRS="EPSG:28992"
    )
    assert served_rd.crs.to_epsg() == 28992
    assert sorted(served_rd["id"]) == sorted(frame["id"])
    return frame


def _push(server: str, edited: Path) -> httpx.Response:
    """The edited layer pushed back over HTTP with the key: an upsert of the whole layer."""
    return httpx.post(
        f"{server}/imports/voorzieningen?mode=upsert",
        files={"file": (edited.name, edited.read_bytes())},
        headers=AUTH,
        timeout=120,
    )


@pytest.mark.e2e
def test_gis_round_trip_ogr2ogr_out_in_rd_new_edit_push_back(
    shared_server: str, shared_store: Path, tmp_path: Path
) -> None:
    """The done-when of the GIS issue, with the clients GIS staff use."""
    server, server_store = shared_server, shared_store
    before = fingerprint(server_store)
    # 1. Out, in RD New (ogr2ogr, and pyogrio's GDAL asking for it).
    frame = _pull_in_rd_new(server, tmp_path)
    assert fingerprint(server_store) == before  # reading changes nothing
    # 2. Edit: rename one voorziening, move another 150 m east.
    frame = frame.set_index("id", drop=False)
    frame.loc["wsz-o-1", "name"] = "Buurthuis De Schakel (verhuisd)"
    moved_from = frame.loc["wsz-o-2", "geometry"]
    frame.loc["wsz-o-2", "geometry"] = shapely.affinity.translate(moved_from, 150, 0)
    edited = tmp_path / "voorzieningen_edited.gpkg"
    pyogrio.write_dataframe(frame.reset_index(drop=True), edited, driver="GPKG")
    # 3. Push it back over HTTP with the key: an upsert of the whole layer.
    response = _push(server, edited)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["added"], report["updated"], report["removed"]) == (0, 2, 0), report
    assert report["unchanged"] == len(frame) - 2  # the rest came back within 0.25 m
    # 4. Seen at once in the API, OGC API - Features and the map.
    assert names_of(server)["wsz-o-1"] == "Buurthuis De Schakel (verhuisd)"
    item = httpx.get(
        f"{server}/ogc/collections/voorzieningen/items/wsz-o-2", params={"crs": RD}
    ).json()
    x, y = item["geometry"]["coordinates"]
    assert abs(x - (moved_from.x + 150)) < 0.01
    assert abs(y - moved_from.y) < 0.01
    one = httpx.get(f"{server}/ogc/collections/voorzieningen/items/wsz-o-1").json()
    assert one["properties"]["name"] == "Buurthuis De Schakel (verhuisd)"
    assert "Buurthuis De Schakel (verhuisd)" in httpx.get(f"{server}/maps/index.js").text
    # 5. The same push again changes nothing, not even the file.
    written = fingerprint(server_store)
    again = _push(server, edited).json()
    assert again["outcome"] == "unchanged"
    assert fingerprint(server_store) == written


@pytest.mark.e2e
def test_gis_round_trip_of_buurten(shared_server: str, tmp_path: Path) -> None:
    """Buurten too: out in RD New from the server (Part 2), a figure corrected, back in."""
    server = shared_server
    frame = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="buurten", CRS="EPSG:28992")
    code = str(frame.loc[0, "bu_code"])
    frame.loc[0, "residents"] = 9_999
    edited = tmp_path / "buurten_edited.gpkg"
    pyogrio.write_dataframe(frame, edited, driver="GPKG", layer="buurten")
    response = httpx.post(
        f"{server}/imports/buurten?mode=upsert",
        files={"file": (edited.name, edited.read_bytes())},
        headers=AUTH,
        timeout=120,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0), report
    item = httpx.get(f"{server}/ogc/collections/buurten/items/{code}").json()
    assert item["properties"]["residents"] == 9_999
