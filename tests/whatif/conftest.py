"""The delft-tu sample's analysis (walking over its real OSM network), once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.analysis import Analysis
from geo.pipeline import analyse_store
from tests.conftest import make_settings


@pytest.fixture(scope="session")
def delft_analysis(delft_folder: Path) -> Analysis:
    return analyse_store(make_settings(delft_folder / "store.gpkg"))
