"""Live data: imports over HTTP and on the command line are served without a restart, as one
state swapped whole; two imports at the same moment never interleave; and the GIS round trip
(``ogr2ogr`` a layer out in RD New, edit it, push it back with a key, see it at once).

Real parts: the sample store (real CBS buurten), real ``wsz serve`` processes walking over the
sample's street network, Debian's ``ogr2ogr`` and the GDAL inside pyogrio as clients.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pandas as pd
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.common.files import sha256_file
from geo.errors import StoreBusyError
from geo.pipeline import run_import
from geo.settings import Settings
from geo.store.geopackage import GeoPackageStore
from geo.store.lock import store_lock
from geo.store.request import ImportRequest
from service.auth import hash_key
from service.state import LiveState
from tests.conftest import (
    DATA_PATH,
    PROJECT_ROOT,
    SAMPLE_VOORZIENINGEN,
    fingerprint,
    make_app,
    make_settings,
)
from tests.imports import import_file
from tests.servers import AUTH, KEY, KEY_NAME, serve

KEYS = {KEY_NAME: hash_key(KEY)}
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"


@pytest.fixture
def client(sample_store: GeoPackageStore) -> Iterator[TestClient]:
    app = make_app(make_settings(sample_store.path), api_keys=KEYS, reload_interval_s=0)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def server_store(sample_store_file: Path, tmp_path: Path) -> Path:
    """A private copy of the sample store for a live server (its network: the session's)."""
    path = tmp_path / "live" / "store.gpkg"
    path.parent.mkdir()
    shutil.copy(sample_store_file, path)
    return path


@pytest.fixture
def server(server_store: Path, sample_store_file: Path, tmp_path: Path) -> Iterator[str]:
    with serve(server_store, tmp_path / "server.log", network_from=sample_store_file) as base:
        yield base


def renamed_upload(store: Path, names: dict[str, str], folder: Path) -> Path:
    """The stored voorzieningen (RD New GeoPackage) with some renamed, as a GIS user edits."""
    frame = GeoPackageStore(store).read().voorzieningen[["id", "name", "category", "geometry"]]
    frame = frame.assign(name=frame["id"].map(names).fillna(frame["name"]))
    path = folder / "voorzieningen_edited.gpkg"
    pyogrio.write_dataframe(frame, path, driver="GPKG", layer="voorzieningen")
    return path


def names_of(base_or_client: str | TestClient) -> dict[str, str]:
    if isinstance(base_or_client, str):
        body = httpx.get(f"{base_or_client}/voorzieningen", timeout=30).json()
    else:
        body = base_or_client.get("/voorzieningen").json()
    return {f["properties"]["id"]: f["properties"]["name"] for f in body["features"]}


# --------------------------------------------------------------------------- in process


def test_a_request_keeps_the_state_it_started_with(client: TestClient, tmp_path: Path) -> None:
    """Readers hold one state object; an import swaps in a new one (with fresh map pages)."""
    live: LiveState = client.app.state.live  # type: ignore[attr-defined]
    old = live.current
    page = client.get("/maps/index.html").text
    assert old.published is not None
    assert len(old.published.cache) == 1  # the page, built for this state
    assert "Buurthuis Live" not in page
    path = renamed_upload(live.store.path, {"wsz-o-1": "Buurthuis Live"}, tmp_path)
    report = client.post(
        "/imports/voorzieningen?mode=upsert",
        files={"file": (path.name, path.read_bytes())},
        headers=AUTH,
    ).json()
    assert report["updated"] == 1, report
    new = live.current
    assert new is not old
    assert new.generation == old.generation + 1
    assert new.version == report["store_version"] != old.version
    # The old state is untouched (a request that took it finishes on it) ...
    assert old.published is not None
    old_names = old.published.voorzieningen.set_index("id")["name"]
    assert old_names["wsz-o-1"] == "Buurthuis De Schakel (synthetisch)"
    # ... and the new one is served everywhere at once, its map page built anew.
    assert new.published is not None
    assert len(new.published.cache) == 0
    assert names_of(client)["wsz-o-1"] == "Buurthuis Live"
    assert "Buurthuis Live" in client.get("/maps/index.html").text
    feature = client.get("/ogc/collections/voorzieningen/items/wsz-o-1").json()
    assert feature["properties"]["name"] == "Buurthuis Live"
    assert client.app.state.published is new.published  # type: ignore[attr-defined]


def test_a_reload_that_fails_keeps_serving(sample_store: GeoPackageStore, tmp_path: Path) -> None:
    settings = make_settings(sample_store.path)
    live = LiveState(settings)
    live.load()
    served = live.current
    original = sample_store.path.read_bytes()
    broken = sample_store.path.with_name("broken.gpkg")
    broken.write_bytes(b"not a geopackage")
    broken.replace(sample_store.path)
    assert live.check() is False
    assert live.current is served
    assert live.reload_error is not None
    assert "cannot be read" in live.reload_error
    assert live.check() is False  # not tried again until the file changes again
    restored = tmp_path / "restored.gpkg"
    restored.write_bytes(original)
    restored.replace(sample_store.path)
    assert live.check() is True
    assert live.reload_error is None
    assert live.current.version == served.version


# --------------------------------------------------------------------------- live servers


@pytest.mark.e2e
def test_a_cli_import_is_served_without_a_restart(
    server: str, server_store: Path, tmp_path: Path
) -> None:
    before = httpx.get(f"{server}/health").json()
    path = renamed_upload(server_store, {"wsz-s-1": "Supermarkt Vanaf De Terminal"}, tmp_path)
    env = {
        **os.environ,
        "WSZ_STORE_PATH": str(server_store),
        "WSZ_DATA_PATH": os.pathsep.join(str(p) for p in DATA_PATH),
    }
    command = [sys.executable, "-m", "service.cli", "import", "voorzieningen", str(path)]
    done = subprocess.run(
        [*command, "--upsert"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "0 added, 1 updated, 0 removed" in done.stdout
    finished = time.perf_counter()
    health = before
    while time.perf_counter() - finished < 30:
        health = httpx.get(f"{server}/health").json()
        if health["store_version"] != before["store_version"]:
            break
        time.sleep(0.02)
    assert health["store_version"] == sha256_file(server_store)
    assert health["generation"] == before["generation"] + 1
    assert names_of(server)["wsz-s-1"] == "Supermarkt Vanaf De Terminal"
    assert "Supermarkt Vanaf De Terminal" in httpx.get(f"{server}/maps/index.html").text
    entry = httpx.get(f"{server}/imports?limit=1").json()["imports"][0]
    assert (entry["via"], entry["outcome"], entry["updated"]) == ("cli", "applied", 1)


@pytest.mark.e2e
def test_readers_see_one_state_or_the_other_never_a_mix(server: str, tmp_path: Path) -> None:
    """While imports switch between two layers, every answer is wholly one of them."""
    everything = SAMPLE_VOORZIENINGEN.read_bytes()  # the GeoJSON part: 34 of the 48
    first = set(names_of(server))
    second = {
        f["properties"]["id"]
        for f in httpx.get(f"{server}/voorzieningen").json()["features"]
        if not f["properties"]["id"].startswith(("ha-", "gc-"))
    }
    seen: list[frozenset[str]] = []
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=server, timeout=30) as reader:
            while not stop.is_set():
                features = reader.get("/voorzieningen").json()["features"]
                seen.append(frozenset(f["properties"]["id"] for f in features))

    thread = threading.Thread(target=read)
    thread.start()
    huisartsen = PROJECT_ROOT / "data" / "sample" / "huisartsen_GM0356_synthetic.csv"
    try:
        with httpx.Client(base_url=server, headers=AUTH, timeout=60) as writer:
            for _ in range(3):
                replaced = writer.post(
                    "/imports/voorzieningen",
                    content=everything,
                    headers={"Content-Type": "application/geo+json"},
                )
                assert replaced.status_code == 200, replaced.text
                added = writer.post(
                    "/imports/voorzieningen?mode=upsert&crs=EPSG:28992",
                    files={"file": (huisartsen.name, huisartsen.read_bytes())},
                )
                assert added.status_code == 200, added.text
    finally:
        stop.set()
        thread.join()
    assert len(seen) > 5
    assert set(seen) <= {frozenset(first), frozenset(second)}, "a reader saw a mixed state"


def _concurrent_edits(tag: str, store: Path, folder: Path) -> tuple[Path, dict[str, str]]:
    """An upsert renaming wsz-o-1 and wsz-o-2 and adding one voorziening of its own."""
    frame = GeoPackageStore(store).read().voorzieningen[["id", "name", "category", "geometry"]]
    edited = frame[frame["id"].isin(["wsz-o-1", "wsz-o-2"])].copy()
    edited["name"] = [f"{tag} {i}" for i in edited["id"]]
    extra = edited.iloc[:1].assign(id=f"conc-{tag}", name=f"Nieuw {tag}")
    extra = extra.set_geometry(extra.geometry.translate(50, 50))
    upload = gpd.GeoDataFrame(pd.concat([edited, extra]), crs=frame.crs)
    path = folder / f"edit_{tag}.gpkg"
    pyogrio.write_dataframe(upload, path, driver="GPKG", layer="voorzieningen")
    return path, dict(zip(upload["id"], upload["name"], strict=True))


def _serial_state(store: Path, paths: list[Path], folder: Path, settings: Settings) -> Any:
    folder.mkdir()
    copy = folder / "serial.gpkg"
    shutil.copy(store, copy)
    target = GeoPackageStore(copy)
    for path in paths:
        import_file(target, "voorzieningen", path, mode="upsert")
    return _layer(target)


def _layer(store: GeoPackageStore) -> pd.DataFrame:
    frame = store.read().voorzieningen
    rounded = shapely.set_precision(frame.geometry.to_numpy(), 0.001)
    return frame.assign(wkt=shapely.to_wkt(rounded))[["id", "name", "category", "wkt"]]


@pytest.mark.e2e
def test_two_imports_at_the_same_moment_never_interleave(
    server: str, server_store: Path, tmp_path: Path
) -> None:
    """Two upserts fired together from two threads over HTTP: the result is one of the two
    serial orders, and the log shows the second starting from the first's version."""
    settings = make_settings(server_store)
    start = GeoPackageStore(server_store)
    original = tmp_path / "original.gpkg"
    shutil.copy(server_store, original)
    (a, _), (b, _) = (_concurrent_edits(tag, server_store, tmp_path) for tag in ("A", "B"))
    orders = {
        "A then B": _serial_state(original, [a, b], tmp_path / "ab", settings),
        "B then A": _serial_state(original, [b, a], tmp_path / "ba", settings),
    }
    barrier = threading.Barrier(2)
    answers: dict[str, httpx.Response] = {}

    def push(tag: str, path: Path) -> None:
        with httpx.Client(base_url=server, headers=AUTH, timeout=120) as writer:
            body = path.read_bytes()
            barrier.wait()
            answers[tag] = writer.post(
                "/imports/voorzieningen?mode=upsert", files={"file": (path.name, body)}
            )

    threads = [threading.Thread(target=push, args=(t, p)) for t, p in (("A", a), ("B", b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {t: r.status_code for t, r in answers.items()} == {"A": 200, "B": 200}
    final = _layer(start)
    matches = [
        order
        for order, state in orders.items()
        if final.reset_index(drop=True).equals(state.reset_index(drop=True))
    ]
    assert len(matches) == 1, "the final state is no serial order of the two imports"
    entries = httpx.get(f"{server}/imports?limit=2").json()["imports"][::-1]
    assert sorted(e["file_name"] for e in entries) == ["edit_A.gpkg", "edit_B.gpkg"]
    assert [e["outcome"] for e in entries] == ["applied", "applied"]
    assert entries[1]["previous_version"] == entries[0]["store_version"]
    assert matches[0] == ("A then B" if entries[0]["file_name"] == "edit_A.gpkg" else "B then A")
    served = names_of(server)
    assert served["conc-A"] == "Nieuw A"
    assert served["conc-B"] == "Nieuw B"
    assert httpx.get(f"{server}/health").json()["store_version"] == sha256_file(server_store)


# --------------------------------------------------------------------------- round trip


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: run scripts/ensure-gdal (make test does)")
    return path


@pytest.mark.e2e
def test_gis_round_trip_ogr2ogr_out_in_rd_new_edit_push_back(
    server: str, server_store: Path, tmp_path: Path
) -> None:
    """The done-when of the GIS issue, with the clients GIS staff use."""
    before = fingerprint(server_store)
    # 1. Out, in RD New: Debian's ogr2ogr (GDAL 3.6, reprojecting on its side) ...
    pulled = tmp_path / "voorzieningen_rd.gpkg"
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
    # ... and the GDAL in pyogrio asking the server for RD New itself (Part 2).
    served_rd = pyogrio.read_dataframe(
        f"OAPIF:{server}/ogc", layer="voorzieningen", CRS="EPSG:28992"
    )
    assert served_rd.crs.to_epsg() == 28992
    assert sorted(served_rd["id"]) == sorted(frame["id"])
    assert fingerprint(server_store) == before  # reading changes nothing
    # 2. Edit: rename one voorziening, move another 150 m east.
    frame = frame.set_index("id", drop=False)
    frame.loc["wsz-o-1", "name"] = "Buurthuis De Schakel (verhuisd)"
    moved_from = frame.loc["wsz-o-2", "geometry"]
    frame.loc["wsz-o-2", "geometry"] = shapely.affinity.translate(moved_from, 150, 0)
    edited = tmp_path / "voorzieningen_edited.gpkg"
    pyogrio.write_dataframe(frame.reset_index(drop=True), edited, driver="GPKG")
    # 3. Push it back over HTTP with the key: an upsert of the whole layer.
    response = httpx.post(
        f"{server}/imports/voorzieningen?mode=upsert",
        files={"file": (edited.name, edited.read_bytes())},
        headers=AUTH,
        timeout=120,
    )
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
    assert "Buurthuis De Schakel (verhuisd)" in httpx.get(f"{server}/maps/index.html").text
    # 5. The same push again changes nothing, not even the file.
    written = fingerprint(server_store)
    again = httpx.post(
        f"{server}/imports/voorzieningen?mode=upsert",
        files={"file": (edited.name, edited.read_bytes())},
        headers=AUTH,
        timeout=120,
    ).json()
    assert again["outcome"] == "unchanged"
    assert fingerprint(server_store) == written


@pytest.mark.e2e
def test_gis_round_trip_of_buurten(server: str, server_store: Path, tmp_path: Path) -> None:
    """Buurten too: out in RD New from the server (Part 2), a figure corrected, back in."""
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


# --------------------------------------------------------------------------- the lock


def test_an_import_waits_for_another_process_holding_the_store(
    sample_store: GeoPackageStore, settings_for_lock: Settings
) -> None:
    """The lock is a file lock too: a CLI import in another process keeps HTTP imports out."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from geo.store.lock import store_lock\n"
            "with store_lock(sys.argv[1]):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
            str(sample_store.path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        before = fingerprint(sample_store.path)
        live = LiveState(settings_for_lock)
        with pytest.raises(StoreBusyError, match="another import is still running"):
            run_import(
                live.store,
                ImportRequest(kind="voorzieningen", source=SAMPLE_VOORZIENINGEN),
                settings_for_lock,
                timeout=0.3,
            )
        assert fingerprint(sample_store.path) == before
    finally:
        holder.terminate()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    with store_lock(sample_store.path, timeout=5):
        pass  # free again once the other process is gone


@pytest.fixture
def settings_for_lock(sample_store: GeoPackageStore) -> Settings:
    return make_settings(sample_store.path)
