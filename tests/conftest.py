"""Shared fixtures: the Nieuwegein sample, a store built from it, the app over it.

The sample's buurten are REAL (CBS, read from ``../shared/data`` through the data path); its
voorzieningen and street network are synthetic (``data/sample/make_synthetic.py``).

Collecting the tests never reads ``../shared/data``: a test (or fixture) that needs a file from
it says so with :func:`requires_shared_data` (a marker) or :func:`skip_without_shared_data`
(inside a fixture), and is skipped, naming the missing files, where that folder is absent.

Everything is real: files go through the real readers, the store is a real GeoPackage, the
end-to-end fixtures start a real uvicorn process and the map tests a real Chromium.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from geo.analysis import Analysis
from geo.pipeline import analyse, analyse_store, run_import
from geo.settings import SAMPLE_DIR, Settings
from geo.store.addresses import address_file
from geo.store.geopackage import GeoPackageStore
from geo.store.request import ImportRequest
from geo.vocabulary import DEFAULT_VOCABULARY_PATH, load_vocabulary
from service.main import create_app
from service.settings import ServiceSettings
from service.state import Published, publish

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
#: The real open data (CBS, OSM; see its SOURCES.md files), first on the tests' data path.
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
DATA_PATH = (SHARED_DATA, SAMPLE_DIR)
#: The sample's buurten: Nieuwegein's 39 real CBS buurten (2023 geometry, 2024 Kerncijfers).
SAMPLE_BUURTEN = SHARED_DATA / "cbs" / "buurten_GM0356_2023geom_kwb2024.gpkg"
#: The delft-tu sample's real files: Delft's CBS buurten and the 2014 OSM extract of TU Delft.
DELFT_BUURTEN = SHARED_DATA / "cbs" / "buurten_GM0503_2023geom_kwb2024.gpkg"
DELFT_OSM = SHARED_DATA / "osm" / "delft_tu_campus_2014.osm"
#: The files of ``../shared/data`` each sample reads (data/sample/*.yaml).
SAMPLE_SHARED_FILES = {"nieuwegein": (SAMPLE_BUURTEN,), "delft-tu": (DELFT_BUURTEN, DELFT_OSM)}
#: A reader fixture (synthetic, 22 buurten): CBS's 2022+ snake_case columns with CBS's
#: -99999999 / -99999997 sentinels, a water buurt and a secret one.
SNAKE_CASE_BUURTEN = PROJECT_ROOT / "tests" / "data" / "buurten_GM0356_synthetic.gpkg"
SAMPLE_VOORZIENINGEN = SAMPLE_DIR / "voorzieningen_GM0356_synthetic.geojson"
SAMPLE_HUISARTSEN = SAMPLE_DIR / "huisartsen_GM0356_synthetic.csv"
SAMPLE_ZONES = SAMPLE_DIR / "zones_GM0356_example.yaml"
#: The vocabulary shipped with the service (readers are always given one explicitly).
VOCABULARY = load_vocabulary(DEFAULT_VOCABULARY_PATH)


def missing_shared_data(*paths: Path) -> str | None:
    """Why a test reading ``paths`` cannot run here, naming the files that are missing (None
    when all of them are there)."""
    missing = [path for path in paths if not path.is_file()]
    if not missing:
        return None
    names = ", ".join(
        str(path.relative_to(SHARED_DATA)) if path.is_relative_to(SHARED_DATA) else str(path)
        for path in missing
    )
    return f"needs the real CBS/OSM data in {SHARED_DATA}; missing: {names}"


def requires_shared_data(*paths: Path) -> pytest.MarkDecorator:
    """A marker skipping the test unless every file of ``paths`` exists (the skip names those
    that do not)."""
    reason = missing_shared_data(*paths)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def skip_without_shared_data(*paths: Path) -> None:
    """Skip the running test (or every test of a fixture) unless every file of ``paths``
    exists; the skip names those that do not."""
    reason = missing_shared_data(*paths)
    if reason is not None:
        pytest.skip(reason)


T = TypeVar("T")


def run_on_own_loop(work: Coroutine[object, object, T]) -> T:
    """``asyncio.run(work)`` in a thread of its own: a test process may already run an event
    loop in its main thread (Playwright's sync API leaves one there)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def make_settings(store_path: Path, **overrides: object) -> Settings:
    """Analysis settings on the real data and the sample folder. Imports keep no coverage
    snapshot unless ``snapshot_imports=True`` (each would cost an analysis; tests/profiel
    checks them)."""
    unknown = set(overrides) - set(Settings.model_fields)
    assert not unknown, f"not analysis settings: {unknown} (see make_service)"
    values: dict[str, object] = {
        "store_path": store_path,
        "data_path": list(DATA_PATH),
        "snapshot_imports": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def make_service(**overrides: object) -> ServiceSettings:
    """The service's settings without tiles (no network in tests), reached at TestClient's
    own address (``http://testserver``: absolute links are built from this setting)."""
    values: dict[str, object] = {
        "map_tiles": "none",
        "public_base_url": "http://testserver",
        **overrides,
    }
    return ServiceSettings(**values)  # type: ignore[arg-type]


def make_app(settings: Settings, published: Published | None = None, **service: object) -> FastAPI:
    """The app over ``settings`` (and ``published``), with :func:`make_service` settings."""
    return create_app(settings, published, make_service(**service))


def fingerprint(path: Path) -> tuple[str, int]:
    """Content hash and mtime of a file: equal before and after means untouched."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture(scope="session")
def sample_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the whole sample imported once per session, as `wsz demo` does: its
    (synthetic) street network built into ``network/`` beside it (do not modify: copy it)."""
    skip_without_shared_data(*SAMPLE_SHARED_FILES["nieuwegein"])
    path = tmp_path_factory.mktemp("store") / "sample.gpkg"
    run_import(GeoPackageStore(path), ImportRequest(kind="sample"), make_settings(path))
    return path


@pytest.fixture(scope="session")
def walking_analysis(sample_store_file: Path) -> Analysis:
    """The sample analysed as the service does: by walking over its street network."""
    return analyse_store(make_settings(sample_store_file))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with an empty store in this test's temporary folder."""
    return make_settings(tmp_path / "store.gpkg")


@pytest.fixture
def sample_store(sample_store_file: Path, tmp_path: Path) -> GeoPackageStore:
    """A private copy of the sample store, free to modify."""
    path = tmp_path / "store.gpkg"
    shutil.copy(sample_store_file, path)
    return GeoPackageStore(path)


@pytest.fixture(scope="session")
def sample_analysis(walking_analysis: Analysis) -> Analysis:
    """The sample analysed as the service does (by walking over its street network)."""
    return walking_analysis


@pytest.fixture(scope="session")
def straight_analysis(sample_store_file: Path) -> Analysis:
    """The sample analysed without a street network: straight lines only."""
    return analyse(GeoPackageStore(sample_store_file).read(), make_settings(sample_store_file))


@pytest.fixture(scope="session")
def published(sample_analysis: Analysis) -> Published:
    return publish(sample_analysis)


@pytest.fixture(scope="session")
def client(published: Published, sample_store_file: Path) -> Iterator[TestClient]:
    """An in-process client of the app over the sample."""
    app = make_app(make_settings(sample_store_file), published)
    with TestClient(app) as test_client:
        yield test_client


#: How long a ``wsz serve`` may take to answer /health: its imports alone take a few CPU seconds,
#: and on a loaded 2-core machine (xdist workers, browsers) the wall time is many times that.
SERVER_START_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(env: Mapping[str, str], log_path: Path) -> Iterator[str]:
    """``wsz serve`` in its own process (real uvicorn) on a free port, with ``env`` over the
    tests' defaults (the tests' data path, no tiles); yields its base URL, then stops it."""
    port = free_port()
    environment = {
        **os.environ,
        "WSZ_DATA_PATH": os.pathsep.join(str(p) for p in DATA_PATH),
        "WSZ_MAP_TILES": "none",
        **env,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, str(log_path))
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="session")
def live_folder(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of :func:`live_server`'s copy of the sample store (``store.gpkg``): what a
    command line beside the server writes (a saved scenario) goes here."""
    folder = tmp_path_factory.mktemp("live")
    copy_sample_store(sample_store_file, folder / "store.gpkg")
    return folder


def copy_sample_store(sample_store_file: Path, store: Path) -> Path:
    """The imported sample copied to ``store`` with its (synthetic) address table, as
    ``wsz import sample`` leaves it; its street network stays the session's (read only:
    :func:`make_settings` of ``sample_store_file`` names its folder). Returns ``store``."""
    shutil.copy(sample_store_file, store)
    addresses = address_file(sample_store_file)
    if addresses.is_file():
        shutil.copy(addresses, address_file(store))
    return store


@pytest.fixture(scope="session")
def live_server(sample_store_file: Path, live_folder: Path) -> Iterator[str]:
    """``wsz serve`` on a copy of the sample store, walking over the session's built network
    (read only), as after `wsz demo`; yields its base URL."""
    folder = live_folder
    store = folder / "store.gpkg"
    env = {
        "WSZ_STORE_PATH": str(store),
        "WSZ_NETWORK_CACHE_DIR": str(make_settings(sample_store_file).network_cache),
    }
    with running_server(env, folder / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def delft_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real delft-tu sample imported into ``store.gpkg``, with its walking network built
    beside it (once per session; do not modify)."""
    skip_without_shared_data(*SAMPLE_SHARED_FILES["delft-tu"])
    folder = tmp_path_factory.mktemp("delft")
    settings = make_settings(folder / "store.gpkg")
    request = ImportRequest(kind="sample", sample="delft-tu")
    run_import(GeoPackageStore(settings.store_path), request, settings)
    return folder


@pytest.fixture(scope="session")
def delft_analysis(delft_folder: Path) -> Analysis:
    """The delft-tu sample analysed as the service does (walking over its real OSM network),
    once per session (do not modify)."""
    return analyse_store(make_settings(delft_folder / "store.gpkg"))


@pytest.fixture(scope="session")
def delft_published(delft_analysis: Analysis) -> Published:
    return publish(delft_analysis)


@pytest.fixture(scope="session")
def delft_server(delft_folder: Path) -> Iterator[str]:
    """``wsz serve`` on the delft-tu store and its network; yields its base URL."""
    env = {"WSZ_STORE_PATH": str(delft_folder / "store.gpkg")}
    with running_server(env, delft_folder / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium per session (per xdist worker: a launch costs seconds, a context
    milliseconds; a second sync Playwright in the same process is refused). Its axe-core results
    (tests/maps) are written to test-artifacts/ when it closes, one file per xdist worker."""
    from playwright.sync_api import sync_playwright

    from tests.maps.embed_support import chromium_path

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        yield launched
        launched.close()
    from tests.maps.embed_support import AXE_RESULTS

    ARTIFACTS.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = "axe-results.json" if worker is None else f"axe-results.{worker}.json"
    (ARTIFACTS / name).write_text(json.dumps(AXE_RESULTS, indent=2, sort_keys=True))


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log_name: str) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {Path(log_name).read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not start: {Path(log_name).read_text()}")


def _xdist_controller(config: pytest.Config) -> bool:
    """True in the controller of a pytest-xdist run (``-n N``), False in its workers and in a
    run without xdist."""
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", 0))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Parts of the axe-core results left by an interrupted xdist run are removed."""
    if _xdist_controller(session.config):
        for part in ARTIFACTS.glob("axe-results.gw*.json"):
            part.unlink()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, the controller merges the workers' axe-core results
    (tests/maps/conftest.py) into test-artifacts/axe-results.json."""
    if not _xdist_controller(session.config):
        return
    parts = sorted(ARTIFACTS.glob("axe-results.gw*.json"))
    if not parts:
        return
    merged: dict[str, dict[str, object]] = {}
    for part in parts:
        for page, viewports in json.loads(part.read_text(encoding="utf-8")).items():
            merged.setdefault(page, {}).update(viewports)
        part.unlink()
    (ARTIFACTS / "axe-results.json").write_text(json.dumps(merged, indent=2, sort_keys=True))
