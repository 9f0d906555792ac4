"""The API and OGC API answer the same from PostGIS as from the GeoPackage (issue 15, "the
same answers from every endpoint"): the nieuwegein sample imported into the local PostGIS
store, served in process, and every golden case of the JSON API, its errors, the walking
answers and the OGC API compared with the golden files the GeoPackage store is held to.

The few answers that name the store itself differ by design and are left out, each saying
why (:data:`STORE_SPECIFIC`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from geo.pipeline import run_import
from geo.store.postgis import PostGISStore
from geo.store.request import ImportRequest
from tests.conftest import make_app, make_settings
from tests.golden.support import Get, check_get, needs_shared_data
from tests.golden.test_api import api_cases, error_cases, walking_cases
from tests.golden.test_ogc import ogc_cases, ogc_error_cases
from tests.store.conftest import empty_postgis

pytestmark = needs_shared_data

#: Answers about the store rather than its data: which store and its import log.
STORE_SPECIFIC = {
    "/health": "names the store (a GeoPackage path there, a database here)",
    "/imports": "the import log: its own times and ids per store",
    "/imports?limit=1": "the import log",
    "/imports?limit=0": "the import log",
}


@pytest.fixture(scope="module")
def postgis_client(
    postgis_url: str,
    sample_store_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    """The app over the local PostGIS store holding the nieuwegein sample (imported as
    ``wsz import sample`` does), walking over the session's built network."""
    empty_postgis(postgis_url)
    folder = tmp_path_factory.mktemp("postgis-api")
    settings = make_settings(
        folder / "store.gpkg",
        network_cache_dir=make_settings(sample_store_file).network_cache,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WSZ_STORE_URL", postgis_url)
        run_import(
            PostGISStore(postgis_url, settings.store_path), ImportRequest(kind="sample"), settings
        )
        with TestClient(make_app(settings)) as client:
            yield client


@pytest.fixture(scope="module")
def basetemp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pytest's base temporary folder (normalised away in the answers)."""
    return tmp_path_factory.getbasetemp()


def _cases() -> list[object]:
    groups = {
        "api": api_cases("nieuwegein"),
        "errors": error_cases("nieuwegein"),
        "walking": walking_cases("nieuwegein"),
        "ogc": ogc_cases("nieuwegein"),
        "ogc-errors": ogc_error_cases("nieuwegein"),
    }
    return [
        pytest.param(group, case, id=f"{group}:{case.file_name}")
        for group, cases in groups.items()
        for case in cases
        if case.url not in STORE_SPECIFIC
    ]


@pytest.mark.parametrize(("group", "case"), _cases())
def test_postgis_answers_equal_the_golden_ones(
    group: str, case: Get, postgis_client: TestClient, basetemp: Path
) -> None:
    check_get(postgis_client, "nieuwegein", group, case, basetemp)


def test_the_answers_come_from_the_database(postgis_client: TestClient, postgis_url: str) -> None:
    assert isinstance(postgis_client.app.state.live.store, PostGISStore)  # type: ignore[attr-defined]
    assert not (Path(postgis_client.app.state.settings.store_path)).exists()  # type: ignore[attr-defined]
    with psycopg.connect(postgis_url) as connection:
        row = connection.execute("SELECT count(*) FROM wsz.buurten").fetchone()
    assert row == (39,)
    health = postgis_client.get("/health").json()
    assert (health["status"], health["buurten"], health["zones"]) == ("ok", 39, 5)
