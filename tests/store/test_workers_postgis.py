"""The tests of test_workers.py on PostGIS (the local server): ``wsz serve`` with two worker
processes on one PostGIS store. A file of its own, so that pytest-xdist (``--dist loadfile``)
runs it beside the GeoPackage's on the other worker.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.store import test_workers as on_gpkg

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server_env(
    postgis_url: str, sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The local PostGIS database holding the sample (no street network: straight-line
    distances, so each worker's reload is quick). Its ``WSZ_*`` variables."""
    return on_gpkg.postgis_env(
        postgis_url, sample_store_file, tmp_path_factory.mktemp("workers-postgis")
    )


# The same fixtures and tests (in their order), collected here with this module's server_env.
server_store = on_gpkg.server_store
workers_server = on_gpkg.workers_server
test_every_worker_serves_an_import_at_once = on_gpkg.test_every_worker_serves_an_import_at_once
test_imports_through_two_workers_never_interleave = (
    on_gpkg.test_imports_through_two_workers_never_interleave
)
test_a_worker_killed_mid_import_loses_nothing = (
    on_gpkg.test_a_worker_killed_mid_import_loses_nothing
)
