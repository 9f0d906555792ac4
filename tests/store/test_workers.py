"""Several workers, one truth: a real ``wsz serve`` with two worker processes (WSZ_WORKERS=2)
and real concurrent HTTP clients, on the GeoPackage and on PostGIS (the local server). An
import made through one worker is served by every worker from the moment it is done; imports
through both workers at once never interleave; readers during 20 imports always see one whole
version; a worker killed (``kill -9``) in the middle of an import loses nothing.

These tests run here on the GeoPackage and in test_workers_postgis.py (the same tests) on
PostGIS: two files, so that pytest-xdist (``--dist loadfile``: one file, one worker) runs the
two stores' servers side by side.

Real parts: the sample store (real CBS buurten), uvicorn's worker processes, ``ss`` to see
which worker holds each client's connection, PostgreSQL + PostGIS on 127.0.0.1:5432.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from geo.store.geopackage import GeoPackageStore
from geo.store.postgis import PostGISStore
from tests.conftest import DATA_PATH, free_port
from tests.servers import AUTH, KEYS_JSON
from tests.service.live_support import renamed_upload
from tests.store.conftest import empty_postgis

pytestmark = pytest.mark.e2e
CLIENTS = 12
#: Imports made while readers read (issue 15: "readers during 20 imports").
IMPORTS = 20


@pytest.fixture(scope="module")
def server_env(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The store of this module's server, holding the sample (no street network: straight-
    line distances, so each worker's reload is quick): a private GeoPackage. Its ``WSZ_*``
    variables."""
    path = tmp_path_factory.mktemp("workers-gpkg") / "store.gpkg"
    shutil.copy(sample_store_file, path)
    return {"WSZ_STORE_PATH": str(path)}


def postgis_env(url: str, sample_store_file: Path, folder: Path) -> dict[str, str]:
    """The ``WSZ_*`` variables of a server on the local PostGIS database ``url``, emptied and
    given the sample (test_workers_postgis.py)."""
    empty_postgis(url)
    path = folder / "side.gpkg"  # only its folder is used (the store is the database)
    PostGISStore(url, path).write(GeoPackageStore(sample_store_file).read())
    return {"WSZ_STORE_PATH": str(path), "WSZ_STORE_URL": url}


@pytest.fixture(scope="module")
def server_store(sample_store_file: Path) -> Path:
    """The sample's GeoPackage, which the uploads are made from (read only)."""
    return sample_store_file


@pytest.fixture(scope="module")
def workers_server(server_env: dict[str, str]) -> Iterator[str]:
    """``wsz serve --workers 2`` on the store of ``server_env`` with the test key; yields its
    base URL. (Its own start-up wait, longer than the other servers': two workers analyse the
    store at once on a busy 2-core machine.)"""
    port = free_port()
    env = {
        **os.environ,
        **server_env,
        "WSZ_API_KEYS": KEYS_JSON,
        "WSZ_DATA_PATH": os.pathsep.join(str(p) for p in DATA_PATH),
        "WSZ_MAP_TILES": "none",
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--workers", "2"]
    log_path = Path(server_env["WSZ_STORE_PATH"]).with_name("server.log")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process, log_path)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not start: {log_path.read_text()}")


def _worker_pids(port: int) -> set[int]:
    """The processes holding the server side of the established connections on ``port``."""
    listing = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {int(pid) for pid in re.findall(r"pid=(\d+)", listing)}


