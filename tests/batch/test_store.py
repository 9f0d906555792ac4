"""``wsz batch --to-store``: the merged tables in the store — the GeoPackage (beside it, as
``<store>-batch.gpkg``) and PostGIS (``wsz.batch_*``) — equal to the GeoParquet files, in RD
New as real GDAL (``ogrinfo``) reads them, and replaced whole by each run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
from psycopg import sql

from geo.batch.driver import BatchSummary, run_batch
from geo.batch.results import LEVELS
from geo.batch.settings import BatchSettings
from geo.errors import ConfigurationError, NotFoundError
from geo.store.base import Store
from geo.store.geopackage import GeoPackageStore
from geo.store.postgis import PostGISStore
from service.cli import main
from tests.batch.conftest import copy_finished, samples_argv, samples_input
from tests.conftest import make_settings
from tests.store.conftest import SERVER

OGRINFO = shutil.which("ogrinfo")


def _gdal_source(store: Store) -> tuple[str, str]:
    """How GDAL opens the store's batch tables: (data source, layer name prefix)."""
    if isinstance(store, PostGISStore):
        where = psycopg.conninfo.conninfo_to_dict(store.url)
        words = [f"{k}={where[k]}" for k in ("host", "port", "dbname", "user") if k in where]
        return "PG:" + " ".join(words), "wsz.batch_"
    assert isinstance(store, GeoPackageStore)
    return str(store.batch_tables.where), "batch_"


def _as_stored(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Values and geometry (WKB) as plain columns, for comparing across formats."""
    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    plain = plain.astype(object).where(plain.notna(), None)
    return plain.assign(wkb=frame.geometry.to_wkb().to_numpy()).reset_index(drop=True)


def _publish(
    run: BatchSummary, buurten: Path, output: Path, store: Store, *gemeenten: str
) -> BatchSummary:
    """A rerun over ``run``'s finished gemeenten (nothing computed) writing to ``store``."""
    copy_finished(run, output, *(gemeenten or ("GM0356", "GM0503")))
    inputs = samples_input(buurten, output, gemeenten=gemeenten)
    settings = make_settings(output / "unused.gpkg")
    return run_batch(inputs, settings, BatchSettings(), single_process=True, store=store)


def test_results_in_the_store(
    first_run: BatchSummary, two_gemeenten: Path, any_store: Store, tmp_path: Path
) -> None:
    summary = _publish(first_run, two_gemeenten, tmp_path / "out", any_store)
    assert summary.count("finished") == 2
    where = any_store.batch_tables.where
    assert summary.store == f"{where} (batch_buurten, batch_wijken, batch_zones, batch_gemeenten)"
    assert sorted(any_store.batch_tables.levels()) == sorted(LEVELS)
    for level in LEVELS:
        stored = any_store.batch_tables.read(level)
        assert stored.crs == "EPSG:28992"
        pd.testing.assert_frame_equal(
            _as_stored(stored),
            _as_stored(gpd.read_parquet(summary.files[level])),
            check_exact=True,
            check_dtype=False,
        )
    assert any_store.version() is None, "the store's own data (and version) stay as they were"


@pytest.mark.skipif(OGRINFO is None, reason="needs GDAL's ogrinfo (Debian gdal-bin)")
def test_gis_reads_the_tables(
    first_run: BatchSummary, two_gemeenten: Path, any_store: Store, tmp_path: Path
) -> None:
    """GDAL (as QGIS uses it) opens each table: its rows, in EPSG:28992 (for PostGIS as
    ``geometry_columns`` lists it)."""
    summary = _publish(first_run, two_gemeenten, tmp_path / "out", any_store)
    source, prefix = _gdal_source(any_store)
    shown = subprocess.run(
        [str(OGRINFO), "-ro", "-so", source, *(f"{prefix}{level}" for level in LEVELS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    layers = shown.split("\nLayer name: ")[1:]
    assert [layer.split("\n", 1)[0] for layer in layers] == [f"{prefix}{lv}" for lv in LEVELS]
    for level, layer in zip(LEVELS, layers, strict=True):
        rows = len(gpd.read_parquet(summary.files[level]))
        assert f"Feature Count: {rows}\n" in layer
        assert 'PROJCRS["Amersfoort / RD New"' in layer
        assert '\n    ID["EPSG",28992]]\n' in layer  # the layer's CRS is EPSG:28992 itself


def test_each_run_replaces_the_tables(
    first_run: BatchSummary, two_gemeenten: Path, any_store: Store, tmp_path: Path
) -> None:
    """A second run (Delft only) replaces the tables of the first: its rows only, no mix."""
    _publish(first_run, two_gemeenten, tmp_path / "both", any_store)
    _publish(first_run, two_gemeenten, tmp_path / "delft", any_store, "GM0503")
    for level in LEVELS:
        assert set(any_store.batch_tables.read(level)["gm_code"]) == {"GM0503"}
    with pytest.raises(NotFoundError, match=r"no batch table batch_straten in .*; it holds"):
        any_store.batch_tables.read("straten")


def test_cli_to_the_geopackage_store(
    first_run: BatchSummary, two_gemeenten: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``wsz --store FILE batch … --to-store``: the tables beside that GeoPackage store."""
    output = tmp_path / "out"
    copy_finished(first_run, output, "GM0356", "GM0503")
    store = tmp_path / "wsz.gpkg"
    assert main(["--store", str(store), *samples_argv(two_gemeenten, output), "--to-store"]) == 0
    beside = tmp_path / "wsz-batch.gpkg"
    assert f"  store: {beside} (batch_buurten, batch_wijken, batch_zones" in capsys.readouterr().out
    assert not store.exists()
    assert len(GeoPackageStore(store).batch_tables.read("gemeenten")) == len(
        gpd.read_parquet(output / "gemeenten.parquet")
    )


def test_postgis_not_upgraded(postgis_url: str, tmp_path: Path) -> None:
    """A database without ``wsz db upgrade``: said so, nothing written."""
    name = f"{psycopg.conninfo.conninfo_to_dict(postgis_url)['dbname']}_bare"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            store = PostGISStore(psycopg.conninfo.make_conninfo(SERVER, dbname=name), tmp_path)
            frame = gpd.GeoDataFrame({"gm_code": ["GM0503"]}, geometry=[None], crs="EPSG:28992")
            with pytest.raises(ConfigurationError, match=r"run `wsz db upgrade` first"):
                store.batch_tables.write({"gemeenten": frame})
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
