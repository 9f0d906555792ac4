"""Live data in process: an import swaps in one new state whole while a request keeps the
state it started with, a reload that fails keeps serving, and the store's lock is a file lock
that keeps an import of another process out.

Live servers are in ``test_live_servers.py``, the GIS round trip in
``test_live_round_trip.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.errors import StoreBusyError
from geo.pipeline import run_import
from geo.settings import Settings
from geo.store.geopackage import GeoPackageStore
from geo.store.lock import store_lock
from geo.store.request import ImportRequest
from service.state import LiveState
from tests.conftest import SAMPLE_VOORZIENINGEN, fingerprint, make_settings
from tests.servers import AUTH
from tests.service.live_support import names_of, renamed_upload


@pytest.fixture
def client(keyed_client: TestClient) -> TestClient:
    """This module's client: the app over a private copy of the sample store, with the key."""
    return keyed_client


# --------------------------------------------------------------------------- in process


def test_a_request_keeps_the_state_it_started_with(client: TestClient, tmp_path: Path) -> None:
    """Readers hold one state object; an import swaps in a new one (with fresh map pages)."""
    live: LiveState = client.app.state.live  # type: ignore[attr-defined]
    old = live.current
    page = client.get("/maps/index.js").text
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
    assert "Buurthuis Live" in client.get("/maps/index.js").text
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