def _post(base: str, upload: Path) -> dict[str, object]:
    answer = httpx.post(
        f"{base}/imports/voorzieningen?mode=upsert",
        files={"file": (upload.name, upload.read_bytes())},
        headers=AUTH,
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    report: dict[str, object] = answer.json()
    return report


def _names(client: httpx.Client) -> tuple[str | None, dict[str, str]]:
    """The store version and the voorzieningen' names one answer was built from."""
    answer = client.get("/voorzieningen", timeout=120)
    names = {f["properties"]["id"]: f["properties"]["name"] for f in answer.json()["features"]}
    return answer.headers.get("etag"), names


def test_every_worker_serves_an_import_at_once(
    workers_server: str, server_store: Path, tmp_path: Path
) -> None:
    clients = [httpx.Client(base_url=workers_server, timeout=120) for _ in range(CLIENTS)]
    try:
        before = {c.get("/health").json()["store_version"] for c in clients}
        assert len(before) == 1
        port = int(workers_server.rsplit(":", 1)[1])
        assert len(_worker_pids(port)) >= 2, "the clients' connections reach both workers"
        upload = renamed_upload(server_store, {"wsz-o-1": "Buurthuis Twee Werkers"}, tmp_path)
        report = _post(workers_server, upload)
        assert report["outcome"] == "applied"
        # At once, on every connection (both workers): the new version and its data.
        with ThreadPoolExecutor(CLIENTS) as pool:
            seen = list(pool.map(lambda c: (c.get("/health").json(), _names(c)[1]), clients))
        assert {health["store_version"] for health, _ in seen} == {report["store_version"]}
        assert {names["wsz-o-1"] for _, names in seen} == {"Buurthuis Twee Werkers"}
    finally:
        for client in clients:
            client.close()


def test_imports_through_two_workers_never_interleave(
    workers_server: str, server_store: Path, tmp_path: Path
) -> None:
    """Twenty imports, two at a time (each on its own connection, so through both workers),
    and readers meanwhile: the imports run one after the other, each building on the one
    before; every answer a reader gets is of one whole version (both renamed voorzieningen of
    one import, never a mix)."""
    uploads = []
    for round_ in range(IMPORTS):
        folder = tmp_path / f"u{round_}"
        folder.mkdir()
        name = f"Ronde {round_}"
        uploads.append(renamed_upload(server_store, {"wsz-o-1": name, "wsz-s-1": name}, folder))
    mixed: list[tuple[str, str]] = []
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=workers_server, timeout=120) as client:
            while not stop.is_set():
                names = _names(client)[1]
                pair = (names["wsz-o-1"], names["wsz-s-1"])
                if any(n.startswith("Ronde") for n in pair) and pair[0] != pair[1]:
                    mixed.append(pair)
                stop.wait(0.05)  # read often, but leave the 2 cores to the imports

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        with ThreadPoolExecutor(2) as pool:
            reports = list(pool.map(lambda u: _post(workers_server, u), uploads))
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=120)
    assert not mixed, f"a reader saw half an import: {mixed[:3]}"
    # Never interleaved: the imports form one chain of versions, each on the one before.
    chain = {r["previous_version"]: r["store_version"] for r in reports}
    assert len(chain) == len(reports) == IMPORTS, reports
    log = httpx.get(f"{workers_server}/imports", headers=AUTH).json()
    ids = [entry["id"] for entry in log["imports"]]
    assert {r["id"] for r in reports} <= set(ids)


def _served(base: str) -> tuple[str, dict[str, str]]:
    """The store version and the voorzieningen' names the server answers (after waiting for
    a worker to take the connection: one may just be starting again)."""
    deadline = time.monotonic() + 240
    while True:
        try:
            with httpx.Client(base_url=base, timeout=120) as client:
                version = client.get("/health").json()["store_version"]
                return version, _names(client)[1]
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _connection_owner(port: int, client_port: int) -> int:
    """The worker process holding the server side of the connection from ``client_port``."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        listing = subprocess.run(
            [
                "ss",
                "-tnpH",
                "state",
                "established",
                f"( sport = :{port} and dport = :{client_port} )",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if found := re.findall(r"pid=(\d+)", listing):
            return int(found[0])
        time.sleep(0.05)
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def test_a_worker_killed_mid_import_loses_nothing(
    workers_server: str, server_store: Path, tmp_path: Path
) -> None:
    """``kill -9`` of the worker running an import: the import is all or nothing (the old
    version or the whole new one, never a mix), the server answers on (the dead worker is
    replaced), and the store's lock is free for the next import."""
    before_version, before_names = _served(workers_server)
    upload = renamed_upload(server_store, {"wsz-o-1": "Gedood", "wsz-s-1": "Gedood"}, tmp_path)
    request = httpx.Request(
        "POST",
        f"{workers_server}/imports/voorzieningen?mode=upsert",
        files={"file": (upload.name, upload.read_bytes())},
        headers=AUTH,
    )
    host, port = workers_server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    connection.connect()
    client_port = connection.sock.getsockname()[1]
    connection.request("POST", request.url.raw_path.decode(), request.read(), dict(request.headers))
    owner = _connection_owner(int(port), client_port)
    time.sleep(0.1)  # into the import (it reads, analyses and writes for half a second or more)
    os.kill(owner, signal.SIGKILL)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        connection.getresponse()
    connection.close()
    version, names = _served(workers_server)
    pair = (names["wsz-o-1"], names["wsz-s-1"])
    if version == before_version:  # killed before the store was written: nothing changed
        assert names == before_names
    else:  # killed after it was written: the whole import
        assert pair == ("Gedood", "Gedood")
    # The lock died with the worker: the next import goes through.
    (tmp_path / "after").mkdir()
    again = renamed_upload(
        server_store, {"wsz-o-1": "Daarna", "wsz-s-1": "Daarna"}, tmp_path / "after"
    )
    report = _post(workers_server, again)
    assert report["previous_version"] == version
    assert _served(workers_server)[1]["wsz-o-1"] == "Daarna"
