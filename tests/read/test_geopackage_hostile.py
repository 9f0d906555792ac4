"""Hostile GeoPackages (built with sqlite3 here, synthetic) are refused from their own
metadata before GDAL opens a layer: views (a few rows of huge-vertex lines; a recursive CTE),
virtual tables, too many rows, oversized geometry blobs; and reading them holds no store lock.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pandas as pd
import pytest

from bench.hostile_bench import base_geopackage, cte_bomb, line_blob_sql, view_bomb
from geo.errors import TooManyFeaturesError, TooManyVerticesError, UnsafeArchiveError
from geo.pipeline import run_import
from geo.read.limits import Limits
from geo.read.vectors import read_vector
from geo.store.geopackage import GeoPackageStore
from geo.store.lock import store_lock
from geo.store.request import ImportOptions, ImportRequest
from tests.conftest import make_settings


def test_a_view_of_huge_lines_is_refused_unread(tmp_path: Path) -> None:
    path = view_bomb(tmp_path / "bomb.gpkg")
    with pytest.raises(UnsafeArchiveError, match=r"views or virtual tables .*'bomb' \(a view\)"):
        read_vector(path, layer="base")  # even when the layer asked for is a table


def test_a_recursive_cte_view_is_refused_unread(tmp_path: Path) -> None:
    with pytest.raises(UnsafeArchiveError, match=r"'many' \(a view\)"):
        read_vector(cte_bomb(tmp_path / "cte.gpkg"))


def test_a_virtual_table_is_refused_but_spatial_indexes_are_not(tmp_path: Path) -> None:
    path = base_geopackage(tmp_path / "plain.gpkg")
    assert len(read_vector(path)) == 3  # GDAL's own rtree_base_geom index is fine
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE VIRTUAL TABLE words USING fts5(body)")
    connection.close()
    with pytest.raises(UnsafeArchiveError, match=r"'words' \(a virtual table\)"):
        read_vector(path)


def test_rows_are_counted_from_the_table_before_reading(tmp_path: Path) -> None:
    path = base_geopackage(tmp_path / "rows.gpkg")
    read_vector(path, limits=Limits(max_features=3))
    with pytest.raises(TooManyFeaturesError, match="'base' holds more than the 2 features"):
        read_vector(path, limits=Limits(max_features=2))


def test_an_oversized_geometry_blob_is_refused_before_reading(tmp_path: Path) -> None:
    path = base_geopackage(tmp_path / "blob.gpkg")
    with sqlite3.connect(path) as connection:
        triggers = connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for (name,) in triggers.fetchall():  # GDAL's R-tree triggers need its SQL functions
            connection.execute(f'DROP TRIGGER "{name}"')
        connection.execute(f"UPDATE base SET geom = {line_blob_sql(20_000)} WHERE id = 'b'")
    connection.close()
    with pytest.raises(TooManyVerticesError, match="geometry of 320,017 bytes"):
        read_vector(path, limits=Limits(max_vertices_per_feature=1_000))


def test_large_layers_are_read_in_batches(tmp_path: Path) -> None:
    """Three reads of one feature each (a batch of 1) give the same frame as one read."""
    import geo.read.vectors as vectors

    path = base_geopackage(tmp_path / "batches.gpkg")
    whole = read_vector(path)
    batch, vectors.BATCH_FEATURES = vectors.BATCH_FEATURES, 1
    try:
        batched = read_vector(path)
    finally:
        vectors.BATCH_FEATURES = batch
    pd.testing.assert_frame_equal(batched, whole)
    assert list(batched.index) == [0, 1, 2]


def test_reading_an_upload_holds_no_store_lock(tmp_path: Path) -> None:
    """While the input is read, another thread takes the store's lock at once."""
    store = GeoPackageStore(tmp_path / "store.gpkg")
    taken: list[bool] = []

    def probe(message: str) -> None:
        if message.startswith("Reading") and not taken:

            def take() -> None:
                try:
                    with store_lock(store.path, timeout=0):
                        taken.append(True)
                except Exception:
                    taken.append(False)

            other = threading.Thread(target=take)
            other.start()
            other.join()

    request = ImportRequest(
        kind="voorzieningen",
        source=view_bomb(tmp_path / "bomb.gpkg"),
        options=ImportOptions(category="huisarts"),
    )
    with pytest.raises(UnsafeArchiveError):
        run_import(store, request, make_settings(store.path), progress=probe)
    assert taken == [True]
