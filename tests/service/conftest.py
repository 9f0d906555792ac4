"""Fixtures of the service's write tests: the app with the test key over a private copy of
the sample store (the imports over HTTP, the live data in process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from geo.store.geopackage import GeoPackageStore
from tests.service.imports_support import make_client


@pytest.fixture
def keyed_client(sample_store: GeoPackageStore) -> Iterator[TestClient]:
    """The app in process over ``sample_store`` with the test key; reloads at once."""
    with make_client(sample_store.path) as test_client:
        yield test_client
