"""The result tables of ``wsz batch --to-store``: beside the real data, never mixed with it.

A batch run publishes its figures per buurt, wijk, zone and gemeente (the tables of
:mod:`geo.batch.results`) as tables ``batch_<level>``, all geometry in RD New (EPSG:28992), so
QGIS or any GIS opens them as they are. Each write replaces every batch table at once — one
transaction per run: a reader sees the tables of the previous run or of this one, never a mix.

* The GeoPackage store keeps them in a GeoPackage of their own beside the store file,
  ``<store>-batch.gpkg`` (listed in ``gpkg_geometry_columns`` with srs 28992), rebuilt and
  renamed into place per write (:func:`~geo.common.files.atomic_write`). Not inside the store
  file: its version is the file's SHA-256, so results written into it would reload the service
  although its data did not change, and every later import (which rebuilds the file) would
  have to carry national-size tables along; as the scenarios, they sit beside it.
* The PostGIS store keeps them in ``wsz.batch_<level>``, created anew with their data's
  columns inside one transaction (DDL is transactional in PostgreSQL), each with a GiST index
  and listed in ``geometry_columns`` as ``geometry(Geometry, 28992)``; ``wsz.meta`` (the
  store's version) is not touched.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import geopandas as gpd
import psycopg
import pyogrio
from psycopg import sql

from geo.common.files import atomic_write
from geo.errors import ConfigurationError, NotFoundError, ReadError, ResultWriteError
from geo.store.geopackage import write_layer

if TYPE_CHECKING:
    from geo.store.postgis import PostGISStore

#: The prefix of every batch table's name.
PREFIX = "batch_"


class BatchTables(Protocol):
    """The batch result tables of one store, by level (``buurten``, ``wijken``, …)."""

    #: Where they are, for messages: a file, or the PostGIS schema.
    where: str

    def write(self, tables: Mapping[str, gpd.GeoDataFrame]) -> None: ...

    def read(self, level: str) -> gpd.GeoDataFrame: ...

    def levels(self) -> list[str]: ...


def batch_file(store_path: Path) -> Path:
    """``<store>-batch.gpkg`` beside the store."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}-batch.gpkg")


def _missing(level: str, where: str, levels: list[str]) -> NotFoundError:
    held = ", ".join(levels) if levels else "none: run `wsz batch --to-store` first"
    return NotFoundError(f"no batch table {PREFIX}{level} in {where}; it holds {held}")


class FileBatchTables:
    """The batch tables of a GeoPackage store, in ``<store>-batch.gpkg`` (module docstring)."""

    def __init__(self, store_path: Path) -> None:
        self.path = batch_file(store_path)
        self.where = str(self.path)

    def write(self, tables: Mapping[str, gpd.GeoDataFrame]) -> None:
        """Replace every batch table by ``tables`` (level → RD New frame): a new file, renamed
        over the old one when complete; a failed write (a full disk: GDAL's errors then name
        neither) raises :class:`ResultWriteError` and leaves the old file as it was."""
        try:
            with atomic_write(self.path) as temporary:
                for level, frame in tables.items():
                    write_layer(frame, temporary, f"{PREFIX}{level}")
        except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            free = shutil.disk_usage(self.path.parent).free
            raise ResultWriteError(
                f"cannot write the batch tables to {self.path} ({free:,} bytes free on its "
                f"disk): {str(exc)[:300]}; the batch tables there are as they were — free "
                "space and run the same command again (nothing is computed again)"
            ) from exc

    def levels(self) -> list[str]:
        """The levels held, in file order."""
        if not self.path.exists():
            return []
        names = [str(name) for name in pyogrio.list_layers(self.path)[:, 0]]
        return [name.removeprefix(PREFIX) for name in names if name.startswith(PREFIX)]

    def read(self, level: str) -> gpd.GeoDataFrame:
        """The table of ``level`` (RD New)."""
        levels = self.levels()
        if level not in levels:
            raise _missing(level, self.where, levels)
        try:
            frame: gpd.GeoDataFrame = pyogrio.read_dataframe(self.path, layer=f"{PREFIX}{level}")
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise ReadError(f"batch tables {self.path} cannot be read: {exc}") from exc
        return frame


class PostGISBatchTables:
    """The batch tables of a PostGIS store, ``wsz.batch_<level>`` (module docstring)."""

    def __init__(self, store: PostGISStore) -> None:
        self.store = store
        self.where = "PostGIS schema wsz"

    def write(self, tables: Mapping[str, gpd.GeoDataFrame]) -> None:
        """Replace every batch table by ``tables`` (level → RD New frame) in one transaction;
        batch tables of an earlier run not among them are dropped."""
        from geo.store.postgis import SCHEMA, write_table

        try:
            with self.store.connect() as connection, connection.transaction():
                for level in set(self._levels(connection)) - set(tables):
                    table = sql.Identifier(SCHEMA, f"{PREFIX}{level}")
                    connection.execute(sql.SQL("DROP TABLE {}").format(table))
                for level, frame in tables.items():
                    write_table(connection, f"{PREFIX}{level}", frame, hashlib.sha256())
        except (psycopg.errors.InvalidSchemaName, psycopg.errors.UndefinedObject) as exc:
            raise ConfigurationError(
                f"the PostGIS store has no schema {SCHEMA} with PostGIS yet "
                f"({str(exc).strip()[:200]}); run `wsz db upgrade` first (nothing was written)"
            ) from exc

    def levels(self) -> list[str]:
        """The levels held, by name."""
        with self.store.connect() as connection:
            return self._levels(connection)

    def read(self, level: str) -> gpd.GeoDataFrame:
        """The table of ``level`` (RD New), in its rows' order."""
        from geo.store.postgis import read_table

        with self.store.connect() as connection:
            levels = self._levels(connection)
            if level not in levels:
                raise _missing(level, self.where, levels)
            return read_table(connection, f"{PREFIX}{level}")

    @staticmethod
    def _levels(connection: psycopg.Connection[Any]) -> list[str]:
        from geo.store.postgis import SCHEMA

        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND starts_with(table_name, %s) ORDER BY table_name",
            (SCHEMA, PREFIX),
        ).fetchall()
        return [str(row[0]).removeprefix(PREFIX) for row in rows]
