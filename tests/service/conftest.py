"""Fixtures of the service's write tests: the app with the test key over a private copy of
the sample store (the imports over HTTP, the live data in process), and a real server over
another copy (the live data over HTTP and the GIS round trip)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.store.geopackage import GeoPackageStore
from tests.servers import serve
from tests.service.imports_support import make_client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis gives every operation of its one test the same node id (only the name
    says which operation): pytest-xdist schedules by node id and would run just one of them.
    Each gets its name as node id (``test_fuzz.py::test_the_whole_api[GET /zones]``)."""
    for item in items:
        if "[" in item.name and "[" not in item.nodeid and item.parent is not None:
            item._id = item.parent.id.child(item.name)  # pytest's own rule for a child's id


@pytest.fixture
def keyed_client(sample_store: GeoPackageStore) -> Iterator[TestClient]:
    """The app in process over ``sample_store`` with the test key; reloads at once."""
    with make_client(sample_store.path) as test_client:
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
    """``wsz serve`` on ``server_store`` with the test key, walking over the session's street
    network; yields its base URL."""
    with serve(server_store, tmp_path / "server.log", network_from=sample_store_file) as base:
        yield base


@pytest.fixture(scope="module")
def shared_store(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample store for :func:`shared_server`, one per test module."""
    path = tmp_path_factory.mktemp("shared") / "store.gpkg"
    shutil.copy(sample_store_file, path)
    return path


@pytest.fixture(scope="module")
def shared_server(shared_store: Path, sample_store_file: Path) -> Iterator[str]:
    """``wsz serve`` as :func:`server`, on :func:`shared_store`, one per test module: for the
    tests whose checks hold whatever the module's earlier tests imported (each starts from
    what the store holds at its start), so one server start serves them all."""
    log_path = shared_store.with_name("server.log")
    with serve(shared_store, log_path, network_from=sample_store_file) as base:
        yield base
