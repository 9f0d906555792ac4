"""Several workers, one truth: a real ``wsz serve`` with two worker processes (WSZ_WORKERS=2)
and real concurrent HTTP clients. An import made through one worker is served by every
worker from the moment it is done; two imports at once never interleave; readers during
imports always see one whole version.

Real parts: the sample store (real CBS buurten), uvicorn's worker processes, ``ss`` to see
which worker holds each client's connection.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import DATA_PATH, free_port
from tests.servers import AUTH, KEYS_JSON
from tests.service.live_support import renamed_upload

pytestmark = pytest.mark.e2e
CLIENTS = 12


@pytest.fixture(scope="module")
def server_store(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the sample store for this module's server (no street network:
    straight-line distances, so each worker's reload is quick)."""
    path = tmp_path_factory.mktemp("workers") / "store.gpkg"
    shutil.copy(sample_store_file, path)
    return path


@pytest.fixture(scope="module")
def workers_server(server_store: Path) -> Iterator[str]:
    """``wsz serve --workers 2`` on ``server_store`` with the test key; yields its base URL.
    (Its own start-up wait, longer than the other servers': two workers analyse the store at
    once on a busy 2-core machine.)"""
    port = free_port()
    env = {
        **os.environ,
        "WSZ_STORE_PATH": str(server_store),
        "WSZ_API_KEYS": KEYS_JSON,
        "WSZ_DATA_PATH": os.pathsep.join(str(p) for p in DATA_PATH),
        "WSZ_MAP_TILES": "none",
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--workers", "2"]
    log_path = server_store.with_name("server.log")
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
    """Two imports at once (each on its own connection) and readers meanwhile: the imports
    run one after the other, each building on the other's store; every answer a reader gets
    is of one whole version (both renamed voorzieningen of one import, never a mix)."""
    uploads = []
    for round_ in range(2):
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
    assert len(chain) == len(reports), reports
    log = httpx.get(f"{workers_server}/imports", headers=AUTH).json()
    ids = [entry["id"] for entry in log["imports"]]
    assert {r["id"] for r in reports} <= set(ids)
