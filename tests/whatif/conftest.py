"""The what-if tests use the session's delft-tu analysis (``delft_analysis`` in
tests/conftest.py: walking over its real OSM network, built once per session) and an API
client over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.state import Published
from tests.conftest import make_app, make_settings


@pytest.fixture(scope="session")
def delft_client(delft_folder: Path, delft_published: Published) -> Iterator[TestClient]:
    """The API over the delft-tu analysis (FastAPI's TestClient, no server process)."""
    app = make_app(make_settings(delft_folder / "store.gpkg"), delft_published)
    with TestClient(app) as client:
        yield client
