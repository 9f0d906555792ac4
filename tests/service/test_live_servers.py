"""Live data over real servers: imports over HTTP and on the command line are served without
a restart, as one state swapped whole; two imports at the same moment never interleave.

Real parts: the sample store (real CBS buurten), real ``wsz serve`` processes walking over the
sample's street network (tests/service/conftest.py): one ``shared_server`` for the tests
that start from whatever the store holds, a fresh ``server`` for the readers' test (its two
states are the sample's voorzieningen with and without the CSV's).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.common.files import sha256_file
from geo.settings import Settings
from geo.store.geopackage import GeoPackageStore
from tests.conftest import DATA_PATH, PROJECT_ROOT, SAMPLE_VOORZIENINGEN, make_settings
from tests.imports import import_file
from tests.servers import AUTH
from tests.service.live_support import names_of, renamed_upload

# --------------------------------------------------------------------------- live servers


@pytest.mark.e2e
def test_a_cli_import_is_served_without_a_restart(
    shared_server: str, shared_store: Path, tmp_path: Path
) -> None:
    server, server_store = shared_server, shared_store
    before = httpx.get(f"{server}/health", timeout=30).json()
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
        health = httpx.get(f"{server}/health", timeout=30).json()
        if health["store_version"] != before["store_version"]:
            break
        time.sleep(0.02)
    assert health["store_version"] == sha256_file(server_store)
    assert health["generation"] == before["generation"] + 1
    assert names_of(server)["wsz-s-1"] == "Supermarkt Vanaf De Terminal"
    assert "Supermarkt Vanaf De Terminal" in httpx.get(f"{server}/maps/index.js").text
    entry = httpx.get(f"{server}/imports?limit=1", headers=AUTH).json()["imports"][0]
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
    shared_server: str, shared_store: Path, tmp_path: Path
) -> None:
    """Two upserts fired together from two threads over HTTP: the result is one of the two
    serial orders, and the log shows the second starting from the first's version."""
    server, server_store = shared_server, shared_store
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
    entries = httpx.get(f"{server}/imports?limit=2", headers=AUTH).json()["imports"][::-1]
    assert sorted(e["file_name"] for e in entries) == ["edit_A.gpkg", "edit_B.gpkg"]
    assert [e["outcome"] for e in entries] == ["applied", "applied"]
    assert entries[1]["previous_version"] == entries[0]["store_version"]
    assert matches[0] == ("A then B" if entries[0]["file_name"] == "edit_A.gpkg" else "B then A")
    served = names_of(server)
    assert served["conc-A"] == "Nieuw A"
    assert served["conc-B"] == "Nieuw B"
    assert httpx.get(f"{server}/health").json()["store_version"] == sha256_file(server_store)
