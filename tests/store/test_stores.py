"""The GeoPackage and the PostGIS store behave the same (each test runs on both): a dataset
round-trips exactly, an import is one logged transaction, a refused import leaves the store as
it was. PostGIS alone: the schema GIS staff open in QGIS, its migrations, and a connection lost
mid-import that leaves the database as before.

Real parts: the sample store (real CBS buurten), the real readers, PostgreSQL + PostGIS on
127.0.0.1:5432 (tests/store/conftest.py).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import psycopg
import pyogrio
import pytest

from geo.errors import WszError
from geo.pipeline import run_import
from geo.store.base import Store, open_store
from geo.store.dataset import Dataset
from geo.store.geopackage import GeoPackageStore
from geo.store.postgis import PostGISStore, StoreUnavailableError
from geo.store.postgis_migrations import status, upgrade
from geo.store.request import ImportOptions, ImportRequest
from tests.conftest import make_settings


def _assert_same(a: Dataset, b: Dataset) -> None:
    for layer in ("buurten", "zones", "voorzieningen"):
        left, right = getattr(a, layer), getattr(b, layer)
        pd.testing.assert_frame_equal(
            pd.DataFrame(left.drop(columns="geometry")),
            pd.DataFrame(right.drop(columns="geometry")),
        )
        assert left.crs == right.crs
        assert left.geometry.geom_equals_exact(right.geometry, 0).all(), layer
    assert a.definition == b.definition
    assert a.provenance == b.provenance


@pytest.fixture
def sample(sample_store_file: Path) -> Dataset:
    return GeoPackageStore(sample_store_file).read()


def _renamed(sample_store_file: Path, folder: Path, name: str) -> Path:
    frame = GeoPackageStore(sample_store_file).read().voorzieningen
    frame = frame[["id", "name", "category", "geometry"]].copy()
    frame.loc[frame["id"] == "wsz-o-1", "name"] = name
    path = folder / "voorzieningen_edited.gpkg"
    pyogrio.write_dataframe(frame, path, driver="GPKG", layer="voorzieningen")
    return path


def test_a_dataset_round_trips(any_store: Store, sample: Dataset) -> None:
    assert any_store.version() is None
    assert any_store.read().is_empty
    any_store.write(sample)
    _assert_same(any_store.read(), sample)
    assert any_store.version() is not None


def test_an_import_is_logged_and_a_refusal_changes_nothing(
    any_store: Store, sample: Dataset, sample_store_file: Path, tmp_path: Path
) -> None:
    settings = make_settings(any_store.path)
    any_store.write(sample)
    before = any_store.version()
    upload = _renamed(sample_store_file, tmp_path, "Buurthuis Beide Stores")
    options = ImportOptions(mode="upsert")
    request = ImportRequest(kind="voorzieningen", source=upload, options=options)
    result = run_import(any_store, request, settings)
    assert result.report.outcome == "applied"
    assert (result.report.updated, result.report.previous_version) == (1, before)
    assert result.report.store_version == any_store.version() != before
    names = any_store.read().voorzieningen.set_index("id")["name"]
    assert names["wsz-o-1"] == "Buurthuis Beide Stores"
    applied = any_store.read()
    # A refused import: nothing written, logged as refused.
    bad = tmp_path / "voorzieningen_bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feat')
    with pytest.raises(WszError):
        run_import(any_store, ImportRequest(kind="voorzieningen", source=bad), settings)
    assert any_store.version() == result.report.store_version
    _assert_same(any_store.read(), applied)
    log = any_store.log.entries()
    assert [e["outcome"] for e in log[:2]] == ["refused", "applied"]
    assert log[1]["id"] == result.report.id
    assert log[1]["changes"]["voorzieningen"]["updated"] == 1


# --------------------------------------------------------------------------- PostGIS only


def test_the_postgis_schema_is_what_qgis_opens(postgis_url: str, sample: Dataset) -> None:
    """Geometry in EPSG:28992 registered in geometry_columns, a GiST index per layer, the
    migrations applied (a second upgrade applies none)."""
    store = PostGISStore(postgis_url, Path("unused.gpkg"))
    store.write(sample)
    with psycopg.connect(postgis_url) as connection:
        columns = connection.execute(
            "SELECT f_table_name, type, srid FROM geometry_columns "
            "WHERE f_table_schema = 'wsz' ORDER BY 1"
        ).fetchall()
        indexes = connection.execute(
            "SELECT tablename FROM pg_indexes WHERE schemaname = 'wsz' AND indexdef LIKE '%gist%'"
        ).fetchall()
    assert columns == [
        ("buurten", "GEOMETRY", 28992),
        ("scenario_sites", "POINT", 28992),  # named what-if scenarios (migration 002)
        ("voorzieningen", "POINT", 28992),
        ("zones", "GEOMETRY", 28992),
    ]
    assert {row[0] for row in indexes} == {"buurten", "zones", "voorzieningen", "scenario_sites"}
    assert all(m.applied for m in status(store))
    assert upgrade(store) == []
    assert isinstance(open_store(make_settings(Path("x.gpkg")), postgis_url), PostGISStore)


def test_a_connection_lost_mid_import_leaves_the_database_as_before(
    postgis_url: str, sample: Dataset
) -> None:
    """The write blocks on a lock another session holds on the version row (its layers
    already replaced in its transaction); its connection is then killed: nothing changed."""
    store = PostGISStore(postgis_url, Path("unused.gpkg"))
    store.write(sample)
    version = store.version()
    changed = sample.voorzieningen.assign(name="Verloren")
    errors: list[Exception] = []

    def write() -> None:
        try:
            store.write(Dataset(sample.buurten, sample.zones, changed, sample.definition))
        except Exception as exc:
            errors.append(exc)

    with psycopg.connect(postgis_url) as holder:
        holder.execute("LOCK TABLE wsz.meta IN ACCESS EXCLUSIVE MODE")
        writer = threading.Thread(target=write)
        writer.start()
        with psycopg.connect(postgis_url, autocommit=True) as admin:
            deadline = time.monotonic() + 30
            pid = None
            while pid is None and time.monotonic() < deadline:
                row = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'wsz' "
                    "AND wait_event_type = 'Lock'"
                ).fetchone()
                pid = row[0] if row else None
                time.sleep(0.02)
            assert pid is not None, "the write never reached the version row"
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        writer.join(timeout=30)
        holder.rollback()
    assert len(errors) == 1, errors
    assert isinstance(errors[0], StoreUnavailableError), errors
    assert "nothing was changed" in str(errors[0])
    assert store.version() == version
    _assert_same(store.read(), sample)
