"""The delft-tu sample's analysis (walking over its real OSM network), once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.pipeline import analyse_store
from service.state import publish
from tests.conftest import make_app, make_settings


@pytest.fixture(scope="session")
def delft_analysis(delft_folder: Path) -> Analysis:
    return analyse_store(make_settings(delft_folder / "store.gpkg"))


@pytest.fixture(scope="session")
def delft_client(delft_folder: Path, delft_analysis: Analysis) -> Iterator[TestClient]:
    """The API over the delft-tu analysis (FastAPI's TestClient, no server process)."""
    app = make_app(make_settings(delft_folder / "store.gpkg"), publish(delft_analysis))
    with TestClient(app) as client:
        yield client
